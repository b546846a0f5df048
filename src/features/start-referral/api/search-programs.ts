import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { supabase } from '@/lib/supabase';
import { programKeys, type ProgramSearch } from './keys';

/** Programs nearest the ZIP code first, optionally matching text, within a distance, accepting referrals. */
export async function searchPrograms({ zip, query, withinMiles, acceptingOnly }: ProgramSearch) {
  const { data, error } = await supabase.rpc('search_programs', {
    zip,
    query: query?.trim() || undefined,
    within_miles: withinMiles ?? undefined,
    max_results: 50,
    accepting_only: acceptingOnly || undefined,
  });
  if (error) throw error;
  return data;
}

export type ProgramResult = Awaited<ReturnType<typeof searchPrograms>>[number];

export const programSearchQueryOptions = (s: ProgramSearch) =>
  queryOptions({
    queryKey: programKeys.search(s),
    queryFn: () => searchPrograms(s),
    placeholderData: keepPreviousData,
    staleTime: 5 * 60_000,
  });

export function useProgramSearch(s: ProgramSearch) {
  return useQuery({ ...programSearchQueryOptions(s), enabled: /^[0-9]{5}$/.test(s.zip) });
}
