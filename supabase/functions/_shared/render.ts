// Renders a claimed notification job (public.claim_notification_jobs) into an
// email (subject, plain text, HTML) or a text message, in the recipient's
// language. Pure functions: no Deno APIs, so Node tests import them too.
import { STATUS_LABELS, WORDS, statusLabel, type ContactField, type Language } from './messages.ts';
import { countSegments, foldToGsm7 } from './segments.ts';

export interface OneClickLink {
  status: string;
  token: string;
}

export interface ClaimedJob {
  id: string;
  idempotency_key: string;
  tries: number;
  max_tries: number;
  /**
   * contact_changed: a seeker's contact details changed, told at the previous address (no referral).
   * reminder / escalation: the referral passed its response time (to the program) or twice it (to
   * the referrer) unanswered; assigned: a claimer assigned it to the recipient.
   */
  event: 'created' | 'status_changed' | 'contact_changed' | 'reminder' | 'escalation' | 'assigned';
  from_status: string | null;
  /** empty for contact_changed */
  to_status: string | null;
  current_status: string | null;
  actor_display_name: string;
  actor_organization: string | null;
  actor_is_seeker: boolean;
  recipient_kind: 'seeker' | 'program' | 'helper';
  recipient_name: string;
  channel: 'email' | 'sms';
  address: string | null;
  language: Language;
  /** empty for contact_changed */
  referral: {
    id: string;
    comment: string;
    created_at: string;
    program_name: string;
    program_phone: string | null;
    seeker_id: string;
    seeker_first_name: string;
    /** the reason given with the change, in the recipient's language (while the referral is still in that status) */
    status_reason?: { code: string; label: string | null; text: string | null } | null;
    /** the referral this one was forwarded to (a claimer marked it "Referred elsewhere" and sent the person on) */
    forwarded_to?: { program_name: string; program_phone: string | null } | null;
    /** the referral this one was forwarded from */
    forwarded_from?: { program_name: string } | null;
    /** When the program was due to answer, its target in business days and its time zone. */
    response_due_at?: string;
    response_days?: number;
    program_time_zone?: string;
    assigned_to_name?: string;
    /** staff recipients only: the note for the program (never in a seeker's message) */
    program_note?: string | null;
    /** program recipients only: how to reach the person (none for "don't reach out") */
    seeker_contact?: {
      name: string;
      email: string | null;
      phone: string | null;
      preferred_contact: 'email' | 'text' | 'phone' | 'none';
    } | null;
  } | null;
  links: OneClickLink[];
  /** contact_changed only: which details changed. */
  contact_change?: { fields: ContactField[]; changed_at: string; seeker_id: string } | null;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The referral of a referral notification (created, status_changed). */
function referralOf(job: ClaimedJob): NonNullable<ClaimedJob['referral']> {
  if (!job.referral) throw new Error(`job ${job.id} (${job.event}) has no referral`);
  return job.referral;
}

function lang(job: ClaimedJob): Language {
  return job.language === 'es' ? 'es' : 'en';
}

/** Who acted, as the recipient should read it. */
function actorLabel(job: ClaimedJob, forSeeker: boolean): string {
  const name = job.actor_display_name || 'Someone';
  if (job.actor_is_seeker) return name;
  if (forSeeker) return job.actor_organization || name;
  return job.actor_organization ? `${name} (${job.actor_organization})` : name;
}

/** Where the recipient sees the referral in the app. */
export function referralUrl(job: ClaimedJob, siteUrl: string): string {
  const base = siteUrl.replace(/\/+$/, '');
  const id = encodeURIComponent(referralOf(job).id);
  if (job.recipient_kind === 'seeker') return `${base}/portal`;
  if (job.recipient_kind === 'program') return `${base}/inbound?referral=${id}`;
  return `${base}/referrals?referral=${id}`;
}

/** Start a Referral for the referral's seeker (the escalation's way forward). */
export function startReferralUrl(job: ClaimedJob, siteUrl: string): string {
  return `${siteUrl.replace(/\/+$/, '')}/people/${encodeURIComponent(referralOf(job).seeker_id)}/refer`;
}

/** A due time as the recipient reads it, in the program's time zone: "Tuesday, December 8, 2026 at 3:00 PM (CST)". */
export function formatDue(job: ClaimedJob): string {
  const r = referralOf(job);
  if (!r.response_due_at) return '';
  const at = new Date(r.response_due_at);
  const zone = r.program_time_zone || 'UTC';
  try {
    const when = new Intl.DateTimeFormat(WORDS[lang(job)].locale, {
      dateStyle: 'full',
      timeStyle: 'short',
      timeZone: zone,
    }).format(at);
    const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
    return name ? `${when} (${name})` : when;
  } catch {
    return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  }
}

/** The paragraph a response-clock or assignment message adds under its headline. */
function clockLines(job: ClaimedJob): string[] {
  const w = WORDS[lang(job)];
  const r = referralOf(job);
  const days = r.response_days ?? 2;
  if (job.event === 'reminder') return [w.reminderWhat(formatDue(job), r.program_name, days), w.reminderAsk];
  if (job.event === 'escalation')
    return [w.escalationWhat(r.program_name, days, 2 * days), w.escalationAsk(r.seeker_first_name)];
  if (job.event === 'assigned') return [w.assignedWhat];
  return [];
}

export function oneClickUrl(token: string, siteUrl: string): string {
  return `${siteUrl.replace(/\/+$/, '')}/r/${encodeURIComponent(token)}`;
}

/** A change of the seeker's contact details, in one sentence. */
function contactChangedHeadline(job: ClaimedJob): string {
  const w = WORDS[lang(job)];
  const fields = w.joinFields((job.contact_change?.fields ?? []).map((f) => w.contactField[f] ?? f));
  return job.actor_is_seeker ? w.contactChangedBySelf(fields) : w.contactChangedBy(actorLabel(job, false), fields);
}

/** The program a change to "Referred elsewhere" sent the person on to, if it did. */
function forwardedTo(job: ClaimedJob): string | null {
  if (job.event !== 'status_changed' || job.to_status !== 'referred_elsewhere') return null;
  return referralOf(job).forwarded_to?.program_name ?? null;
}

/** "Income above the limit: over the limit for two" (the label alone, or the words alone when the label is unknown). */
export function reasonText(job: ClaimedJob): string | null {
  const r = job.referral?.status_reason;
  if (!r || job.event !== 'status_changed') return null;
  const label = r.label || r.code;
  return r.text ? `${label}: ${r.text}` : label;
}

/** The one sentence saying what happened; also the seeker's subject. */
export function headline(job: ClaimedJob): string {
  if (job.event === 'contact_changed') return contactChangedHeadline(job);
  const l = lang(job);
  const w = WORDS[l];
  const status = statusLabel(l, job.to_status ?? '');
  const { program_name: program, seeker_first_name: seeker } = referralOf(job);
  const onTo = forwardedTo(job);
  if (onTo) {
    return job.recipient_kind === 'seeker'
      ? w.seekerForwarded(actorLabel(job, true), onTo)
      : w.staffForwarded(actorLabel(job, false), seeker, program, onTo);
  }
  if (job.event === 'reminder') return w.reminderHeadline(seeker, program);
  if (job.event === 'escalation') return w.escalationHeadline(seeker, program);
  if (job.event === 'assigned') return w.assignedHeadline(actorLabel(job, false), seeker, program);
  if (job.recipient_kind === 'seeker') {
    const who = actorLabel(job, true);
    return job.event === 'created' ? w.seekerCreated(who, program) : w.seekerStatusChanged(who, status);
  }
  const who = actorLabel(job, false);
  if (job.event === 'status_changed' && job.actor_is_seeker) return w.staffSeekerChanged(who, program, status);
  return job.event === 'created'
    ? w.staffCreated(who, seeker, program)
    : w.staffStatusChanged(who, seeker, program, status);
}

export function subject(job: ClaimedJob): string {
  const l = lang(job);
  const w = WORDS[l];
  if (job.event === 'contact_changed') return w.contactChangedSubject;
  if (job.recipient_kind === 'seeker') return headline(job);
  const { program_name: program, seeker_first_name: seeker } = referralOf(job);
  const onTo = forwardedTo(job);
  if (onTo) return w.staffForwardedSubject(seeker, program, onTo);
  if (job.event === 'reminder') return w.reminderSubject(seeker, program);
  if (job.event === 'escalation') return w.escalationSubject(seeker, program);
  if (job.event === 'assigned') return w.assignedSubject(seeker, program);
  return job.event === 'created'
    ? w.staffCreatedSubject(seeker, program)
    : w.staffStatusSubject(seeker, program, statusLabel(l, job.to_status ?? ''));
}

/** The email to a seeker's previous address after a change of contact details: no referral, no buttons. */
function renderContactChangedEmail(job: ClaimedJob, siteUrl: string): RenderedEmail {
  const l = lang(job);
  const w = WORDS[l];
  const what = headline(job);
  const url = `${siteUrl.replace(/\/+$/, '')}/portal`;
  const text = [
    w.hello(job.recipient_name),
    '',
    `${what}.`,
    '',
    w.contactChangedWhat,
    '',
    w.contactChangedIfNot,
    `${w.openPortal}: ${url}`,
    '',
    '--',
    w.contactChangedFooter,
    '',
  ].join('\n');
  const html = `<!doctype html>
<html lang="${l}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(w.contactChangedSubject)}</title></head>
<body style="margin:0;padding:0;background:#f3f4f6;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#111827">
<div style="max-width:600px;margin:0 auto;padding:24px 16px">
<div style="background:#ffffff;border-radius:8px;padding:24px">
<p style="margin:0 0 16px">${escapeHtml(w.hello(job.recipient_name))}</p>
<h1 style="font-size:20px;line-height:1.3;margin:0 0 16px">${escapeHtml(what)}</h1>
<p style="margin:0 0 16px">${escapeHtml(w.contactChangedWhat)}</p>
<p style="margin:0 0 16px">${escapeHtml(w.contactChangedIfNot)}</p>
<p style="margin:0"><a href="${escapeHtml(url)}" style="color:#1d4ed8">${escapeHtml(w.openPortal)}</a></p>
</div>
<p style="font-size:13px;color:#374151;margin:16px 0 0">${escapeHtml(w.contactChangedFooter)}</p>
</div>
</body>
</html>
`;
  return { subject: w.contactChangedSubject, text, html };
}

export function renderEmail(job: ClaimedJob, siteUrl: string): RenderedEmail {
  if (job.event === 'contact_changed') return renderContactChangedEmail(job, siteUrl);
  const l = lang(job);
  const w = WORDS[l];
  const what = headline(job);
  const status = statusLabel(l, job.to_status ?? '');
  const comment = referralOf(job).comment.trim();
  const url = referralUrl(job, siteUrl);
  const buttons = job.links
    .filter((link) => link.status in STATUS_LABELS[l])
    .map((link) => ({ label: statusLabel(l, link.status), href: oneClickUrl(link.token, siteUrl) }));
  const footer = job.recipient_kind === 'seeker' ? w.seekerFooter : w.staffFooter;
  const reason = reasonText(job);
  const onTo = forwardedTo(job);
  const from = job.event === 'created' ? (referralOf(job).forwarded_from?.program_name ?? null) : null;
  // rows after the status: why, and where the person was sent on to (or came from)
  const extra: [string, string][] = [
    ...(reason ? [[w.reason, reason] as [string, string]] : []),
    ...(onTo ? [[w.forwardedTo, onTo] as [string, string]] : []),
    ...(from ? [[w.forwardedFrom, from] as [string, string]] : []),
  ];
  const clock = clockLines(job);
  const start =
    job.event === 'escalation'
      ? { label: w.startReferral(referralOf(job).seeker_first_name), href: startReferralUrl(job, siteUrl) }
      : null;
  // Staff only (the database sends neither to a seeker; checked again here).
  const staff = job.recipient_kind !== 'seeker';
  const programNote = staff ? (referralOf(job).program_note ?? '').trim() : '';
  const contact = job.recipient_kind === 'program' ? referralOf(job).seeker_contact : null;
  const contactRows: [string, string][] = contact
    ? [
        [w.person, contact.name],
        [w.phone, contact.phone || w.none],
        [w.email, contact.email || w.none],
        [w.bestWay, w.bestWays[contact.preferred_contact]],
      ]
    : [];
  const extraRows: [string, string][] = [
    ...contactRows,
    ...(programNote ? [[w.programNote, programNote] as [string, string]] : []),
  ];

  const text = [
    w.hello(job.recipient_name),
    '',
    `${what}.`,
    ...(clock.length ? ['', ...clock] : []),
    ...(start ? ['', `${start.label}: ${start.href}`] : []),
    '',
    `${w.program}: ${referralOf(job).program_name}`,
    `${w.seeker}: ${referralOf(job).seeker_first_name}`,
    `${w.status}: ${status}`,
    ...extra.map(([k, v]) => `${k}: ${v}`),
    `${w.comment}: ${comment || w.noComment}`,
    ...extraRows.map(([k, v]) => `${k}: ${v}`),
    '',
    `${w.open}: ${url}`,
    ...(buttons.length
      ? ['', w.oneClickIntro, ...buttons.map((b) => `- ${b.label}: ${b.href}`), '', w.oneClickNote]
      : []),
    '',
    '--',
    footer,
    '',
  ].join('\n');

  const row = (label: string, value: string) =>
    `<tr><th scope="row" style="text-align:left;padding:4px 12px 4px 0;color:#374151;font-weight:600;vertical-align:top">${escapeHtml(label)}</th>` +
    `<td style="padding:4px 0;color:#111827">${escapeHtml(value)}</td></tr>`;
  const buttonHtml = buttons
    .map(
      (b) =>
        `<a href="${escapeHtml(b.href)}" style="display:inline-block;margin:0 8px 8px 0;padding:10px 16px;border-radius:6px;` +
        `background:#1d4ed8;color:#ffffff;text-decoration:none;font-weight:600">${escapeHtml(b.label)}</a>`,
    )
    .join('');

  const html = `<!doctype html>
<html lang="${l}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject(job))}</title></head>
<body style="margin:0;padding:0;background:#f3f4f6;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#111827">
<div style="max-width:600px;margin:0 auto;padding:24px 16px">
<div style="background:#ffffff;border-radius:8px;padding:24px">
<p style="margin:0 0 16px">${escapeHtml(w.hello(job.recipient_name))}</p>
<h1 style="font-size:20px;line-height:1.3;margin:0 0 16px">${escapeHtml(what)}</h1>
${clock.map((line) => `<p style="margin:0 0 16px">${escapeHtml(line)}</p>`).join('\n')}
${start ? `<p style="margin:0 0 16px"><a href="${escapeHtml(start.href)}" style="display:inline-block;padding:10px 16px;border-radius:6px;background:#1d4ed8;color:#ffffff;text-decoration:none;font-weight:600">${escapeHtml(start.label)}</a></p>` : ''}
<table role="presentation" style="border-collapse:collapse;margin:0 0 16px">
${row(w.program, referralOf(job).program_name)}
${row(w.seeker, referralOf(job).seeker_first_name)}
${row(w.status, status)}
${extra.map(([k, v]) => row(k, v)).join('\n')}
${row(w.comment, comment || w.noComment)}
${extraRows.map(([k, v]) => row(k, v)).join('\n')}
</table>
<p style="margin:0 0 24px"><a href="${escapeHtml(url)}" style="color:#1d4ed8">${escapeHtml(w.open)}</a></p>
${buttons.length ? `<p style="margin:0 0 8px;font-weight:600">${escapeHtml(w.oneClickIntro)}</p><div>${buttonHtml}</div><p style="margin:8px 0 0;font-size:14px;color:#374151">${escapeHtml(w.oneClickNote)}</p>` : ''}
</div>
<p style="font-size:13px;color:#374151;margin:16px 0 0">${escapeHtml(footer)}</p>
</div>
</body>
</html>
`;
  return { subject: subject(job), text, html };
}

/** At most this many segments per text (a longer one costs more and may arrive in pieces). */
export const MAX_SMS_SEGMENTS = 2;

/**
 * A text message: what happened (with the reason of a status change), one link, and the opt-out line. The link is
 * the text's one-click page (`choiceToken`, where the seeker sees the referral
 * and chooses its new status) or else their referrals page. At most
 * MAX_SMS_SEGMENTS segments: when the recipient's language needs UCS-2 (e.g.
 * Spanish accents) and that would take more, the text is folded to GSM-7
 * (á → a); if it is still too long, the headline is shortened, never the link
 * or the opt-out line.
 */
export function renderSms(job: ClaimedJob, siteUrl: string, choiceToken?: string | null): string {
  const w = WORDS[lang(job)];
  let what: string;
  let tail: string;
  if (job.event === 'contact_changed') {
    what = `${headline(job)}.`;
    tail = `${w.contactChangedIfNot}\n${w.smsOptOut}`;
  } else {
    // the reason given with the change, as the email gives it (shortened first when too long)
    const reason = reasonText(job);
    what = reason ? `${headline(job)}. ${w.reason}: ${reason}.` : `${headline(job)}.`;
    const url = choiceToken ? oneClickUrl(choiceToken, siteUrl) : referralUrl(job, siteUrl);
    tail = `${choiceToken ? w.smsChoose(url) : w.smsSeeMore(url)}\n${w.smsOptOut}`;
  }
  const fits = (t: string) => countSegments(t).segments <= MAX_SMS_SEGMENTS;
  let text = `${what} ${tail}`;
  if (fits(text)) return text;
  text = foldToGsm7(text);
  if (fits(text)) return text;
  const foldedTail = foldToGsm7(tail);
  let head = foldToGsm7(what);
  while (head.length > 1 && !fits(`${head}... ${foldedTail}`)) head = head.slice(0, -1);
  return fits(`${head}... ${foldedTail}`) ? `${head.trimEnd()}... ${foldedTail}` : foldedTail;
}
