import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { Alert, Button, Checkbox, Group, SimpleGrid, Stack, TextInput, Textarea } from '@mantine/core';
import { Constants } from '@/lib/database.types';
import { errorMessage } from '@/lib/errors';
import type { MyProgram, ProgramPatch } from '../api/my-programs';

const optional = (max: number, label: string) =>
  z.string().trim().max(max, `Keep the ${label} under ${max} characters`);

/** The database's checks on a program's listing (programs_*_check), in words. */
export const ListingSchema = z.object({
  description: optional(4000, 'description'),
  address: optional(300, 'address'),
  zip: z
    .string()
    .trim()
    .regex(/^[0-9]{5}$/, 'Enter a five-digit ZIP code'),
  phone: optional(40, 'phone number'),
  email: optional(320, 'email').refine(
    (v) => v === '' || z.email().safeParse(v).success,
    'Enter an email address like name@example.org',
  ),
  website: optional(500, 'website'),
  service_categories: z.array(z.enum(Constants.public.Enums.service_category)),
});
export type ListingValues = z.infer<typeof ListingSchema>;

/** A claimer edits their program's listing: description, address, phone, email, website, categories. */
export function EditListingForm({
  program,
  onSubmit,
  onCancel,
}: {
  program: MyProgram;
  onSubmit: (patch: ProgramPatch) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [serverError, setServerError] = useState<string | null>(null);
  const form = useForm<ListingValues>({
    resolver: zodResolver(ListingSchema),
    defaultValues: {
      description: program.description,
      address: program.address,
      zip: program.zip,
      phone: program.phone ?? '',
      email: program.email ?? '',
      website: program.website ?? '',
      service_categories: program.service_categories,
    },
  });
  const { errors, isSubmitting } = form.formState;
  return (
    <form
      noValidate
      aria-label={`Edit the listing of ${program.name}`}
      onSubmit={form.handleSubmit(async (v) => {
        setServerError(null);
        try {
          await onSubmit({
            ...v,
            phone: v.phone || null,
            email: v.email || null,
            website: v.website || null,
          });
        } catch (e) {
          setServerError(errorMessage(e));
        }
      })}
    >
      <Stack gap="sm">
        <Textarea
          label="Description"
          minRows={3}
          {...form.register('description')}
          error={errors.description?.message}
        />
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
          <TextInput label="Street address" {...form.register('address')} error={errors.address?.message} />
          <TextInput
            label="ZIP code"
            inputMode="numeric"
            maxLength={5}
            {...form.register('zip')}
            error={errors.zip?.message}
          />
          <TextInput label="Phone" type="tel" {...form.register('phone')} error={errors.phone?.message} />
          <TextInput label="Email" type="email" {...form.register('email')} error={errors.email?.message} />
        </SimpleGrid>
        <TextInput label="Website" type="url" {...form.register('website')} error={errors.website?.message} />
        <Controller
          control={form.control}
          name="service_categories"
          render={({ field }) => (
            <Checkbox.Group label="Kinds of help offered" value={field.value} onChange={field.onChange}>
              <Group gap="sm" mt={4}>
                {Constants.public.Enums.service_category.map((c) => (
                  <Checkbox key={c} value={c} label={c} />
                ))}
              </Group>
            </Checkbox.Group>
          )}
        />
        {serverError && (
          <Alert color="red" role="alert" title="The listing was not saved">
            {serverError}
          </Alert>
        )}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={isSubmitting}>
            Save listing
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
