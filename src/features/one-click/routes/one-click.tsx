import { useEffect, useState } from 'react';
import {
  Alert,
  Anchor,
  Box,
  Button,
  Center,
  Container,
  Group,
  Loader,
  NativeSelect,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useParams, Link } from 'react-router-dom';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { isLanguage, seekerI18n, setSeekerLanguage, useDocumentLanguage } from '@/i18n';
import { useApplyStatusLink, useStatusLink, type StatusLink } from '../api/status-link';

function Details({ link }: { link: StatusLink }) {
  const { t } = useTranslation('oneClick');
  if (!link.referral) return null;
  const rows: [string, string][] = [
    [t('program'), link.referral.program_name],
    [t('for'), link.referral.seeker_first_name],
    [t('currentStatus'), t(`common:status.${link.referral.status}`)],
    ...(link.referral.status_reason?.label
      ? [
          [
            t('reason'),
            link.referral.status_reason.text
              ? `${link.referral.status_reason.label}: ${link.referral.status_reason.text}`
              : link.referral.status_reason.label,
          ] as [string, string],
        ]
      : []),
    ...(link.referral.comment.trim() ? [[t('comment'), link.referral.comment] as [string, string]] : []),
  ];
  return (
    <Box component="dl" m={0}>
      {rows.map(([k, v]) => (
        <Group key={k} gap="xs" wrap="nowrap" align="baseline">
          <Text component="dt" fw={600} style={{ flexShrink: 0 }}>
            {k}:
          </Text>
          <Text component="dd" m={0} style={{ overflowWrap: 'anywhere' }}>
            {v}
          </Text>
        </Group>
      ))}
    </Box>
  );
}

function Outcome({ link }: { link: StatusLink }) {
  const { t } = useTranslation('oneClick');
  const status = link.referral ? t(`common:status.${link.referral.status}`) : '';
  const signInHref = link.recipient_kind === 'seeker' ? '/portal' : '/sign-in';
  const signInText = link.recipient_kind === 'seeker' ? t('signInSeeker') : t('signInStaff');
  const content: Record<Exclude<StatusLink['state'], 'ready'>, { title: string; body: string; color: string }> = {
    applied: { title: t('applied', { status }), body: t('appliedBody'), color: 'green' },
    used: { title: t('usedTitle'), body: t('usedBody', { status }), color: 'blue' },
    expired: { title: t('expiredTitle'), body: t('expiredBody'), color: 'orange' },
    superseded: { title: t('supersededTitle'), body: t('supersededBody', { status }), color: 'blue' },
    address_changed: { title: t('addressChangedTitle'), body: t('addressChangedBody'), color: 'orange' },
    no_access: { title: t('noAccessTitle'), body: t('noAccessBody'), color: 'orange' },
    invalid: { title: t('invalidTitle'), body: t('invalidBody'), color: 'red' },
  };
  const c = content[link.state as Exclude<StatusLink['state'], 'ready'>];
  return (
    <Stack gap="md">
      <Alert color={c.color} title={c.title} role={link.state === 'applied' ? 'status' : 'alert'}>
        {c.body}
      </Alert>
      <Details link={link} />
      <Anchor component={Link} to={signInHref}>
        {signInText}
      </Anchor>
    </Stack>
  );
}

function OneClick({ token }: { token: string }) {
  const { t } = useTranslation('oneClick');
  useDocumentLanguage();
  const link = useStatusLink(token);
  const apply = useApplyStatusLink(token);
  const [reason, setReason] = useState('');
  const [reasonText, setReasonText] = useState('');
  const [reasonError, setReasonError] = useState(false);

  // Speak the recipient's language (a seeker's preference comes with the link).
  useEffect(() => {
    if (isLanguage(link.data?.language)) setSeekerLanguage(link.data.language);
  }, [link.data?.language]);

  let body: React.ReactNode;
  if (link.isPending) {
    body = (
      <Center py="lg" aria-busy="true">
        <Loader aria-label={t('checking')} />
      </Center>
    );
  } else if (link.isError) {
    body = (
      <Alert color="red" role="alert">
        {t('failed')}
      </Alert>
    );
  } else if (apply.data && apply.data.state !== 'ready') {
    body = <Outcome link={apply.data} />;
  } else if (link.data.state !== 'ready') {
    body = <Outcome link={link.data} />;
  } else if (link.data.choices) {
    // a text's link: choose the status, then confirm it on that status's own page
    body = (
      <Stack gap="md">
        <Details link={link.data} />
        <Text>{t('chooseIntro')}</Text>
        {link.data.choices.map((c) => (
          <Button key={c.status} component={Link} to={`/r/${c.token}`} size="md" fullWidth variant="light">
            {t(`common:status.${c.status}`)}
          </Button>
        ))}
      </Stack>
    );
  } else {
    const chosen = t(`common:status.${link.data.chosen_status}`);
    const reasons = link.data.reasons ?? [];
    const required = !!link.data.reason_required;
    const refused = reasonError || (apply.data?.state === 'ready' && !!apply.data.error);
    body = (
      <Stack gap="md">
        <Details link={link.data} />
        <Group gap="xs" wrap="nowrap" align="baseline">
          <Text fw={600}>{t('newStatus')}:</Text>
          <Text fw={700} size="lg">
            {chosen}
          </Text>
        </Group>
        {reasons.length > 0 && (
          <>
            <NativeSelect
              label={required ? t('reasonRequired') : t('reasonOptional')}
              required={required}
              value={reason}
              error={refused ? t('reasonNeeded') : undefined}
              onChange={(e) => {
                setReason(e.currentTarget.value);
                setReasonError(false);
              }}
              data={[
                { value: '', label: required ? t('chooseReason') : t('noReason') },
                ...reasons.map((r) => ({ value: r.code, label: r.label })),
              ]}
            />
            {reason && (
              <TextInput
                label={t('reasonDetails')}
                maxLength={500}
                value={reasonText}
                onChange={(e) => setReasonText(e.currentTarget.value)}
              />
            )}
          </>
        )}
        <Text>{t('confirmIntro')}</Text>
        {apply.isError && (
          <Alert color="red" role="alert">
            {t('failed')}
          </Alert>
        )}
        <Button
          size="md"
          fullWidth
          loading={apply.isPending}
          onClick={() => {
            if (required && !reason) return setReasonError(true);
            apply.mutate({ reason: reason || null, reasonText });
          }}
        >
          {t('confirm', { status: chosen })}
        </Button>
      </Stack>
    );
  }

  return (
    <Box mih="100vh" bg="gray.0">
      <Container component="main" size={560} px="md" py="xl">
        <Paper withBorder radius="md" p="lg">
          <Stack gap="md">
            <Title order={1} size="h2">
              {t('title')}
            </Title>
            {body}
          </Stack>
        </Paper>
      </Container>
    </Box>
  );
}

/** /r/:token — the page a one-click email button opens: shows the change, applies it only on Confirm. */
export default function OneClickRoute() {
  const { token = '' } = useParams();
  return (
    <I18nextProvider i18n={seekerI18n}>
      <OneClick token={token} />
    </I18nextProvider>
  );
}
