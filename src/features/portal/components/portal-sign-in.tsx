import { useState } from 'react';
import { Alert, Anchor, Button, Paper, SegmentedControl, Stack, Text, TextInput, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSendPortalSignInLink } from '../api/send-sign-in-link';
import { toE164, useSendPortalCode, useVerifyPortalCode } from '../api/phone-sign-in';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A code texted to the seeker's phone, then typed in: for seekers without an email they read. */
function PhoneSignIn() {
  const { t } = useTranslation('portal');
  const send = useSendPortalCode();
  const verify = useVerifyPortalCode();
  const [phone, setPhone] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [invalid, setInvalid] = useState(false);

  const sendCode = (e?: React.FormEvent) => {
    e?.preventDefault();
    const number = sentTo ?? toE164(phone);
    if (!number) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    verify.reset();
    send.mutate(number, { onSuccess: () => setSentTo(number) });
  };
  const signIn = (e: React.FormEvent) => {
    e.preventDefault();
    if (!/^[0-9]{6}$/.test(code.trim())) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    verify.mutate({ phone: sentTo!, token: code.trim() });
  };
  const problem = verify.error ?? send.error;

  if (!sentTo) {
    return (
      <form onSubmit={sendCode} noValidate>
        <Stack gap="md">
          <Text>{t('phoneIntro')}</Text>
          <TextInput
            label={t('phone')}
            type="tel"
            autoComplete="tel"
            inputMode="tel"
            required
            value={phone}
            onChange={(e) => {
              setPhone(e.currentTarget.value);
              setInvalid(false);
            }}
            error={invalid ? t('phoneInvalid') : undefined}
          />
          {problem && (
            <Alert color="red" role="alert">
              {problem === 'wait' ? t('codeWait') : t('codeFailed')}
            </Alert>
          )}
          <Button type="submit" loading={send.isPending} fullWidth>
            {t('sendCode')}
          </Button>
        </Stack>
      </form>
    );
  }
  return (
    <form onSubmit={signIn} noValidate>
      <Stack gap="md">
        <Alert color="green" role="status">
          {t('codeSent', { phone: sentTo })}
        </Alert>
        <TextInput
          label={t('code')}
          autoComplete="one-time-code"
          inputMode="numeric"
          maxLength={6}
          required
          value={code}
          onChange={(e) => {
            setCode(e.currentTarget.value);
            setInvalid(false);
          }}
          error={invalid ? t('codeInvalid') : undefined}
        />
        {problem && (
          <Alert color="red" role="alert">
            {problem === 'wrong' ? t('codeWrong') : problem === 'wait' ? t('codeWait') : t('codeFailed')}
          </Alert>
        )}
        <Button type="submit" loading={verify.isPending} fullWidth>
          {t('verifyCode')}
        </Button>
        <Button variant="subtle" onClick={() => sendCode()} loading={send.isPending}>
          {t('newCode')}
        </Button>
        <Anchor
          component="button"
          type="button"
          onClick={() => {
            setSentTo(null);
            setCode('');
            send.reset();
            verify.reset();
          }}
        >
          {t('otherNumber')}
        </Anchor>
      </Stack>
    </form>
  );
}

/** Seekers never have a password: a link by email, or a code by text. */
export function PortalSignIn() {
  const { t } = useTranslation('portal');
  const [method, setMethod] = useState<'email' | 'text'>('email');
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
        <SegmentedControl
          fullWidth
          aria-label={t('howToSignIn')}
          value={method}
          onChange={(v) => setMethod(v as 'email' | 'text')}
          data={[
            { value: 'email', label: t('byEmail') },
            { value: 'text', label: t('byText') },
          ]}
        />
        {method === 'text' ? (
          <PhoneSignIn />
        ) : sentTo ? (
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
