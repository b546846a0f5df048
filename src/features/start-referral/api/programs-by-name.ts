import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ilikeTerm } from '@/features/referrals';
import { supabase } from '@/lib/supabase';
import { programKeys } from './keys';
import type { ProgramResult } from './search-programs';

/**
 * Without a ZIP code there is no distance to order by: the directory by name,
 * optionally matching words in the name or description (the program table is
 * readable by every signed-in user).
 */
export async function programsByName(query?: string): Promise<ProgramResult[]> {
  let q = supabase
    .from('programs')
    .select('id, name, description, address, zip, phone, email, website, service_categories')
    .order('name')
    .order('id')
    .limit(50);
  const term = query?.trim();
  if (term) q = q.or(`name.ilike.${ilikeTerm(term)},description.ilike.${ilikeTerm(term)}`);
  const { data, error } = await q;
  if (error) throw error;
  // The search's row shape, without a distance (the cards show none when it is null; the RPC's generated
  // types say string for columns that may be null, like these).
  return data.map(({ zip, ...p }) => ({ ...p, program_zip: zip, distance_miles: null })) as unknown as ProgramResult[];
}

export function useProgramsByName(query: string | undefined, enabled: boolean) {
  return useQuery({
    queryKey: programKeys.byName(query ?? ''),
    queryFn: () => programsByName(query),
    placeholderData: keepPreviousData,
    staleTime: 5 * 60_000,
    enabled,
  });
}
