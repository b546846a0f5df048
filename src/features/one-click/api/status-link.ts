import { useMutation, useQuery } from '@tanstack/react-query';
import { supabase } from '@/lib/supabase';

export type LinkState =
  'ready' | 'applied' | 'used' | 'expired' | 'superseded' | 'address_changed' | 'no_access' | 'invalid';

export type StatusLink = {
  state: LinkState;
  chosen_status?: string;
  used_status?: string | null;
  recipient_kind?: 'seeker' | 'program' | 'helper';
  language?: 'en' | 'es';
  /** Absent for address_changed, no_access and invalid: the link no longer speaks for its recipient. */
  referral?: { id: string; status: string; comment: string; program_name: string; seeker_first_name: string } | null;
};

async function callStatusLink(token: string, action: 'inspect' | 'apply'): Promise<StatusLink> {
  const { data, error } = await supabase.functions.invoke<StatusLink>('apply-status-link', { body: { token, action } });
  if (error) throw error;
  if (!data?.state) throw new Error('Unexpected answer');
  return data;
}

export const oneClickKeys = {
  all: ['one-click'] as const,
  link: (token: string) => [...oneClickKeys.all, token] as const,
};

/** What the link would do. Reading it changes nothing (mail scanners open links too). */
export function useStatusLink(token: string) {
  return useQuery({
    queryKey: oneClickKeys.link(token),
    queryFn: () => callStatusLink(token, 'inspect'),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    retry: 1,
  });
}

/** Applies it: only ever on the person's Confirm. */
export function useApplyStatusLink(token: string) {
  return useMutation({ mutationFn: () => callStatusLink(token, 'apply') });
}
