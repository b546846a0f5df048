import { queryOptions, useQuery } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { referralKeys } from './keys';
import { selectReferralViews, type ReferralView } from './select';

export async function getReferral(id: string): Promise<ReferralView> {
  const { data, error } = await selectReferralViews().eq('id', id).single();
  if (error) throw accessError('referral', error);
  return data;
}

export const referralQueryOptions = (id: string) =>
  queryOptions({ queryKey: referralKeys.detail(id), queryFn: () => getReferral(id) });

export function useReferral(id: string | null) {
  return useQuery({ ...referralQueryOptions(id ?? ''), enabled: !!id });
}
