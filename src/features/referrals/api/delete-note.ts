import { useMutation, useQueryClient } from '@tanstack/react-query';
import { supabase } from '@/lib/supabase';
import { referralKeys } from './keys';

export async function deleteNote(noteId: string) {
  const { data, error } = await supabase.from('referral_notes').delete().eq('id', noteId).select('id');
  if (error) throw error;
  // RLS lets only the author delete: zero rows means it was not theirs (or already gone).
  if (!data || data.length === 0) throw { code: '42501', message: 'Only the author can delete a note.' };
}

export function useDeleteNote(referralId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: deleteNote,
    onSettled: () => qc.invalidateQueries({ queryKey: referralKeys.detail(referralId) }),
  });
}
