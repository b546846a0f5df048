import { useEffect, useState } from 'react';
import { Button, buttonClass, Notice, SelectField, Spinner, TextField, type Tone } from '@/components/seeker-ui';
import { isLanguage, setSeekerLanguage, useDocumentLanguage, useT } from '@/i18n';
import { Link } from '@/lib/seeker-router';
import { useApplyStatusLink, useStatusLink, type StatusLink } from '../api/status-link';

function Details({ link }: { link: StatusLink }) {
  const { t } = useT('oneClick');
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
    <dl className="details">
      {rows.map(([k, v]) => (
        <div key={k} className="row nowrap baseline">
          <dt className="b">{k}:</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function Outcome({ link }: { link: StatusLink }) {
  const { t } = useT('oneClick');
  const status = link.referral ? t(`common:status.${link.referral.status}`) : '';
  const seeker = link.recipient_kind === 'seeker';
  const content: Record<Exclude<StatusLink['state'], 'ready'>, { title: string; body: string; tone: Tone }> = {
    applied: { title: t('applied', { status }), body: t('appliedBody'), tone: 'green' },
    used: { title: t('usedTitle'), body: t('usedBody', { status }), tone: 'blue' },
    expired: { title: t('expiredTitle'), body: t('expiredBody'), tone: 'orange' },
    superseded: { title: t('supersededTitle'), body: t('supersededBody', { status }), tone: 'blue' },
    address_changed: { title: t('addressChangedTitle'), body: t('addressChangedBody'), tone: 'orange' },
    no_access: { title: t('noAccessTitle'), body: t('noAccessBody'), tone: 'orange' },
    invalid: { title: t('invalidTitle'), body: t('invalidBody'), tone: 'red' },
  };
  const c = content[link.state as Exclude<StatusLink['state'], 'ready'>];
  return (
    <div className="stack">
      <Notice tone={c.tone} title={c.title} role={link.state === 'applied' ? 'status' : 'alert'}>
        {c.body}
      </Notice>
      <Details link={link} />
      {/* the portal is a seeker page (moves in place); staff sign in to the staff app (a page load) */}
      {seeker ? <Link href="/portal">{t('signInSeeker')}</Link> : <a href="/sign-in">{t('signInStaff')}</a>}
    </div>
  );
}

function Body({ token }: { token: string }) {
  const { t } = useT('oneClick');
  const link = useStatusLink(token);
  const [apply, runApply] = useApplyStatusLink(token);
  const [reason, setReason] = useState('');
  const [reasonText, setReasonText] = useState('');
  const [reasonError, setReasonError] = useState(false);
  const data = link.status === 'done' ? link.data : undefined;

  // Speak the recipient's language (a seeker's preference comes with the link).
  useEffect(() => {
    if (isLanguage(data?.language)) setSeekerLanguage(data.language);
  }, [data?.language]);

  if (link.status === 'pending') return <Spinner label={t('checking')} padding="lg" />;
  if (link.status === 'error') {
    return (
      <Notice tone="red" role="alert">
        {t('failed')}
      </Notice>
    );
  }
  // an answer still "ready" refused the reason (the link stays unused): ask again below
  if (apply.status === 'done' && apply.data.state !== 'ready') return <Outcome link={apply.data} />;
  if (link.data.state !== 'ready') return <Outcome link={link.data} />;
  if (link.data.choices) {
    // a text's link: choose the status, then confirm it on that status's own page
    return (
      <div className="stack">
        <Details link={link.data} />
        <p>{t('chooseIntro')}</p>
        {link.data.choices.map((c) => (
          <Link
            key={c.status}
            href={`/r/${c.token}`}
            className={buttonClass({ size: 'md', full: true, variant: 'light' })}
          >
            {t(`common:status.${c.status}`)}
          </Link>
        ))}
      </div>
    );
  }
  const chosen = t(`common:status.${link.data.chosen_status}`);
  const reasons = link.data.reasons ?? [];
  const required = !!link.data.reason_required;
  const refused = reasonError || (apply.status === 'done' && apply.data.state === 'ready' && !!apply.data.error);
  return (
    <div className="stack">
      <Details link={link.data} />
      <div className="row nowrap baseline">
        <span className="b">{t('newStatus')}:</span>
        <span className="bb lg">{chosen}</span>
      </div>
      {reasons.length > 0 && (
        <>
          <SelectField
            label={required ? t('reasonRequired') : t('reasonOptional')}
            required={required}
            value={reason}
            error={refused ? t('reasonNeeded') : undefined}
            onChange={(e) => {
              setReason(e.currentTarget.value);
              setReasonError(false);
            }}
            options={[
              { value: '', label: required ? t('chooseReason') : t('noReason') },
              ...reasons.map((r) => ({ value: r.code, label: r.label })),
            ]}
          />
          {reason && (
            <TextField
              label={t('reasonDetails')}
              maxLength={500}
              value={reasonText}
              onChange={(e) => setReasonText(e.currentTarget.value)}
            />
          )}
        </>
      )}
      <p>{t('confirmIntro')}</p>
      {apply.status === 'error' && (
        <Notice tone="red" role="alert">
          {t('failed')}
        </Notice>
      )}
      <Button
        size="md"
        full
        loading={apply.status === 'pending'}
        onClick={() => {
          if (required && !reason) return setReasonError(true);
          runApply({ reason: reason || null, reasonText });
        }}
      >
        {t('confirm', { status: chosen })}
      </Button>
    </div>
  );
}

/**
 * /r/:token — the page a one-click email button (or a text's link) opens:
 * shows the change, applies it only on Confirm. The frame and heading are the
 * ones seeker.html's static shell paints before any JavaScript.
 */
export function OneClickPage({ token }: { token: string }) {
  const { t } = useT('oneClick');
  useDocumentLanguage();
  return (
    <div className="page">
      <main className="wrap narrow">
        <div className="card">
          <div className="stack">
            <h1 className="h1">{t('title')}</h1>
            {/* a new token is a new page: nothing carries over from the last one */}
            <Body key={token} token={token} />
          </div>
        </div>
      </main>
    </div>
  );
}
