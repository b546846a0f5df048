import { Badge, Button, type Tone } from '@/components/seeker-ui';
import { useT } from '@/i18n';
import { SEEKER_STATUSES, type SeekerStatus } from '@shared/statuses.ts';
import type { MyReferral } from '../api/get-my-referrals';

const GROUP_TONE: Record<string, Tone> = {
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
  const { t, lang } = useT('portal');
  const program = referral.program?.name ?? '';
  const headingId = `referral-${referral.id}`;
  const statusText = t(`common:status.${referral.status}`);
  const date = new Intl.DateTimeFormat(lang, { dateStyle: 'long' }).format(new Date(referral.created_at));

  return (
    <article aria-labelledby={headingId} className="card p-md stack gap-sm">
      <h2 className="h2" id={headingId}>
        {program}
      </h2>
      <p className="sm dim">{t('referredOn', { date })}</p>
      <div className="row gap-xs">
        <span className="b">{t('statusLabel')}:</span>
        <Badge tone={GROUP_TONE[referral.status] ?? 'blue'}>{statusText}</Badge>
      </div>
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
      <fieldset className="plain">
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
                onClick={() => !current && onStatus(s)}
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
    </article>
  );
}
