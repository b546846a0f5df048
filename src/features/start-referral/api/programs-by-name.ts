import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { CAPACITY_FRESH_DAYS, shownCapacity } from '@/features/directory';
import { ilikeTerm } from '@/features/referrals';
import { supabase } from '@/lib/supabase';
import { programKeys } from './keys';
import type { ProgramResult } from './search-programs';

/**
 * Without a ZIP code there is no distance to order by: the directory by name,
 * optionally matching words in the name or description (the program table is
 * readable by every signed-in user), with the capacity as search_programs
 * shows it (unknown once older than 30 days) and, when asked, only programs
 * accepting referrals or taking them onto a waitlist.
 */
export async function programsByName(query?: string, acceptingOnly = false): Promise<ProgramResult[]> {
  let q = supabase
    .from('programs')
    .select(
      'id, name, description, address, zip, phone, email, website, service_categories, capacity, capacity_wait, capacity_updated_at, verified_at',
    )
    .order('name')
    .order('id')
    .limit(50);
  const term = query?.trim();
  if (term) q = q.or(`name.ilike.${ilikeTerm(term)},description.ilike.${ilikeTerm(term)}`);
  if (acceptingOnly) {
    q = q
      .in('capacity', ['accepting', 'waitlist'])
      .gte('capacity_updated_at', new Date(Date.now() - CAPACITY_FRESH_DAYS * 86_400_000).toISOString());
  }
  const { data, error } = await q;
  if (error) throw error;
  // The search's row shape, without a distance (the cards show none when it is null; the RPC's generated
  // types say string for columns that may be null, like these).
  return data.map(({ zip, capacity, capacity_wait, ...p }) => {
    const shown = shownCapacity(capacity, p.capacity_updated_at);
    return {
      ...p,
      program_zip: zip,
      distance_miles: null,
      capacity: shown,
      capacity_wait: shown === 'waitlist' ? capacity_wait : null,
    };
  }) as unknown as ProgramResult[];
}

export function useProgramsByName(query: string | undefined, acceptingOnly: boolean, enabled: boolean) {
  return useQuery({
    queryKey: programKeys.byName(query ?? '', acceptingOnly),
    queryFn: () => programsByName(query, acceptingOnly),
    placeholderData: keepPreviousData,
    staleTime: 5 * 60_000,
    enabled,
  });
}
