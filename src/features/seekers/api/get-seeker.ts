import { queryOptions, useQuery } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { seekerKeys } from './keys';

export async function getSeeker(id: string) {
  const { data, error } = await supabase
    .from('seekers')
    .select(
      'id, first_name, last_name, email, phone, address, zip, preferred_contact, preferred_language, user_id, created_at, updated_at, contact_editable',
    )
    .eq('id', id)
    .single();
  if (error) throw accessError('seeker', error);
  return data;
}

export type Seeker = Awaited<ReturnType<typeof getSeeker>>;

export const seekerQueryOptions = (id: string) =>
  queryOptions({ queryKey: seekerKeys.detail(id), queryFn: () => getSeeker(id) });

export function useSeeker(id: string) {
  return useQuery(seekerQueryOptions(id));
}
