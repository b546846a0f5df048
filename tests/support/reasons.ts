/**
 * Staff give a reason with the six statuses that carry one (not eligible, no
 * capacity, couldn't contact, couldn't get help, no longer interested,
 * referred elsewhere); the database refuses the change otherwise. Tests that
 * are about something else send the reason "other", which each of them has.
 */
export const STATUSES_WITH_REASON = [
  'not_eligible',
  'no_capacity',
  'couldnt_contact',
  'couldnt_get_help',
  'no_longer_interested',
  'referred_elsewhere',
] as const;

/** `{ status }` plus `status_reason: 'other'` when the status needs a reason. */
export function withReason<S extends string>(status: S): { status: S; status_reason?: string } {
  return (STATUSES_WITH_REASON as readonly string[]).includes(status) ? { status, status_reason: 'other' } : { status };
}
