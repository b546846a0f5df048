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
 * millions of people (docs/performance.md). It counts the matches up to
 * 2,000; beyond that `total` is null and one row more than a page says
 * whether another page follows.
 */
export async function listSeekers(f: SeekerListFilters) {
  const pageSize = f.pageSize ?? SEEKERS_PAGE_SIZE;
  const page = f.page ?? 1;
  const { data, error } = await supabase.rpc('search_people', {
    query: (f.search ?? '').trim(),
    sort: f.sort ?? 'name',
    max_results: pageSize + 1,
    skip: (page - 1) * pageSize,
  });
  if (error) throw accessError('people', error);
  const all = data ?? [];
  const rows = all.slice(0, pageSize);
  const total: number | null = all.length === 0 ? 0 : all[0]!.total_count;
  return { rows, total, hasMore: all.length > pageSize };
}

export const seekerListQueryOptions = (f: SeekerListFilters) =>
  queryOptions({ queryKey: seekerKeys.list(f), queryFn: () => listSeekers(f), placeholderData: keepPreviousData });

export function useSeekerList(f: SeekerListFilters) {
  return useQuery(seekerListQueryOptions(f));
}
