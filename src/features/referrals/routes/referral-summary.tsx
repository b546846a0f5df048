import { useCallback, useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { Alert, Button, Container, Divider, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { IconPrinter } from '@tabler/icons-react';
import { isLanguage, translate, type Language } from '@/i18n';
import { useReferralSummary } from '../api/get-summary';

function Row({ label, value }: { label: string; value: string | null | undefined }) {
  return (
    <div>
      <Text fw={700} size="sm">
        {label}
      </Text>
      <Text style={{ whiteSpace: 'pre-wrap' }}>{value}</Text>
    </div>
  );
}

function Summary({ referralId }: { referralId: string }) {
  const summary = useReferralSummary(referralId);
  const [lang, setLang] = useState<Language | null>(null);
  const personLang = summary.data?.seeker?.preferred_language;
  const language: Language = lang ?? (isLanguage(personLang) ? personLang : 'en');
  const t = useCallback(
    (key: string, vars?: Record<string, string>) => translate(language, 'summary', key, vars),
    [language],
  );
  const tc = useCallback((key: string) => translate(language, 'common', key), [language]);

  const s = summary.data;
  useEffect(() => {
    if (s?.program) document.title = `${s.program.name} · ${tc('appName')}`;
    document.documentElement.lang = language;
    return () => {
      document.documentElement.lang = 'en';
    };
  }, [s, language, tc]);

  if (summary.isPending) return <Loader aria-label="Loading" />;
  if (summary.isError || !s) {
    return (
      <Alert color="red" role="alert" title={t('notFound')}>
        {summary.error instanceof Error ? summary.error.message : ''}
      </Alert>
    );
  }
  const program = s.program;
  const org = s.from_site ?? s.from_program;
  const name = [s.seeker?.first_name, s.seeker?.last_name].filter(Boolean).join(' ');
  const date = new Intl.DateTimeFormat(language, { dateStyle: 'long' }).format(new Date(s.created_at));
  const orNot = (v: string | null | undefined) => (v && v.trim() ? v : t('notListed'));

  return (
    <Stack gap="md">
      <Group justify="space-between" className="no-print">
        <Text size="sm" c="dimmed">
          {t('printHint')}
        </Text>
        <Group gap="xs">
          <Button
            variant="default"
            size="xs"
            onClick={() => setLang(language === 'en' ? 'es' : 'en')}
            lang={language === 'en' ? 'es' : 'en'}
          >
            {tc('switchTo')}
          </Button>
          <Button size="xs" leftSection={<IconPrinter size={14} aria-hidden />} onClick={() => window.print()}>
            {t('print')}
          </Button>
        </Group>
      </Group>
      <div>
        <Title order={1}>{t('title', { program: program?.name ?? '' })}</Title>
        <Text>{t('for', { name })}</Text>
        <Text size="sm">{t('made', { date })}</Text>
        <Text size="sm">{t('status', { status: tc(`status.${s.status}`) })}</Text>
      </div>
      <Divider />
      <Title order={2} size="h3">
        {t('program')}: {program?.name}
      </Title>
      <Row label={t('address')} value={orNot([program?.address, program?.zip].filter(Boolean).join(' '))} />
      <Row label={t('phone')} value={orNot(program?.phone)} />
      <Row label={t('hours')} value={orNot(program?.hours)} />
      <Row label={t('bring')} value={orNot(program?.what_to_bring)} />
      {program?.website && <Row label={t('website')} value={program.website} />}
      {s.comment.trim() && <Row label={t('message')} value={s.comment} />}
      <Divider />
      <Title order={2} size="h3">
        {t('referredBy')}
      </Title>
      <Text>{org ? `${s.referred_by_name} · ${org.name}` : s.referred_by_name}</Text>
      {org && (
        <>
          <Text fw={700} size="sm">
            {t('reach')}
          </Text>
          <Row label={t('phone')} value={orNot(org.phone)} />
          {org.email && <Row label={t('email')} value={org.email} />}
          {org.address && <Row label={t('address')} value={org.address} />}
        </>
      )}
    </Stack>
  );
}

/** /referrals/:id/summary: one page to print or hand to the person, in their language. */
export default function ReferralSummaryRoute() {
  const { referralId = '' } = useParams();
  return (
    <Container size="sm" py="lg" component="main">
      <Summary referralId={referralId} />
    </Container>
  );
}
