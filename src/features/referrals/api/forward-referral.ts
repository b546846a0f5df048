import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { accessError, ConflictError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { referralKeys } from './keys';

export type ForwardInput = {
  id: string;
  version: number;
  programId: string;
  statusReason: string;
  statusReasonText?: string | null;
  comment: string;
};

/**
 * "Referred elsewhere" and a new referral to another program, in one
 * database call (public.forward_referral): both or neither.
 */
export async function forwardReferral(input: ForwardInput): Promise<string> {
  const { data, error } = await supabase.rpc('forward_referral', {
    p_referral_id: input.id,
    p_version: input.version,
    p_program_id: input.programId,
    p_status_reason: input.statusReason,
    p_status_reason_text: input.statusReasonText?.trim() || undefined,
    p_comment: input.comment,
  });
  if (error) {
    if (error.code === 'PT409') throw new ConflictError();
    throw accessError('referral', error);
  }
  return data;
}

export function useForwardReferral() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: forwardReferral,
    onSettled: () => qc.invalidateQueries({ queryKey: referralKeys.all }),
  });
}

/** Where this referral was forwarded to and from (the other referral's id only when I may open it). */
export async function getReferralForwards(referralId: string) {
  const { data, error } = await supabase.rpc('referral_forwards', { p_referral_id: referralId });
  if (error) throw accessError('referral', error);
  return data;
}

export function useReferralForwards(referralId: string, enabled: boolean) {
  return useQuery({
    queryKey: referralKeys.forwards(referralId),
    queryFn: () => getReferralForwards(referralId),
    enabled,
  });
}
