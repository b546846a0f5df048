import { queryOptions, useQuery } from '@tanstack/react-query';
import { boundedCount } from '@/lib/counts';
import { accessError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { referralKeys } from './keys';
import { countNotUpdated } from './list-referrals';
import { REFERRAL_COLUMNS, SEEKER_EMBED, type ReferralView } from './select';

/** Past this many, the navigation says "99+". */
export const COUNT_CAP = 99;

/** My referrals that someone else changed since I last looked (changed_referrals), most recent first. */
export async function listChanged(max = 50): Promise<ReferralView[]> {
  const { data, error } = await supabase
    .rpc('changed_referrals', { max_results: max })
    .select(`${REFERRAL_COLUMNS}, ${SEEKER_EMBED}`)
    .order('updated_at', { ascending: false })
    .order('id', { ascending: false });
  if (error) throw accessError('referrals', error);
  return data ?? [];
}

export async function countChanged(): Promise<number> {
  const { count, error } = await supabase.rpc(
    'changed_referrals',
    { max_results: COUNT_CAP + 1 },
    { count: 'exact', head: true },
  );
  if (error) throw accessError('referrals', error);
  return count ?? 0;
}

export function useChanged(enabled = true) {
  return useQuery({
    ...queryOptions({ queryKey: referralKeys.changedList(), queryFn: () => listChanged() }),
    enabled,
  });
}

/**
 * How many referrals to my programs still wait for the program's answer
 * (Needs a response: responded_at empty), the overdue ones among them.
 */
export async function countNeedsResponse(programIds: string[]): Promise<number> {
  const { count, error } = await supabase
    .from('referrals')
    .select('id', { count: 'estimated', head: true })
    .in('program_id', programIds)
    .is('responded_at', null);
  if (error) throw accessError('referrals', error);
  return boundedCount(count);
}

/**
 * The counts beside the navigation: inbound referrals not updated yet and
 * waiting for an answer (my programs), and my referrals changed since I last
 * looked.
 */
export function useNavCounts({ programIds, enabled }: { programIds: string[]; enabled: boolean }) {
  const inbound = useQuery({
    queryKey: referralKeys.count({ scope: 'inbound', programIds }),
    queryFn: () => countNotUpdated({ scope: 'inbound', programIds }),
    enabled: enabled && programIds.length > 0,
  });
  const needsResponse = useQuery({
    queryKey: referralKeys.needsResponseCount({ scope: 'inbound', programIds }),
    queryFn: () => countNeedsResponse(programIds),
    enabled: enabled && programIds.length > 0,
  });
  const changed = useQuery({
    queryKey: referralKeys.changedCount(),
    queryFn: countChanged,
    enabled,
  });
  return { notUpdated: inbound.data, needsResponse: needsResponse.data, changed: changed.data };
}
