import { useState } from 'react';
import { Alert, Button, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSendPortalSignInLink } from '../api/send-sign-in-link';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Magic-link sign-in only: seekers never have a password. */
export function PortalSignIn() {
  const { t } = useTranslation('portal');
  const send = useSendPortalSignInLink();
  const [email, setEmail] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const value = email.trim();
    if (!EMAIL.test(value)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    send.mutate(value, { onSuccess: () => setSentTo(value) });
  };

  return (
    <Paper withBorder p="lg" radius="md">
      <Stack gap="md">
        <Title order={1} size="h2">
          {t('signInTitle')}
        </Title>
        {sentTo ? (
          <Alert color="green" title={t('linkSent')} role="status">
            {t('linkSentBody', { email: sentTo })}
          </Alert>
        ) : (
          <form onSubmit={submit} noValidate>
            <Stack gap="md">
              <Text>{t('signInIntro')}</Text>
              <TextInput
                label={t('email')}
                type="email"
                autoComplete="email"
                inputMode="email"
                required
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
                error={invalid ? t('emailInvalid') : undefined}
              />
              {send.isError && (
                <Alert color="red" role="alert">
                  {t('sendFailed')}
                </Alert>
              )}
              <Button type="submit" loading={send.isPending} fullWidth>
                {t('sendLink')}
              </Button>
            </Stack>
          </form>
        )}
      </Stack>
    </Paper>
  );
}
