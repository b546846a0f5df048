import { queryOptions, useQuery } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { referralKeys } from './keys';

/** The referral's history, newest first. */
export async function getReferralEvents(referralId: string) {
  const { data, error } = await supabase
    .from('referral_events')
    .select(
      'id, event_type, from_status, to_status, status_reason, status_reason_text, actor_display_name, actor_organization, from_goal_title, to_goal_title, assignee_name, created_at',
    )
    .eq('referral_id', referralId)
    .order('created_at', { ascending: false })
    .order('id', { ascending: false });
  if (error) throw accessError('referral', error);
  return data;
}

export const referralEventsQueryOptions = (referralId: string) =>
  queryOptions({ queryKey: referralKeys.events(referralId), queryFn: () => getReferralEvents(referralId) });

export function useReferralEvents(referralId: string | null) {
  return useQuery({ ...referralEventsQueryOptions(referralId ?? ''), enabled: !!referralId });
}
