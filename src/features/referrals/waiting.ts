import dayjs from 'dayjs';

/**
 * How long a person has been waiting on a referral, in whole days since it was
 * made: "Waiting 3 days" (today: "Waiting since today").
 *
 * The one place the worklist decides what "waiting" says. Whether the
 * program is late is the response clocks' (response-clock.ts): the table's
 * Response column shows Overdue and Due today beside it.
 */
export function waitingDays(r: { created_at: string }, now: Date = new Date()): number {
  return Math.max(0, dayjs(now).startOf('day').diff(dayjs(r.created_at).startOf('day'), 'day'));
}

export function waitingLabel(r: { created_at: string }, now: Date = new Date()): string {
  const days = waitingDays(r, now);
  if (days === 0) return 'Waiting since today';
  return `Waiting ${days} day${days === 1 ? '' : 's'}`;
}
