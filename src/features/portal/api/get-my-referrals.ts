import { queryOptions, useQuery } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase, type QueryData } from '@/lib/supabase';
import { useLiveQueries } from '@/lib/realtime';
import { portalKeys } from './keys';

const selectMyReferrals = () =>
  supabase
    .from('referrals')
    .select(
      'id, status, status_reason, status_reason_text, forwarded_from, comment, created_at, referred_by_name, program:programs!referrals_program_id_fkey(id, name, phone, address, website, response_days), from_site:sites!referrals_from_site_id_fkey(name, phone, email), from_program:programs!referrals_from_program_id_fkey(name, phone, email)',
    );

export type MyReferral = QueryData<ReturnType<typeof selectMyReferrals>>[number];

/**
 * The seeker's own referrals, newest first, with how to reach the organisation that referred them (its
 * public phone and email). Staff notes and the note for the program only are never selected (and RLS
 * hides both from the seeker).
 */
export async function getMyReferrals(seekerId: string): Promise<MyReferral[]> {
  const { data, error } = await selectMyReferrals().eq('seeker_id', seekerId).order('created_at', { ascending: false });
  if (error) throw accessError('referrals', error);
  return data;
}

export const myReferralsQueryOptions = (seekerId: string) =>
  queryOptions({ queryKey: portalKeys.referrals(seekerId), queryFn: () => getMyReferrals(seekerId) });

export function useMyReferrals(seekerId: string) {
  // A status changed by the program or a helper shows up without a reload.
  useLiveQueries(
    'portal-referrals',
    [{ table: 'referrals', filter: `seeker_id=eq.${seekerId}` }],
    [portalKeys.referrals(seekerId)],
  );
  return useQuery(myReferralsQueryOptions(seekerId));
}
