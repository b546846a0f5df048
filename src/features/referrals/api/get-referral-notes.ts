import { queryOptions, useQuery } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { referralKeys } from './keys';

export async function getReferralNotes(referralId: string) {
  const { data, error } = await supabase
    .from('referral_notes')
    .select('id, referral_id, author_id, author_display_name, author_organization, body, created_at')
    .eq('referral_id', referralId)
    .order('created_at', { ascending: false });
  if (error) throw accessError('notes', error);
  return data;
}

export const referralNotesQueryOptions = (referralId: string) =>
  queryOptions({ queryKey: referralKeys.notes(referralId), queryFn: () => getReferralNotes(referralId) });

export function useReferralNotes(referralId: string | null, enabled = true) {
  return useQuery({ ...referralNotesQueryOptions(referralId ?? ''), enabled: !!referralId && enabled });
}
