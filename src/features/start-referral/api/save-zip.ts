import { useMutation, useQueryClient } from '@tanstack/react-query';
import { seekerKeys } from '@/features/seekers';
import { accessError, requireRows } from '@/lib/errors';
import { supabase } from '@/lib/supabase';

/** Saves the ZIP code typed on Start a Referral to the person's profile. */
export async function saveSeekerZip({ seekerId, zip }: { seekerId: string; zip: string }) {
  const { data, error } = await supabase.from('seekers').update({ zip }).eq('id', seekerId).select('id');
  if (error) throw accessError('seeker', error);
  requireRows('seeker', data);
}

export function useSaveSeekerZip() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: saveSeekerZip,
    onSettled: () => qc.invalidateQueries({ queryKey: seekerKeys.all }),
  });
}
