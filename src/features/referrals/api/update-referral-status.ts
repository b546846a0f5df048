import { useMutation, useQueryClient } from '@tanstack/react-query';
import { accessError, ConflictError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { needsReason, type ReferralStatus } from '../status';
import { patchReferralEverywhere, restoreSnapshot } from './cache';
import { referralKeys } from './keys';

export type UpdateStatusInput = {
  id: string;
  status: ReferralStatus;
  version: number;
  /** A code of public.status_reasons for this status: required from staff for the statuses that carry one. */
  statusReason?: string | null;
  statusReasonText?: string | null;
};

/**
 * Changes the status only if nobody changed the referral since we read it
 * (`version`); zero rows updated means someone else was first.
 */
export async function updateReferralStatus({ id, status, version, statusReason, statusReasonText }: UpdateStatusInput) {
  const { data, error } = await supabase
    .from('referrals')
    .update({
      status,
      status_reason: needsReason(status) ? (statusReason ?? null) : null,
      status_reason_text: needsReason(status) && statusReason ? statusReasonText?.trim() || null : null,
    })
    .eq('id', id)
    .eq('version', version)
    .select('id, status, status_reason, status_reason_text, version, updated_at');
  if (error) throw accessError('referral', error);
  if (!data || data.length === 0) throw new ConflictError();
  return data[0]!;
}

/** Optimistic: the new status shows at once, and is rolled back with a message if refused. */
export function useUpdateReferralStatus() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: updateReferralStatus,
    onMutate: async (input) => {
      await qc.cancelQueries({ queryKey: referralKeys.all });
      return {
        snapshot: patchReferralEverywhere(qc, input.id, {
          status: input.status,
          status_reason: needsReason(input.status) ? (input.statusReason ?? null) : null,
          status_reason_text: needsReason(input.status) ? input.statusReasonText?.trim() || null : null,
        }),
      };
    },
    onError: (_error, _input, context) => {
      if (context) restoreSnapshot(qc, context.snapshot);
    },
    onSuccess: (row) => {
      patchReferralEverywhere(qc, row.id, row);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: referralKeys.all }),
  });
}
