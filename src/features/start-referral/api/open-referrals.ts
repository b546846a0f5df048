import { queryOptions, useQuery } from '@tanstack/react-query';
import { referralKeys, statusesOfGroup } from '@/features/referrals';
import { accessError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';

/**
 * The seeker's referrals still in progress that I can see, by program: Start
 * a Referral marks those programs "Already referred". Only what the referrals
 * policy shows me (a referral another organisation keeps to itself is not
 * revealed by this).
 */
export async function getOpenReferrals(seekerId: string) {
  const { data, error } = await supabase
    .from('referrals')
    .select('id, program_id, status, created_at')
    .eq('seeker_id', seekerId)
    .in('status', [...statusesOfGroup('in_progress')])
    .order('created_at', { ascending: false });
  if (error) throw accessError('referrals', error);
  return data;
}

export type OpenReferral = Awaited<ReturnType<typeof getOpenReferrals>>[number];

export function useOpenReferrals(seekerId: string) {
  return useQuery(
    queryOptions({
      queryKey: referralKeys.openForSeeker(seekerId),
      queryFn: () => getOpenReferrals(seekerId),
    }),
  );
}
