import { useMutation, useQueryClient } from '@tanstack/react-query';
import { referralKeys } from '@/features/referrals';
import { seekerKeys } from '@/features/seekers';
import { accessError } from '@/lib/errors';
import { supabase, type Tables } from '@/lib/supabase';

export type CreateReferralInput = {
  seekerId: string;
  programId: string;
  comment: string;
  fromSiteId: string | null;
  fromProgramId: string | null;
  /** Contact details confirmed on the Connect form, saved to the profile when changed. */
  contact?: Pick<Tables<'seekers'>, 'email' | 'phone' | 'preferred_contact'> | null;
};

export async function createReferral({
  seekerId,
  programId,
  comment,
  fromSiteId,
  fromProgramId,
  contact,
}: CreateReferralInput) {
  if (contact) {
    const { error } = await supabase.from('seekers').update(contact).eq('id', seekerId);
    if (error) throw accessError('seeker', error);
  }
  const { data, error } = await supabase
    .from('referrals')
    .insert({
      seeker_id: seekerId,
      program_id: programId,
      comment,
      from_site_id: fromSiteId,
      from_program_id: fromProgramId,
    })
    .select('id')
    .single();
  if (error) throw accessError('referral', error);
  return data;
}

export function useCreateReferral() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: createReferral,
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: referralKeys.all }),
        qc.invalidateQueries({ queryKey: seekerKeys.all }),
      ]),
  });
}
