import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase, type Tables, type TablesUpdate } from '@/lib/supabase';
import { directoryKeys } from './keys';

const PROGRAM_COLUMNS =
  'id, name, description, address, zip, phone, email, website, service_categories, capacity, capacity_wait, capacity_updated_at, verified_at';

export type MyProgram = Pick<
  Tables<'programs'>,
  | 'id'
  | 'name'
  | 'description'
  | 'address'
  | 'zip'
  | 'phone'
  | 'email'
  | 'website'
  | 'service_categories'
  | 'capacity'
  | 'capacity_wait'
  | 'capacity_updated_at'
  | 'verified_at'
>;

/** The listings of the programs I claim for. */
export async function getMyPrograms(ids: string[]): Promise<MyProgram[]> {
  const { data, error } = await supabase.from('programs').select(PROGRAM_COLUMNS).in('id', ids).order('name');
  if (error) throw error;
  return data;
}

export const myProgramsQueryOptions = (ids: string[]) =>
  queryOptions({ queryKey: directoryKeys.myPrograms(ids), queryFn: () => getMyPrograms(ids) });

export function useMyPrograms(ids: string[]) {
  return useQuery({ ...myProgramsQueryOptions(ids), enabled: ids.length > 0 });
}

/** What a claimer may change on their program (the database's update grant says the same). */
export type ProgramPatch = Pick<
  TablesUpdate<'programs'>,
  | 'description'
  | 'address'
  | 'zip'
  | 'phone'
  | 'email'
  | 'website'
  | 'service_categories'
  | 'capacity'
  | 'capacity_wait'
  | 'verified_at'
>;

export async function updateProgram({ id, patch }: { id: string; patch: ProgramPatch }) {
  const { data, error } = await supabase.from('programs').update(patch).eq('id', id).select('id');
  if (error) throw accessError('program', error);
  if (data.length === 0) throw new Error('You can only change the programs you are a claimer for.');
}

export function useUpdateProgram() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: updateProgram,
    // (Start a Referral's program search keeps its results 5 minutes; a
    // helper elsewhere sees a change on their next search)
    onSettled: () => qc.invalidateQueries({ queryKey: directoryKeys.all }),
  });
}
