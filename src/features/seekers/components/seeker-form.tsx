import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { Alert, Button, Group, NativeSelect, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { contactProblem, defaultContact } from '@/lib/contact';
import { Constants, type Enums } from '@/lib/database.types';
import { errorMessage } from '@/lib/errors';

/** Mirrors the `seekers` table's check constraints; the database still enforces them. */
export const SeekerSchema = z
  .object({
    first_name: z.string().trim().min(1, 'Enter the first name').max(100, 'Keep the first name under 100 characters'),
    last_name: z.string().trim().max(100, 'Keep the last name under 100 characters'),
    email: z
      .string()
      .trim()
      .max(320, 'Keep the email under 320 characters')
      .refine((v) => v === '' || z.email().safeParse(v).success, 'Enter an email address like name@example.org'),
    phone: z
      .string()
      .trim()
      .max(40, 'Keep the phone number under 40 characters')
      .refine((v) => v === '' || /^[0-9+()\-.\s]{7,}$/.test(v), 'Enter a phone number with digits'),
    address: z.string().trim().max(300, 'Keep the address under 300 characters'),
    zip: z
      .string()
      .trim()
      .refine((v) => v === '' || /^[0-9]{5}$/.test(v), 'Enter a five-digit ZIP code'),
    preferred_contact: z.enum(Constants.public.Enums.contact_preference),
    preferred_language: z.enum(Constants.public.Enums.language_code),
  })
  .superRefine((v, ctx) => {
    const problem = contactProblem(v.preferred_contact, v.email, v.phone);
    if (problem) ctx.addIssue({ code: 'custom', path: ['preferred_contact'], message: problem });
  });

export type SeekerFormValues = z.infer<typeof SeekerSchema>;

export const EMPTY_SEEKER: SeekerFormValues = {
  first_name: '',
  last_name: '',
  email: '',
  phone: '',
  address: '',
  zip: '',
  preferred_contact: 'phone',
  preferred_language: 'en',
};

export const CONTACT_LABELS = {
  email: 'Email',
  text: 'Text message',
  phone: 'Phone call (no messages to them)',
  none: "Don't reach out",
} as const satisfies Record<Enums<'contact_preference'>, string>;

export const LANGUAGE_LABELS: Record<Enums<'language_code'>, string> = { en: 'English', es: 'Spanish' };

export type SeekerFormProps = {
  defaultValues?: SeekerFormValues;
  submitLabel: string;
  onSubmit: (values: SeekerFormValues) => Promise<unknown>;
  onCancel?: () => void;
};

/** Add or edit a person's details. */
export function SeekerForm({ defaultValues = EMPTY_SEEKER, submitLabel, onSubmit, onCancel }: SeekerFormProps) {
  const [serverError, setServerError] = useState<string | null>(null);
  const form = useForm<SeekerFormValues>({ resolver: zodResolver(SeekerSchema), defaultValues });
  const { errors, isSubmitting } = form.formState;
  // Until someone picks a way to reach the person, it follows the details typed
  // (email, else text, else a phone call), so "Email" is never kept without an address.
  const [contactTouched, setContactTouched] = useState(defaultValues !== EMPTY_SEEKER);
  const followDetails = () => {
    if (contactTouched) return;
    const { email, phone, preferred_contact } = form.getValues();
    const next = defaultContact(email, phone);
    if (next !== preferred_contact) form.setValue('preferred_contact', next);
  };

  return (
    <form
      noValidate
      onSubmit={form.handleSubmit(async (values) => {
        setServerError(null);
        try {
          await onSubmit(values);
        } catch (e) {
          setServerError(errorMessage(e));
        }
      })}
    >
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
          <TextInput
            label="First name"
            required
            autoComplete="off"
            {...form.register('first_name')}
            error={errors.first_name?.message}
          />
          <TextInput
            label="Last name"
            autoComplete="off"
            {...form.register('last_name')}
            error={errors.last_name?.message}
          />
          <TextInput
            label="Email"
            type="email"
            autoComplete="off"
            {...form.register('email', { onChange: followDetails })}
            error={errors.email?.message}
          />
          <TextInput
            label="Phone"
            type="tel"
            autoComplete="off"
            {...form.register('phone', { onChange: followDetails })}
            error={errors.phone?.message}
          />
        </SimpleGrid>
        <TextInput
          label="Street address"
          autoComplete="off"
          {...form.register('address')}
          error={errors.address?.message}
        />
        <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
          <TextInput
            label="ZIP code"
            inputMode="numeric"
            maxLength={5}
            description="Program search starts here"
            {...form.register('zip')}
            error={errors.zip?.message}
          />
          <Controller
            control={form.control}
            name="preferred_contact"
            render={({ field }) => (
              <NativeSelect
                label="Preferred contact"
                data={Object.entries(CONTACT_LABELS).map(([value, label]) => ({ value, label }))}
                {...field}
                onChange={(e) => {
                  setContactTouched(true);
                  field.onChange(e);
                }}
                error={errors.preferred_contact?.message}
              />
            )}
          />
          <Controller
            control={form.control}
            name="preferred_language"
            render={({ field }) => (
              <NativeSelect
                label="Preferred language"
                data={Object.entries(LANGUAGE_LABELS).map(([value, label]) => ({ value, label }))}
                {...field}
              />
            )}
          />
        </SimpleGrid>
        {serverError && (
          <Alert color="red" role="alert" title="Not saved">
            {serverError}
          </Alert>
        )}
        <Group justify="flex-end" gap="xs">
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={isSubmitting}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
