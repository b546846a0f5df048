import { queryOptions, useQuery } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { referralKeys } from './keys';
import { REFERRAL_COLUMNS, SEEKER_EMBED, type ReferralView } from './select';

export async function getReferral(id: string): Promise<ReferralView> {
  const { data, error } = await supabase
    .from('referrals')
    .select(`${REFERRAL_COLUMNS}, ${SEEKER_EMBED}`)
    .eq('id', id)
    .single();
  if (error) throw accessError('referral', error);
  return data as unknown as ReferralView;
}

export const referralQueryOptions = (id: string) =>
  queryOptions({ queryKey: referralKeys.detail(id), queryFn: () => getReferral(id) });

export function useReferral(id: string | null) {
  return useQuery({ ...referralQueryOptions(id ?? ''), enabled: !!id });
}
