import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import {
  Alert,
  Button,
  Checkbox,
  Group,
  NativeSelect,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { Constants } from '@/lib/database.types';
import { errorMessage } from '@/lib/errors';

export const COMMENT_MAX = 2000;

const ConnectSchema = z.object({
  email: z
    .string()
    .trim()
    .max(320, 'Keep the email under 320 characters')
    .refine((v) => v === '' || z.email().safeParse(v).success, 'Enter an email address like name@example.org'),
  phone: z.string().trim().max(40, 'Keep the phone number under 40 characters'),
  preferred_contact: z.enum(Constants.public.Enums.contact_preference),
  comment: z.string().trim().max(COMMENT_MAX, `Keep the comment under ${COMMENT_MAX} characters`),
  from: z.string(),
  consent: z.boolean().refine((v) => v, 'The person must agree before their details are shared'),
});

export type ConnectValues = z.infer<typeof ConnectSchema>;

export type ConnectOrg = { value: string; label: string };

export type ConnectFormProps = {
  seekerName: string;
  programName: string;
  defaultValues: Pick<ConnectValues, 'email' | 'phone' | 'preferred_contact'>;
  /**
   * Whether I may change the contact details (the seeker's own organisation
   * may; staff who see them through a referral may not): read-only otherwise.
   */
  contactEditable?: boolean;
  /** Organisations I can refer from; a select appears when there are several. */
  organisations: ConnectOrg[];
  onSubmit: (values: ConnectValues) => Promise<unknown>;
  onCancel: () => void;
  /** The program's waitlist band ("about 2 weeks"), shown before sending. */
  waitlistBand?: string | null;
};

const CONTACT_OPTIONS = [
  { value: 'email', label: 'Email' },
  { value: 'text', label: 'Text message' },
  { value: 'phone', label: 'Phone call (no messages to them)' },
  { value: 'none', label: "Don't reach out" },
];

/** The Connect form: contact details from the profile, a comment, where I refer from, consent. */
export function ConnectForm({
  seekerName,
  programName,
  defaultValues,
  contactEditable = true,
  organisations,
  onSubmit,
  onCancel,
  waitlistBand,
}: ConnectFormProps) {
  const [serverError, setServerError] = useState<string | null>(null);
  const form = useForm<ConnectValues>({
    resolver: zodResolver(ConnectSchema),
    defaultValues: { ...defaultValues, comment: '', from: organisations[0]?.value ?? '', consent: false },
  });
  const { errors, isSubmitting } = form.formState;

  return (
    <form
      noValidate
      aria-label={`Connect ${seekerName} with ${programName}`}
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
        <Text size="sm">
          Refer <strong>{seekerName}</strong> to <strong>{programName}</strong>. The program will see these contact
          details.
        </Text>
        {waitlistBand !== undefined && (
          <Alert color="yellow" variant="light" title={`${programName} has a waitlist`}>
            {waitlistBand
              ? `The wait is ${waitlistBand}. Let ${seekerName} know before you send the referral.`
              : `Let ${seekerName} know there may be a wait.`}
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
          <TextInput
            label="Email"
            type="email"
            readOnly={!contactEditable}
            {...form.register('email')}
            error={errors.email?.message}
          />
          <TextInput
            label="Phone"
            type="tel"
            readOnly={!contactEditable}
            {...form.register('phone')}
            error={errors.phone?.message}
          />
        </SimpleGrid>
        <Controller
          control={form.control}
          name="preferred_contact"
          render={({ field }) => (
            <NativeSelect label="Preferred contact" data={CONTACT_OPTIONS} disabled={!contactEditable} {...field} />
          )}
        />
        {!contactEditable && (
          <Text size="sm" c="dimmed">
            Only the organisation that added {seekerName}, or {seekerName} themselves, can change these contact details.
          </Text>
        )}
        <Textarea
          label="Comment for the program"
          description="What they need and anything that helps the program follow up. Included in the notification."
          minRows={3}
          {...form.register('comment')}
          error={errors.comment?.message}
        />
        {organisations.length > 1 && (
          <Controller
            control={form.control}
            name="from"
            render={({ field }) => (
              <NativeSelect
                label="Refer from"
                description="The organisation this referral is made from"
                data={organisations}
                {...field}
              />
            )}
          />
        )}
        <Controller
          control={form.control}
          name="consent"
          render={({ field: { value, onChange, ...field } }) => (
            <Checkbox
              label={`${seekerName} agrees to share their details with ${programName}`}
              checked={value}
              onChange={(e) => onChange(e.currentTarget.checked)}
              error={errors.consent?.message}
              {...field}
            />
          )}
        />
        {serverError && (
          <Alert color="red" role="alert" title="The referral was not made">
            {serverError}
          </Alert>
        )}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={isSubmitting}>
            Send referral
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
