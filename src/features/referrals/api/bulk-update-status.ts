import { useMutation, useQueryClient } from '@tanstack/react-query';
import { errorMessage } from '@/lib/errors';
import type { ReferralStatus } from '../status';
import { referralKeys } from './keys';
import { updateReferralStatus } from './update-referral-status';

export type BulkTarget = { id: string; version: number; description: string };
export type BulkOutcome = { id: string; description: string; ok: boolean; error?: string };

/**
 * One status (and, for a status that carries one, one reason) for several
 * referrals, each through exactly the path of a single change
 * (updateReferralStatus: the version the person saw, row-level security, the
 * database's reason rule, history, and notifications waiting out the grace
 * period, per referral). One after another, so a refusal or a conflict on one
 * is reported for that one and the others still apply.
 */
export async function bulkUpdateStatus({
  targets,
  status,
  statusReason,
  statusReasonText,
}: {
  targets: BulkTarget[];
  status: ReferralStatus;
  statusReason?: string | null;
  statusReasonText?: string | null;
}): Promise<BulkOutcome[]> {
  const outcomes: BulkOutcome[] = [];
  for (const t of targets) {
    try {
      await updateReferralStatus({ id: t.id, status, version: t.version, statusReason, statusReasonText });
      outcomes.push({ id: t.id, description: t.description, ok: true });
    } catch (e) {
      outcomes.push({ id: t.id, description: t.description, ok: false, error: errorMessage(e) });
    }
  }
  return outcomes;
}

export function useBulkUpdateStatus() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: bulkUpdateStatus,
    onSettled: () => qc.invalidateQueries({ queryKey: referralKeys.all }),
  });
}
