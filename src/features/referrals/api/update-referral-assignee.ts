import { useMutation, useQueryClient } from '@tanstack/react-query';
import { accessError, ConflictError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { referralKeys } from './keys';

export type UpdateAssigneeInput = { id: string; assignedTo: string | null; version: number };

/**
 * Assigns the referral to a claimer of its program (or to nobody). The
 * database allows it only from a claimer of that program, and only to one.
 */
export async function updateReferralAssignee({ id, assignedTo, version }: UpdateAssigneeInput) {
  const { data, error } = await supabase
    .from('referrals')
    .update({ assigned_to: assignedTo })
    .eq('id', id)
    .eq('version', version)
    .select('id, assigned_to, assigned_to_name, version, updated_at');
  if (error) throw accessError('referral', error);
  if (!data || data.length === 0) throw new ConflictError();
  return data[0]!;
}

export function useUpdateReferralAssignee() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: updateReferralAssignee,
    onSettled: () => qc.invalidateQueries({ queryKey: referralKeys.all }),
  });
}
