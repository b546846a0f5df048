import { useEffect, useRef, useState } from 'react';
import { Badge, Button, RadioGroup, type Tone } from '@/components/seeker-ui';
import { useT } from '@/i18n';
import { telHref } from '@/lib/contact';
import { UNDO_MS, reasonLabel, reasonsFor, type StatusReason } from '@/lib/status-reasons';
import { needsReason } from '@shared/statuses.ts';
import type { MyReferral } from '../api/get-my-referrals';
import { SEEKER_STATUSES, type SeekerStatus } from '../api/update-status';

/** What the seeker's change replaced, for Undo. */
type Before = { status: MyReferral['status']; reason: string | null };

const GROUP_TONE: Record<string, Tone> = {
  got_help: 'green',
  couldnt_contact: 'orange',
  not_eligible: 'orange',
  no_capacity: 'orange',
  couldnt_get_help: 'orange',
  no_longer_interested: 'orange',
};

/**
 * One referral: program, status (words and colour) and its reason, the
 * comment, what to do next, how to reach the organisation that referred them,
 * and "How did it go?": one tap saves Got help, the other two ask why
 * (optional) and save on Save; Undo stays a few seconds after each change (the
 * emails wait longer, so an undone change sends none).
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
  const { t, lang } = useT('portal');
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
    ? reasonLabel(reasons, referral.status, referral.status_reason, lang)
    : null;
  const program = referral.program?.name ?? '';
  const headingId = `referral-${referral.id}`;
  // The organisation that referred them: its public contact details only.
  const referrer = referral.from_site ?? referral.from_program;
  const statusText = t(`common:status.${referral.status}`);
  const date = new Intl.DateTimeFormat(lang, { dateStyle: 'long' }).format(new Date(referral.created_at));
  const days = referral.program?.response_days;

  return (
    <article aria-labelledby={headingId} className="card p-md stack gap-sm">
      <h2 className="h2" id={headingId}>
        {program}
      </h2>
      <p className="sm dim">{t('referredOn', { date })}</p>
      {days ? (
        <p className="sm">
          {t(days === 1 ? 'usuallyAnswers_one' : 'usuallyAnswers_other', { program, count: String(days) })}
        </p>
      ) : null}
      <div className="row gap-xs">
        <span className="b">{t('statusLabel')}:</span>
        <Badge tone={GROUP_TONE[referral.status] ?? 'blue'}>{statusText}</Badge>
      </div>
      {currentReason && (
        <p className="sm">
          <span className="b">{t('reasonLabel')}:</span> {currentReason}
          {referral.status_reason_text ? ` (${referral.status_reason_text})` : ''}
        </p>
      )}
      {referral.comment.trim() && (
        <div>
          <p className="b sm">{t('commentLabel')}</p>
          <blockquote className="quote">{referral.comment}</blockquote>
        </div>
      )}
      <div>
        <p className="b sm">{t('nextLabel')}</p>
        <p>{t(`next.${referral.status}`)}</p>
        {referral.program?.phone && (
          <a href={`tel:${referral.program.phone.replace(/[^0-9+]/g, '')}`} className="block">
            {t('callProgram', { program, phone: referral.program.phone })}
          </a>
        )}
      </div>
      {referrer && (
        <div>
          <p className="b sm">{t('reachReferrer', { organisation: referrer.name })}</p>
          <p className="sm">{t('referredBy', { name: referral.referred_by_name, organisation: referrer.name })}</p>
          {referrer.phone && (
            <a href={telHref(referrer.phone)} className="block">
              {t('callOrganisation', { phone: referrer.phone })}
            </a>
          )}
          {referrer.email && (
            <a href={`mailto:${referrer.email}`} className="block">
              {t('emailOrganisation', { email: referrer.email })}
            </a>
          )}
        </div>
      )}
      <fieldset ref={fieldsetRef} className="plain">
        <legend className="b sm">{t('updateLegend')}</legend>
        <div className="stack gap-xs">
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
                full
                start
              >
                {t(`common:status.${s}`)}
                {current ? ` ${t('current')}` : ''}
              </Button>
            );
          })}
        </div>
      </fieldset>
      {asking && (
        <form
          aria-label={t(`common:status.${asking}`)}
          className="stack gap-xs"
          onSubmit={(e) => {
            e.preventDefault();
            void apply(asking, reason || null);
          }}
        >
          <RadioGroup
            legend={t('whyLegend')}
            value={reason}
            onChange={setReason}
            options={[
              ...reasonsFor(reasons, asking).map((r) => ({
                value: r.code,
                label: lang === 'es' ? r.label_es : r.label_en,
              })),
              { value: '', label: t('noReason') },
            ]}
          />
          <div className="row gap-xs">
            <Button type="submit" loading={pendingStatus === asking}>
              {t('save', { status: t(`common:status.${asking}`) })}
            </Button>
            <Button variant="subtle" onClick={() => setAsking(null)}>
              {t('cancel')}
            </Button>
          </div>
        </form>
      )}
      <div role="status" aria-live="polite">
        {before && (
          <div className="row gap-xs">
            <span className="sm">{t('statusSaved', { status: statusText })}</span>
            <Button size="compact" variant="light" onClick={() => void apply(before.status, before.reason, true)}>
              {t('undo')}
            </Button>
          </div>
        )}
        {!before && undone && <p className="sm">{t('undone')}</p>}
      </div>
    </article>
  );
}
