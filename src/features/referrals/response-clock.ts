/**
 * Where a referral stands against its program's response time
 * (referrals.response_due_at / responded_at, set by the database):
 * answered, overdue (past due, no answer), due today (in the program's time
 * zone) or not due yet.
 */
export type ResponseState = 'answered' | 'overdue' | 'due_today' | 'due_later';

type Clocked = {
  response_due_at: string;
  responded_at: string | null;
  program?: { time_zone?: string | null } | null;
};

/** The calendar day of a moment in a time zone, as YYYY-MM-DD. */
function dayIn(at: Date, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  } catch {
    return at.toISOString().slice(0, 10);
  }
}

export function responseState(r: Clocked, now: Date = new Date()): ResponseState {
  if (r.responded_at) return 'answered';
  const due = new Date(r.response_due_at);
  if (due.getTime() <= now.getTime()) return 'overdue';
  const zone = r.program?.time_zone || 'UTC';
  return dayIn(due, zone) === dayIn(now, zone) ? 'due_today' : 'due_later';
}

/** "Tue 8 Dec, 15:00 CST" in the program's time zone (the zone where the business days are counted). */
export function formatDue(r: Clocked): string {
  const at = new Date(r.response_due_at);
  const timeZone = r.program?.time_zone || 'UTC';
  try {
    const when = new Intl.DateTimeFormat('en-GB', {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
    }).format(at);
    const zone = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
    return zone ? `${when} ${zone}` : when;
  } catch {
    return at.toUTCString();
  }
}
