import { queryOptions, useQuery } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase, type QueryData } from '@/lib/supabase';
import { referralKeys } from './keys';

const selectClaimers = (programId: string) =>
  supabase
    .from('program_members')
    .select('user_id, profile:profiles!program_members_user_id_fkey(first_name, last_name)')
    .eq('program_id', programId);

export type ProgramClaimer = QueryData<ReturnType<typeof selectClaimers>>[number];

/**
 * The claimers of a program, to assign its referrals to. The memberships
 * policy shows a program's claimers only to its own claimers (anyone else
 * sees at most their own row), so "am I in this list" is "may I assign".
 */
export async function getProgramClaimers(programId: string): Promise<ProgramClaimer[]> {
  const { data, error } = await selectClaimers(programId);
  if (error) throw accessError('referral', error);
  return data;
}

export const programClaimersQueryOptions = (programId: string) =>
  queryOptions({
    queryKey: referralKeys.claimers(programId),
    queryFn: () => getProgramClaimers(programId),
    staleTime: 5 * 60_000,
  });

export function useProgramClaimers(programId: string | undefined) {
  return useQuery({ ...programClaimersQueryOptions(programId ?? ''), enabled: !!programId });
}
