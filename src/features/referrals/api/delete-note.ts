import { useMutation, useQueryClient } from '@tanstack/react-query';
import { accessError, requireRows } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { referralKeys } from './keys';

export async function deleteNote(noteId: string) {
  const { data, error } = await supabase.from('referral_notes').delete().eq('id', noteId).select('id');
  if (error) throw accessError('note', error);
  // RLS lets only the author delete: zero rows means it was not theirs (or already gone).
  requireRows('note', data);
}

export function useDeleteNote(referralId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: deleteNote,
    onSettled: () => qc.invalidateQueries({ queryKey: referralKeys.detail(referralId) }),
  });
}
