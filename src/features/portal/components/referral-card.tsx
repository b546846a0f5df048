import { Anchor, Badge, Blockquote, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { telHref } from '@/lib/contact';
import type { MyReferral } from '../api/get-my-referrals';
import { SEEKER_STATUSES, type SeekerStatus } from '../api/update-status';

const GROUP_COLOR: Record<string, string> = {
  got_help: 'green',
  couldnt_contact: 'orange',
  not_eligible: 'orange',
  no_capacity: 'orange',
  couldnt_get_help: 'orange',
  no_longer_interested: 'orange',
};

/** One referral: program, status (words and colour), the comment, what to do next, one-tap update. */
export function ReferralCard({
  referral,
  onStatus,
  pendingStatus,
}: {
  referral: MyReferral;
  onStatus: (status: SeekerStatus) => void;
  pendingStatus?: string;
}) {
  const { t, i18n } = useTranslation('portal');
  const program = referral.program?.name ?? '';
  const headingId = `referral-${referral.id}`;
  // The organisation that referred them: its public contact details only.
  const referrer = referral.from_site ?? referral.from_program;
  const statusText = t(`common:status.${referral.status}`);
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'long' }).format(new Date(referral.created_at));

  return (
    <Paper component="article" aria-labelledby={headingId} withBorder radius="md" p="md">
      <Stack gap="sm">
        <Title order={2} size="h3" id={headingId}>
          {program}
        </Title>
        <Text size="sm" c="dimmed">
          {t('referredOn', { date })}
        </Text>
        <Group gap="xs">
          <Text fw={600}>{t('statusLabel')}:</Text>
          <Badge color={GROUP_COLOR[referral.status] ?? 'blue'} variant="light" size="lg" radius="sm" tt="none">
            {statusText}
          </Badge>
        </Group>
        {referral.comment.trim() && (
          <div>
            <Text fw={600} size="sm">
              {t('commentLabel')}
            </Text>
            <Blockquote p="xs" mt={4} color="gray" style={{ whiteSpace: 'pre-wrap' }}>
              {referral.comment}
            </Blockquote>
          </div>
        )}
        <div>
          <Text fw={600} size="sm">
            {t('nextLabel')}
          </Text>
          <Text>{t(`next.${referral.status}`)}</Text>
          {referral.program?.phone && (
            <Anchor href={`tel:${referral.program.phone.replace(/[^0-9+]/g, '')}`} display="block" mt={4}>
              {t('callProgram', { program, phone: referral.program.phone })}
            </Anchor>
          )}
        </div>
        {referrer && (
          <div>
            <Text fw={600} size="sm">
              {t('reachReferrer', { organisation: referrer.name })}
            </Text>
            <Text size="sm">{t('referredBy', { name: referral.referred_by_name, organisation: referrer.name })}</Text>
            {referrer.phone && (
              <Anchor href={telHref(referrer.phone)} display="block">
                {t('callOrganisation', { phone: referrer.phone })}
              </Anchor>
            )}
            {referrer.email && (
              <Anchor href={`mailto:${referrer.email}`} display="block">
                {t('emailOrganisation', { email: referrer.email })}
              </Anchor>
            )}
          </div>
        )}
        <fieldset style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
          <Text component="legend" fw={600} size="sm" mb={6}>
            {t('updateLegend')}
          </Text>
          <Stack gap="xs">
            {SEEKER_STATUSES.map((s) => {
              const current = referral.status === s;
              return (
                <Button
                  key={s}
                  variant={current ? 'filled' : 'outline'}
                  aria-pressed={current}
                  loading={pendingStatus === s}
                  onClick={() => !current && onStatus(s)}
                  fullWidth
                  justify="flex-start"
                >
                  {t(`common:status.${s}`)}
                  {current ? ` ${t('current')}` : ''}
                </Button>
              );
            })}
          </Stack>
        </fieldset>
      </Stack>
    </Paper>
  );
}
