import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { supabase } from '@/lib/supabase';
import { seekerKeys, type SeekerListFilters } from './keys';

export const SEEKERS_PAGE_SIZE = 20;

function term(word: string) {
  return `*${word.replace(/[%_*,()\\"]/g, ' ').trim()}*`;
}

/**
 * The people this user may see (RLS decides: the ones they or their sharing
 * team helped, and those referred to their programs), searched by name, email
 * or phone, one page at a time.
 */
export async function listSeekers(f: SeekerListFilters) {
  const pageSize = f.pageSize ?? SEEKERS_PAGE_SIZE;
  const page = f.page ?? 1;
  let query = supabase
    .from('seekers')
    .select('id, first_name, last_name, email, phone, zip, preferred_contact, updated_at, created_at', {
      count: 'exact',
    });
  for (const word of (f.search ?? '').trim().split(/\s+/).filter(Boolean).slice(0, 4)) {
    const t = term(word);
    const digits = word.replace(/\D/g, '');
    const phone = digits.length >= 3 ? `,phone.ilike.${term(digits)}` : '';
    query = query.or(`first_name.ilike.${t},last_name.ilike.${t},email.ilike.${t},phone.ilike.${t}${phone}`);
  }
  switch (f.sort ?? 'name') {
    case 'newest':
      query = query.order('created_at', { ascending: false });
      break;
    case 'recently_updated':
      query = query.order('updated_at', { ascending: false });
      break;
    default:
      query = query.order('last_name').order('first_name');
  }
  const { data, error, count } = await query.order('id').range((page - 1) * pageSize, page * pageSize - 1);
  if (error) throw error;
  return { rows: data, total: count ?? 0 };
}

export const seekerListQueryOptions = (f: SeekerListFilters) =>
  queryOptions({ queryKey: seekerKeys.list(f), queryFn: () => listSeekers(f), placeholderData: keepPreviousData });

export function useSeekerList(f: SeekerListFilters) {
  return useQuery(seekerListQueryOptions(f));
}
