import { useMutation, useQueryClient } from '@tanstack/react-query';
import { accessError, ConflictError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { referralKeys } from './keys';

export type UpdateGoalInput = { id: string; goalId: string | null; version: number };

/** Adds the referral to a goal, moves it to another, or removes it (goalId null). */
export async function updateReferralGoal({ id, goalId, version }: UpdateGoalInput) {
  const { data, error } = await supabase
    .from('referrals')
    .update({ goal_id: goalId })
    .eq('id', id)
    .eq('version', version)
    .select('id, goal_id, version, updated_at');
  if (error) throw accessError('referral', error);
  if (!data || data.length === 0) throw new ConflictError();
  return data[0]!;
}

export function useUpdateReferralGoal() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: updateReferralGoal,
    onSettled: () => qc.invalidateQueries({ queryKey: referralKeys.all }),
  });
}
