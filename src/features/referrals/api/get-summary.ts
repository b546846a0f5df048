import { queryOptions, useQuery } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase, type QueryData } from '@/lib/supabase';
import { referralKeys } from './keys';

/**
 * What the printable summary for the client shows: the program and how to get
 * there, the message to the client, who referred them and how to reach that
 * organisation (its public phone, email and address; never the referrer's own
 * contact details, and never the note for the program only).
 */
const selectSummary = () =>
  supabase
    .from('referrals')
    .select(
      'id, status, comment, created_at, referred_by_name, program:programs!referrals_program_id_fkey(name, address, zip, phone, website, hours, what_to_bring), from_site:sites!referrals_from_site_id_fkey(name, phone, email, address), from_program:programs!referrals_from_program_id_fkey(name, phone, email, address), seeker:seekers!referrals_seeker_id_fkey(first_name, last_name, preferred_language)',
    );

export type ReferralSummary = QueryData<ReturnType<typeof selectSummary>>[number];

export async function getReferralSummary(id: string): Promise<ReferralSummary> {
  const { data, error } = await selectSummary().eq('id', id).single();
  if (error) throw accessError('referral', error);
  return data;
}

export function useReferralSummary(id: string) {
  return useQuery(queryOptions({ queryKey: referralKeys.summary(id), queryFn: () => getReferralSummary(id) }));
}
