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
import { contactProblem, defaultContact } from '@/lib/contact';
import { Constants } from '@/lib/database.types';
import { errorMessage } from '@/lib/errors';

export const COMMENT_MAX = 2000;
export const PROGRAM_NOTE_MAX = 2000;

const ConnectSchema = z
  .object({
    email: z
      .string()
      .trim()
      .max(320, 'Keep the email under 320 characters')
      .refine((v) => v === '' || z.email().safeParse(v).success, 'Enter an email address like name@example.org'),
    phone: z.string().trim().max(40, 'Keep the phone number under 40 characters'),
    preferred_contact: z.enum(Constants.public.Enums.contact_preference),
    comment: z.string().trim().max(COMMENT_MAX, `Keep the message under ${COMMENT_MAX} characters`),
    program_note: z.string().trim().max(PROGRAM_NOTE_MAX, `Keep the note under ${PROGRAM_NOTE_MAX} characters`),
    from: z.string(),
    consent: z.boolean().refine((v) => v, 'The person must agree before their details are shared'),
  })
  .superRefine((v, ctx) => {
    const problem = contactProblem(v.preferred_contact, v.email, v.phone);
    if (problem) ctx.addIssue({ code: 'custom', path: ['preferred_contact'], message: problem });
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
  /** Which of them is chosen at first (the one I act for); the first one otherwise. */
  defaultFrom?: string;
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
  defaultFrom,
  onSubmit,
  onCancel,
  waitlistBand,
}: ConnectFormProps) {
  const [serverError, setServerError] = useState<string | null>(null);
  const from =
    defaultFrom && organisations.some((o) => o.value === defaultFrom) ? defaultFrom : (organisations[0]?.value ?? '');
  // A preference without its address (never stored now) starts at one that has it.
  const preferred =
    contactProblem(defaultValues.preferred_contact, defaultValues.email, defaultValues.phone) === null
      ? defaultValues.preferred_contact
      : defaultContact(defaultValues.email, defaultValues.phone);
  const form = useForm<ConnectValues>({
    resolver: zodResolver(ConnectSchema),
    defaultValues: {
      ...defaultValues,
      preferred_contact: preferred,
      comment: '',
      program_note: '',
      from,
      consent: false,
    },
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
            <NativeSelect
              label="Preferred contact"
              data={CONTACT_OPTIONS}
              disabled={!contactEditable}
              {...field}
              error={errors.preferred_contact?.message}
            />
          )}
        />
        {!contactEditable && (
          <Text size="sm" c="dimmed">
            Only the organisation that added {seekerName}, or {seekerName} themselves, can change these contact details.
          </Text>
        )}
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
        <Textarea
          label="Message to the program and the client"
          description={`What they need. ${seekerName} sees this message too, on their referrals page and in their emails.`}
          minRows={3}
          {...form.register('comment')}
          error={errors.comment?.message}
        />
        <Textarea
          label="Note for the program only"
          description={`For the program's staff: never shown to ${seekerName} and never in their emails.`}
          minRows={2}
          {...form.register('program_note')}
          error={errors.program_note?.message}
        />
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
