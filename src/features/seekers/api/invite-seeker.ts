import { useMutation, useQueryClient } from '@tanstack/react-query';
import { FunctionsHttpError } from '@supabase/supabase-js';
import { supabase } from '@/lib/supabase';
import { seekerKeys } from './keys';

/** phone_account: a record with only a phone got a phone account (sign-in by texted code). */
export type InviteResult = { status: 'invited' | 'invited_again' | 'phone_account'; user_id: string };

/**
 * Asks the invite-seeker edge function to email the seeker an invitation to
 * the portal (to the address on their record) and link their record to the
 * new account. Its refusals carry `code` and a message written for people.
 */
export async function inviteSeeker(seekerId: string): Promise<InviteResult> {
  const { data, error } = await supabase.functions.invoke<InviteResult>('invite-seeker', {
    body: { seeker_id: seekerId },
  });
  if (error) {
    const body: { code?: string; message?: string } | null =
      error instanceof FunctionsHttpError ? await error.context.json().catch(() => null) : null;
    throw {
      code: body?.code ?? 'invite_failed',
      message: body?.message ?? 'The invitation could not be sent. Try again.',
    };
  }
  return data!;
}

export function useInviteSeeker(seekerId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => inviteSeeker(seekerId),
    onSettled: () => qc.invalidateQueries({ queryKey: seekerKeys.detail(seekerId) }),
  });
}
