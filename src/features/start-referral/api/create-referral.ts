import { useMutation, useQueryClient } from '@tanstack/react-query';
import { referralKeys } from '@/features/referrals';
import { seekerKeys } from '@/features/seekers';
import { accessError } from '@/lib/errors';
import { supabase, type Tables } from '@/lib/supabase';

export type CreateReferralInput = {
  seekerId: string;
  programId: string;
  /** Seen by the program and the seeker. */
  comment: string;
  /** Seen by the referral's staff only, never by the seeker (referral_program_notes). */
  programNote?: string;
  fromSiteId: string | null;
  fromProgramId: string | null;
  /** Contact details confirmed on the Connect form, saved to the profile when changed. */
  contact?: Pick<Tables<'seekers'>, 'email' | 'phone' | 'preferred_contact'> | null;
};

export async function createReferral({
  seekerId,
  programId,
  comment,
  programNote,
  fromSiteId,
  fromProgramId,
  contact,
}: CreateReferralInput) {
  if (contact) {
    const { error } = await supabase.from('seekers').update(contact).eq('id', seekerId);
    if (error) throw accessError('seeker', error);
  }
  // One transaction: the referral and its note for the program only.
  const { data, error } = await supabase.rpc('create_referral', {
    seeker_id: seekerId,
    program_id: programId,
    comment,
    program_note: programNote?.trim() || undefined,
    from_site_id: fromSiteId ?? undefined,
    from_program_id: fromProgramId ?? undefined,
  });
  if (error) throw accessError('referral', error);
  return { id: data.id };
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
