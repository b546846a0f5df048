import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { Alert, Button, PasswordInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';

const PasswordSchema = z.object({
  email: z.email('Enter your email address'),
  password: z.string().min(1, 'Enter your password'),
});
const LinkSchema = z.object({ email: z.email('Enter your email address') });

export type SignInFormProps = {
  onPassword: (values: z.infer<typeof PasswordSchema>) => Promise<unknown>;
  onMagicLink: (values: z.infer<typeof LinkSchema>) => Promise<unknown>;
  /** A message from the server, already in plain words. */
  error?: string | null;
};

/** Sign in with a password, or ask for a one-time link by email. */
export function SignInForm({ onPassword, onMagicLink, error }: SignInFormProps) {
  const [mode, setMode] = useState<'password' | 'link'>('password');
  const [linkSentTo, setLinkSentTo] = useState<string | null>(null);

  const passwordForm = useForm({
    resolver: zodResolver(PasswordSchema),
    defaultValues: { email: '', password: '' },
  });
  const linkForm = useForm({ resolver: zodResolver(LinkSchema), defaultValues: { email: '' } });

  return (
    <Stack gap="md">
      <SegmentedControl
        aria-label="How to sign in"
        value={mode}
        onChange={(v) => setMode(v as 'password' | 'link')}
        data={[
          { value: 'password', label: 'Use a password' },
          { value: 'link', label: 'Email me a link' },
        ]}
        fullWidth
      />
      {error && (
        <Alert color="red" role="alert" title="Could not sign in">
          {error}
        </Alert>
      )}
      {mode === 'password' ? (
        <form noValidate onSubmit={passwordForm.handleSubmit(async (v) => onPassword(v).catch(() => undefined))}>
          <Stack gap="sm">
            <TextInput
              label="Email"
              type="email"
              autoComplete="email"
              required
              {...passwordForm.register('email')}
              error={passwordForm.formState.errors.email?.message}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              {...passwordForm.register('password')}
              error={passwordForm.formState.errors.password?.message}
            />
            <Button type="submit" loading={passwordForm.formState.isSubmitting}>
              Sign in
            </Button>
          </Stack>
        </form>
      ) : linkSentTo ? (
        <Alert color="green" role="status" title="Check your email">
          We sent a sign-in link to {linkSentTo}. Open it on this device to continue.
        </Alert>
      ) : (
        <form
          noValidate
          onSubmit={linkForm.handleSubmit(async (v) => {
            try {
              await onMagicLink(v);
              setLinkSentTo(v.email);
            } catch {
              /* the error prop shows what went wrong */
            }
          })}
        >
          <Stack gap="sm">
            <TextInput
              label="Email"
              type="email"
              autoComplete="email"
              required
              {...linkForm.register('email')}
              error={linkForm.formState.errors.email?.message}
            />
            <Text size="sm" c="dimmed">
              We will email you a link that signs you in. No password needed.
            </Text>
            <Button type="submit" loading={linkForm.formState.isSubmitting}>
              Email me a sign-in link
            </Button>
          </Stack>
        </form>
      )}
    </Stack>
  );
}
