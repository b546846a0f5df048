import { useMutation, useQueryClient } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import type { SeekerFormValues } from '../components/seeker-form';
import { seekerKeys } from './keys';

export type CreateSeekerInput = SeekerFormValues & { fromSiteId?: string | null; fromProgramId?: string | null };

/** Empty optional fields are stored as null, not as empty strings. */
export function toSeekerColumns(v: SeekerFormValues) {
  return {
    first_name: v.first_name.trim(),
    last_name: v.last_name.trim(),
    email: v.email.trim() || null,
    phone: v.phone.trim() || null,
    address: v.address.trim() || null,
    zip: v.zip.trim() || null,
    preferred_contact: v.preferred_contact,
    preferred_language: v.preferred_language,
  };
}

export async function createSeeker({ fromSiteId, fromProgramId, ...values }: CreateSeekerInput) {
  const { data, error } = await supabase
    .from('seekers')
    .insert({
      ...toSeekerColumns(values),
      created_from_site_id: fromSiteId ?? null,
      created_from_program_id: fromProgramId ?? null,
    })
    .select('id')
    .single();
  if (error) throw accessError('seeker', error);
  return data;
}

export function useCreateSeeker() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: createSeeker,
    onSettled: () => qc.invalidateQueries({ queryKey: seekerKeys.lists() }),
  });
}
