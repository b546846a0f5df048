import type { QueryClient, QueryKey } from '@tanstack/react-query';
import type { ChangePayload } from '@/lib/realtime';
import { referralKeys } from './keys';
import type { ReferralPage } from './list-referrals';
import type { ReferralView } from './select';

type Snapshot = [QueryKey, unknown][];

/** Patch one referral wherever it is cached (detail and every list); returns what to roll back to. */
export function patchReferralEverywhere(qc: QueryClient, id: string, patch: Partial<ReferralView>): Snapshot {
  const snapshot = qc.getQueriesData({ queryKey: referralKeys.all }) as Snapshot;
  for (const [key, data] of snapshot) {
    if (!data || typeof data !== 'object') continue;
    if ('rows' in data) {
      const page = data as ReferralPage;
      if (page.rows.some((r) => r.id === id)) {
        qc.setQueryData<ReferralPage>(key, {
          ...page,
          rows: page.rows.map((r) => (r.id === id ? { ...r, ...patch } : r)),
        });
      }
    } else if ((data as ReferralView).id === id && 'status' in data) {
      qc.setQueryData<ReferralView>(key, { ...(data as ReferralView), ...patch });
    }
  }
  return snapshot;
}

export function restoreSnapshot(qc: QueryClient, snapshot: Snapshot) {
  for (const [key, data] of snapshot) qc.setQueryData(key, data);
}

/**
 * A Realtime UPDATE of a referral carries the new row: show its status (and
 * version, goal, time) everywhere at once; the refetch that follows brings the
 * embeds and history.
 */
export function applyReferralChange(qc: QueryClient, payload: ChangePayload) {
  if (payload.table !== 'referrals' || payload.eventType !== 'UPDATE') return;
  const row = payload.new as Partial<ReferralView>;
  if (!row.id || row.status === undefined) return;
  patchReferralEverywhere(qc, row.id, {
    status: row.status,
    ...(row.status_reason !== undefined ? { status_reason: row.status_reason } : {}),
    ...(row.status_reason_text !== undefined ? { status_reason_text: row.status_reason_text } : {}),
    ...(row.version !== undefined ? { version: row.version } : {}),
    ...(row.updated_at !== undefined ? { updated_at: row.updated_at } : {}),
  });
}
