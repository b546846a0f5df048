import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { seekerKeys, type SeekerListFilters } from './keys';

export const SEEKERS_PAGE_SIZE = 20;

/**
 * The people this user may see (the ones they or their sharing team helped,
 * and those referred to their programs), searched by name, email or phone,
 * one page at a time. `search_people` applies the same rules as the seekers
 * policy but starts from who reaches each person, so it stays fast with
 * hundreds of thousands of people (docs/performance.md).
 */
export async function listSeekers(f: SeekerListFilters) {
  const pageSize = f.pageSize ?? SEEKERS_PAGE_SIZE;
  const page = f.page ?? 1;
  const { data, error } = await supabase.rpc('search_people', {
    query: (f.search ?? '').trim(),
    sort: f.sort ?? 'name',
    max_results: pageSize,
    skip: (page - 1) * pageSize,
  });
  if (error) throw accessError('people', error);
  const rows = data ?? [];
  return { rows, total: rows[0]?.total_count ?? 0 };
}

export const seekerListQueryOptions = (f: SeekerListFilters) =>
  queryOptions({ queryKey: seekerKeys.list(f), queryFn: () => listSeekers(f), placeholderData: keepPreviousData });

export function useSeekerList(f: SeekerListFilters) {
  return useQuery(seekerListQueryOptions(f));
}
