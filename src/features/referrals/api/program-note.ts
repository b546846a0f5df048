import { queryOptions, useQuery } from '@tanstack/react-query';
import { supabase } from '@/lib/supabase';
import { referralKeys } from './keys';

/**
 * The note for the program only, written with the referral. Its staff read it;
 * for anyone else (the seeker) row-level security returns no row.
 */
export async function getProgramNote(referralId: string) {
  const { data, error } = await supabase
    .from('referral_program_notes')
    .select('body, created_at')
    .eq('referral_id', referralId)
    .maybeSingle();
  if (error) throw error;
  return data;
}

export function useProgramNote(referralId: string, enabled: boolean) {
  return useQuery({
    ...queryOptions({
      queryKey: referralKeys.programNote(referralId),
      queryFn: () => getProgramNote(referralId),
    }),
    enabled,
  });
}
