import { useMutation, useQuery } from '@tanstack/react-query';
import { supabase, type Enums } from '@/lib/supabase';
import { oneClickKeys } from './keys';

export type LinkState =
  'ready' | 'applied' | 'used' | 'expired' | 'superseded' | 'address_changed' | 'no_access' | 'invalid';

export type StatusLink = {
  state: LinkState;
  chosen_status?: Enums<'referral_status'>;
  used_status?: Enums<'referral_status'> | null;
  recipient_kind?: Enums<'notification_recipient_kind'>;
  language?: Enums<'language_code'>;
  /** The reasons offered with the chosen status, in the recipient's language (empty for a status without reasons). */
  reasons?: { code: string; label: string }[];
  /** Staff choose a reason for a status that carries one; a seeker may. */
  reason_required?: boolean;
  /** Set when Confirm was refused for the reason (the link stays unused). */
  error?: 'reason_required' | 'unknown_reason' | 'reason_too_long';
  /** A text's link names no status: the statuses to choose, each with the status link that applies it. */
  choices?: { status: Enums<'referral_status'>; token: string }[];
  /** Absent for address_changed, no_access and invalid: the link no longer speaks for its recipient. */
  referral?: {
    id: string;
    status: Enums<'referral_status'>;
    comment: string;
    program_name: string;
    seeker_first_name: string;
    status_reason?: { code: string; label: string | null; text: string | null } | null;
  } | null;
};

export type ApplyReason = { reason?: string | null; reasonText?: string | null };

async function callStatusLink(token: string, action: 'inspect' | 'apply', why: ApplyReason = {}): Promise<StatusLink> {
  const body = {
    token,
    action,
    ...(why.reason
      ? { reason: why.reason, ...(why.reasonText?.trim() ? { reason_text: why.reasonText.trim() } : {}) }
      : {}),
  };
  const { data, error } = await supabase.functions.invoke<StatusLink>('apply-status-link', { body });
  if (error) throw error;
  if (!data?.state) throw new Error('Unexpected answer');
  return data;
}

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
  return useMutation({ mutationFn: (why: ApplyReason) => callStatusLink(token, 'apply', why) });
}
