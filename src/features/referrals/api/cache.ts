import type { QueryClient, QueryKey } from '@tanstack/react-query';
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
        qc.setQueryData<ReferralPage>(key, { ...page, rows: page.rows.map((r) => (r.id === id ? { ...r, ...patch } : r)) });
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
