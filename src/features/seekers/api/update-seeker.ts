import { useMutation, useQueryClient } from '@tanstack/react-query';
import { accessError, requireRows } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import type { SeekerFormValues } from '../components/seeker-form';
import { toSeekerColumns } from './create-seeker';
import { seekerKeys } from './keys';

export async function updateSeeker({ id, values }: { id: string; values: SeekerFormValues }) {
  const { data, error } = await supabase.from('seekers').update(toSeekerColumns(values)).eq('id', id).select('id');
  if (error) throw accessError('seeker', error);
  // RLS lets only the people who may see them change them: zero rows is a refusal.
  requireRows('seeker', data);
}

export function useUpdateSeeker(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (values: SeekerFormValues) => updateSeeker({ id, values }),
    onSettled: () => qc.invalidateQueries({ queryKey: seekerKeys.all }),
  });
}
