import { useEffect, useState } from 'react';
import type { Enums } from '@/lib/database.types';
import { env } from '@/lib/env';

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

/**
 * POSTs to the apply-status-link edge function, as `supabase.functions.invoke`
 * would, without loading supabase-js: the token is the credential (the
 * function has verify_jwt off), and the anon key goes as `?apikey=`, which the
 * gateway accepts as Kong's key-auth does. A body without a JSON content type
 * and no custom headers make it a simple cross-origin request, so the browser
 * sends it without a preflight round trip.
 */
export type ApplyReason = { reason?: string | null; reasonText?: string | null };

export async function callStatusLink(
  token: string,
  action: 'inspect' | 'apply',
  why: ApplyReason = {},
): Promise<StatusLink> {
  const body = {
    token,
    action,
    ...(why.reason
      ? { reason: why.reason, ...(why.reasonText?.trim() ? { reason_text: why.reasonText.trim() } : {}) }
      : {}),
  };
  const url = `${env.supabaseUrl}/functions/v1/apply-status-link?apikey=${encodeURIComponent(env.supabaseAnonKey)}`;
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`apply-status-link answered ${res.status}`);
  const data = (await res.json()) as StatusLink | null;
  if (!data?.state) throw new Error('Unexpected answer');
  return data;
}

/** What seeker.html's inline script asked already, while the page's JavaScript was loading. */
type EarlyAnswer = { token: string; answer: Promise<StatusLink>; value?: StatusLink };

declare global {
  interface Window {
    __statusLink?: EarlyAnswer;
  }
}

/** The early answer for `token` (once: a later visit to the same link asks again). */
function takeEarly(token: string): EarlyAnswer | undefined {
  const early = window.__statusLink;
  if (early?.token !== token) return undefined;
  window.__statusLink = undefined;
  return early;
}

/** The early answer for `token` if it has already arrived (read before the first render). */
export function earlyStatusLink(token: string): StatusLink | undefined {
  const early = window.__statusLink;
  return early?.token === token ? early.value : undefined;
}

type Load = { status: 'pending' } | { status: 'error' } | { status: 'done'; data: StatusLink };

/** What the link would do, asked once (retried once). Reading it changes nothing (mail scanners open links too). */
export function useStatusLink(token: string): Load {
  const [load, setLoad] = useState<Load>(() => {
    const value = earlyStatusLink(token);
    return value ? { status: 'done', data: value } : { status: 'pending' };
  });
  useEffect(() => {
    const early = takeEarly(token);
    if (early?.value) {
      // it may have arrived after the first render read it, and before this effect
      const data = early.value;
      setLoad((l) => (l.status === 'done' ? l : { status: 'done', data }));
      return;
    }
    let live = true;
    const ask = () => callStatusLink(token, 'inspect');
    (early ? early.answer : ask()).catch(ask).then(
      (data) => live && setLoad({ status: 'done', data }),
      () => live && setLoad({ status: 'error' }),
    );
    return () => {
      live = false;
    };
  }, [token]);
  return load;
}

type Apply = { status: 'idle' | 'pending' | 'error' } | { status: 'done'; data: StatusLink };

/** Applies it: only ever on the person's Confirm. */
export function useApplyStatusLink(token: string): [Apply, (why?: ApplyReason) => void] {
  const [apply, setApply] = useState<Apply>({ status: 'idle' });
  const run = (why: ApplyReason = {}) => {
    setApply({ status: 'pending' });
    callStatusLink(token, 'apply', why).then(
      (data) => setApply({ status: 'done', data }),
      () => setApply({ status: 'error' }),
    );
  };
  return [apply, run];
}
