/** What the benchmarks share: percentiles, a pause, and a status change made as PostgREST makes it. */
import type pg from 'pg';

/** The p-th percentile (nearest rank) of the samples; NaN when there are none. */
export function percentile(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Changes a referral's status as this user, through the same path a PostgREST
 * request takes (role authenticated, the user's JWT claims), in a transaction of
 * its own; resolves with the wall-clock time at which COMMIT returned.
 */
export async function changeStatusAs(db: pg.Client, userId: string, referralId: string, status: string): Promise<number> {
  await db.query('begin');
  await db.query(`select set_config('request.jwt.claims', $1, true)`, [
    JSON.stringify({ sub: userId, role: 'authenticated' }),
  ]);
  await db.query('set local role authenticated');
  await db.query(`update public.referrals set status = $1 where id = $2`, [status, referralId]);
  await db.query('commit');
  return Date.now();
}

/** Messages leave at once: no grace period for a status change (the product's default holds them a while). */
export async function withoutGracePeriod(db: pg.Client): Promise<void> {
  await db.query('update private.notification_settings set status_change_grace_seconds = 0');
}
