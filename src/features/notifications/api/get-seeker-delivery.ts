import { queryOptions, useQuery } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase, type Enums, type Tables } from '@/lib/supabase';
import { useLiveQueries } from '@/lib/realtime';
import { notificationKeys } from './keys';

export type SeekerDelivery = {
  firstName: string;
  preferredContact: Enums<'contact_preference'>;
  latest: Pick<
    Tables<'notification_jobs'>,
    'channel' | 'state' | 'tries' | 'last_error' | 'created_at' | 'sent_at'
  > | null;
};

/** How the seeker was (or was not) told about the referral's latest news (RLS: staff on the referral). */
export async function getSeekerDelivery(referralId: string): Promise<SeekerDelivery | null> {
  const [ref, job] = await Promise.all([
    supabase
      .from('referrals')
      .select('seeker:seekers!referrals_seeker_id_fkey(first_name, preferred_contact)')
      .eq('id', referralId)
      .maybeSingle(),
    supabase
      .from('notification_jobs')
      .select('channel, state, tries, last_error, created_at, sent_at')
      .eq('referral_id', referralId)
      .eq('recipient_kind', 'seeker')
      .order('created_at', { ascending: false })
      .limit(1)
      .maybeSingle(),
  ]);
  if (ref.error) throw accessError('referral', ref.error);
  if (job.error) throw accessError('referral', job.error);
  const seeker = ref.data?.seeker;
  if (!seeker) return null;
  return { firstName: seeker.first_name, preferredContact: seeker.preferred_contact, latest: job.data };
}

export function useSeekerDelivery(referralId: string) {
  useLiveQueries(
    'seeker-delivery',
    [{ table: 'referrals', filter: `id=eq.${referralId}`, event: 'UPDATE' }],
    [notificationKeys.seekerDelivery(referralId)],
  );
  return useQuery({
    ...queryOptions({
      queryKey: notificationKeys.seekerDelivery(referralId),
      queryFn: () => getSeekerDelivery(referralId),
    }),
    // while a message is on its way, look again until it has an outcome
    refetchInterval: (q) => {
      const s = q.state.data?.latest?.state;
      return s === 'pending' || s === 'sending' ? 3000 : false;
    },
  });
}
