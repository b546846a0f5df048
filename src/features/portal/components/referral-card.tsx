import { useEffect, useRef, useState } from 'react';
import { Anchor, Badge, Blockquote, Button, Group, Paper, Radio, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { needsReason } from '@shared/statuses.ts';
import { UNDO_MS, reasonLabel, reasonsFor, type StatusReason } from '@/features/referrals';
import { telHref } from '@/lib/contact';
import type { MyReferral } from '../api/get-my-referrals';
import { SEEKER_STATUSES, type SeekerStatus } from '../api/update-status';

/** What the seeker's change replaced, for Undo. */
type Before = { status: MyReferral['status']; reason: string | null };

const GROUP_COLOR: Record<string, string> = {
  got_help: 'green',
  couldnt_contact: 'orange',
  not_eligible: 'orange',
  no_capacity: 'orange',
  couldnt_get_help: 'orange',
  no_longer_interested: 'orange',
};

/**
 * One referral: program, status (words and colour) and its reason, the
 * comment, what to do next, and "How did it go?": one tap saves Got help, the
 * other two ask why (optional) and save on Save; Undo stays a few seconds
 * after each change (the emails wait longer, so an undone change sends none).
 */
export function ReferralCard({
  referral,
  reasons,
  onStatus,
  pendingStatus,
}: {
  referral: MyReferral;
  reasons?: StatusReason[];
  /** Saves the change; resolves once it is saved (rejects if refused). */
  onStatus: (status: MyReferral['status'], reason: string | null) => Promise<void>;
  pendingStatus?: string;
}) {
  const { t, i18n } = useTranslation('portal');
  const language = i18n.language === 'es' ? 'es' : 'en';
  const [asking, setAsking] = useState<SeekerStatus | null>(null);
  const [reason, setReason] = useState('');
  const [before, setBefore] = useState<Before | null>(null);
  const [undone, setUndone] = useState(false);
  const fieldsetRef = useRef<HTMLFieldSetElement>(null);

  useEffect(() => {
    if (!before) return;
    const timer = setTimeout(() => setBefore(null), UNDO_MS);
    return () => clearTimeout(timer);
  }, [before]);

  const apply = async (status: MyReferral['status'], why: string | null, undoing = false) => {
    const was: Before = { status: referral.status, reason: referral.status_reason };
    try {
      await onStatus(status, why);
    } catch {
      return; // the page says it failed
    }
    setAsking(null);
    setReason('');
    setBefore(undoing ? null : was);
    setUndone(undoing);
    // keep the keyboard where the person was: on this card's choices
    fieldsetRef.current?.querySelector<HTMLButtonElement>('button[aria-pressed="true"]')?.focus();
  };
  const currentReason = needsReason(referral.status)
    ? reasonLabel(reasons, referral.status, referral.status_reason, language)
    : null;
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
        {referral.program?.response_days && (
          <Text size="sm">{t('usuallyAnswers', { program, count: referral.program.response_days })}</Text>
        )}
        <Group gap="xs">
          <Text fw={600}>{t('statusLabel')}:</Text>
          <Badge color={GROUP_COLOR[referral.status] ?? 'blue'} variant="light" size="lg" radius="sm" tt="none">
            {statusText}
          </Badge>
        </Group>
        {currentReason && (
          <Text size="sm">
            <Text span fw={600}>
              {t('reasonLabel')}:
            </Text>{' '}
            {currentReason}
            {referral.status_reason_text ? ` (${referral.status_reason_text})` : ''}
          </Text>
        )}
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
        <fieldset ref={fieldsetRef} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
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
                  onClick={() => {
                    if (current) return;
                    setBefore(null);
                    setUndone(false);
                    if (needsReason(s)) {
                      setAsking(s);
                      setReason('');
                    } else {
                      setAsking(null);
                      void apply(s, null);
                    }
                  }}
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
        {asking && (
          <form
            aria-label={t(`common:status.${asking}`)}
            onSubmit={(e) => {
              e.preventDefault();
              void apply(asking, reason || null);
            }}
          >
            <Stack gap="xs">
              <Radio.Group label={t('whyLegend')} value={reason} onChange={setReason}>
                <Stack gap={6} mt={6}>
                  {reasonsFor(reasons, asking).map((r) => (
                    <Radio key={r.code} value={r.code} label={language === 'es' ? r.label_es : r.label_en} />
                  ))}
                  <Radio value="" label={t('noReason')} />
                </Stack>
              </Radio.Group>
              <Group gap="xs">
                <Button type="submit" loading={pendingStatus === asking}>
                  {t('save', { status: t(`common:status.${asking}`) })}
                </Button>
                <Button variant="subtle" onClick={() => setAsking(null)}>
                  {t('cancel')}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
        <div role="status" aria-live="polite">
          {before && (
            <Group gap="xs">
              <Text size="sm">{t('statusSaved', { status: statusText })}</Text>
              <Button size="compact-sm" variant="light" onClick={() => void apply(before.status, before.reason, true)}>
                {t('undo')}
              </Button>
            </Group>
          )}
          {!before && undone && <Text size="sm">{t('undone')}</Text>}
        </div>
      </Stack>
    </Paper>
  );
}
