import { useMutation, useQueryClient } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { referralKeys } from './keys';

export async function createNote({ referralId, body }: { referralId: string; body: string }) {
  const { data, error } = await supabase
    .from('referral_notes')
    .insert({ referral_id: referralId, body })
    .select('id')
    .single();
  if (error) throw accessError('notes', error);
  return data;
}

export function useCreateNote(referralId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: string) => createNote({ referralId, body }),
    onSettled: () => qc.invalidateQueries({ queryKey: referralKeys.detail(referralId) }),
  });
}
