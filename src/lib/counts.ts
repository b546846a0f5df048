/**
 * Counts of list rows, exact while they are small.
 *
 * Lists and badges ask PostgREST for `count: 'estimated'`: it counts exactly
 * up to the API's `max_rows` (`[api] max_rows` in supabase/config.toml, 1,000)
 * by reading at most one row more, and above that answers with an estimate
 * instead of counting every row. Counting a busy program's 200,000 referrals
 * costs more than the page it sits beside and tells a person nothing a
 * "1,000+" does not, so the screens never show the estimate: past the limit a
 * count is only "more than 1,000".
 */
export const EXACT_COUNT_LIMIT = 1000;

/** A count from PostgREST: exact up to the limit, otherwise `EXACT_COUNT_LIMIT + 1` meaning "more than the limit". */
export function boundedCount(count: number | null | undefined): number {
  return Math.min(count ?? 0, EXACT_COUNT_LIMIT + 1);
}

/** Whether a bounded count stands for "more than the limit". */
export const isOverLimit = (count: number) => count > EXACT_COUNT_LIMIT;

/** "17", "1,000", or "1,000+" past the limit. */
export function formatCount(count: number): string {
  return isOverLimit(count) ? `${EXACT_COUNT_LIMIT.toLocaleString('en-US')}+` : count.toLocaleString('en-US');
}
