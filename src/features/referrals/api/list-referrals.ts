import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { boundedCount } from '@/lib/counts';
import { accessError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { referralKeys, type ReferralListFilters } from './keys';
import { REFERRAL_COLUMNS, SEEKER_EMBED, SEEKER_EMBED_INNER, type ReferralView } from './select';

export const DEFAULT_PAGE_SIZE = 20;

/** PostgREST `or` filter for "made by me or by a team I belong to". */
function madeByMeOrTeam(f: ReferralListFilters) {
  const parts = [`referred_by.eq.${f.userId}`];
  if (f.mySiteIds?.length) parts.push(`from_site_id.in.(${f.mySiteIds.join(',')})`);
  if (f.myProgramIds?.length) parts.push(`from_program_id.in.(${f.myProgramIds.join(',')})`);
  return parts.join(',');
}

/** Escape a search term for a PostgREST `ilike` inside `or(...)`. */
export function ilikeTerm(term: string) {
  return `*${term.replace(/[%_*,()\\"]/g, ' ').trim()}*`;
}

type Filterable = {
  in: (c: string, v: readonly string[]) => Filterable;
  eq: (c: string, v: string) => Filterable;
  is: (c: string, v: null) => Filterable;
  lt: (c: string, v: string) => Filterable;
  or: (f: string, o?: { referencedTable?: string }) => Filterable;
  not: (c: string, op: string, v: string) => Filterable;
};

/** The filters shared by the list and its counts. */
function applyScope<Q>(query: Q, f: ReferralListFilters, withSearch = true): Q {
  let q = query as unknown as Filterable;
  switch (f.scope) {
    case 'inbound':
      q = q.in('program_id', f.programIds ?? []);
      break;
    case 'mine':
      q = q.or(madeByMeOrTeam(f));
      break;
    case 'seeker-inbound':
      q = q.eq('seeker_id', f.seekerId ?? '').in('program_id', f.myProgramIds ?? []);
      break;
    case 'seeker-navigation':
      q = q.eq('seeker_id', f.seekerId ?? '');
      if (f.myProgramIds?.length) q = q.not('program_id', 'in', `(${f.myProgramIds.join(',')})`);
      break;
  }
  if (f.statuses?.length) q = q.in('status', f.statuses);
  if (f.show === 'needs_response') q = q.is('responded_at', null);
  if (f.show === 'assigned_to_me') q = q.eq('assigned_to', f.userId ?? '');
  if (withSearch && f.search?.trim()) {
    for (const word of f.search.trim().split(/\s+/).slice(0, 4)) {
      q = q.or(`first_name.ilike.${ilikeTerm(word)},last_name.ilike.${ilikeTerm(word)}`, { referencedTable: 'seeker' });
    }
  }
  return q as unknown as Q;
}

/**
 * `total` is exact up to EXACT_COUNT_LIMIT and past it only "more than" (see
 * lib/counts), or null when counting would cost more than it helps (My
 * referrals); `hasMore` says whether a next page follows.
 */
export type ReferralPage = { rows: ReferralView[]; total: number | null; hasMore: boolean };

function orderBy<Q extends { order: (c: string, o?: { ascending?: boolean }) => Q }>(
  query: Q,
  sort: ReferralListFilters['sort'],
): Q {
  switch (sort ?? 'newest') {
    case 'oldest':
      return query.order('created_at', { ascending: true }).order('id', { ascending: true });
    case 'recently_updated':
      return query.order('updated_at', { ascending: false }).order('id');
    case 'seeker':
      return query
        .order('seeker(last_name)', { ascending: true })
        .order('seeker(first_name)', { ascending: true })
        .order('id');
    default:
      return query.order('created_at', { ascending: false }).order('id', { ascending: false });
  }
}

export async function listReferrals(f: ReferralListFilters): Promise<ReferralPage> {
  const pageSize = f.pageSize ?? DEFAULT_PAGE_SIZE;
  const page = f.page ?? 1;
  const skip = (page - 1) * pageSize;
  const searching = !!f.search?.trim();
  // Searching by name needs the seeker embed to filter the referrals (!inner); both give the same rows' shape.
  const columns = searching
    ? (`${REFERRAL_COLUMNS}, ${SEEKER_EMBED_INNER}` as const)
    : (`${REFERRAL_COLUMNS}, ${SEEKER_EMBED}` as const);

  if (f.scope === 'mine') {
    // My referrals span three rules (mine, my sharing sites, my sharing programs). Unfiltered and
    // newest first, the outbound_referrals RPC walks one index per rule; filtered, a plain OR.
    // Neither counts every row: one extra row says whether there is a next page.
    const plain = !searching && !f.statuses?.length && !f.show && (f.sort ?? 'newest') === 'newest';
    const { data, error } = plain
      ? await supabase
          .rpc('outbound_referrals', { max_results: pageSize + 1, skip })
          .select(columns)
          .order('created_at', { ascending: false })
          .order('id', { ascending: false })
      : await orderBy(applyScope(supabase.from('referrals').select(columns), f), f.sort).range(skip, skip + pageSize);
    if (error) throw accessError('referrals', error);
    const rows: ReferralView[] = data ?? [];
    return { rows: rows.slice(0, pageSize), total: null, hasMore: rows.length > pageSize };
  }

  // counted exactly up to the limit; one row past the page says whether another follows
  const query = applyScope(supabase.from('referrals').select(columns, { count: 'estimated' }), f);
  const { data, error, count } = await orderBy(query, f.sort).range(skip, skip + pageSize);
  if (error) throw accessError('referrals', error);
  const rows: ReferralView[] = data ?? [];
  return { rows: rows.slice(0, pageSize), total: boundedCount(count), hasMore: rows.length > pageSize };
}

export const referralListQueryOptions = (f: ReferralListFilters) =>
  queryOptions({ queryKey: referralKeys.list(f), queryFn: () => listReferrals(f), placeholderData: keepPreviousData });

export function useReferralList(f: ReferralListFilters, enabled = true) {
  return useQuery({ ...referralListQueryOptions(f), enabled });
}

/** How many referrals in this scope are "Not updated" (the work waiting), exact up to the limit (lib/counts). */
export async function countNotUpdated(f: ReferralListFilters): Promise<number> {
  let query = supabase.from('referrals').select('id', { count: 'estimated', head: true }).eq('status', 'not_updated');
  query = applyScope(query, { ...f, statuses: undefined, search: undefined }, false);
  const { count, error } = await query;
  if (error) throw accessError('referrals', error);
  return boundedCount(count);
}

export function useNotUpdatedCount(f: ReferralListFilters, enabled = true) {
  const key = { ...f, statuses: undefined, search: undefined, sort: undefined, page: undefined, show: undefined };
  return useQuery({ queryKey: referralKeys.count(key), queryFn: () => countNotUpdated(key), enabled });
}

/**
 * How many referrals in this scope are overdue: past their due time and not
 * answered by the program. "Now" is this moment on the viewer's clock.
 * Exact up to the limit (lib/counts).
 */
export async function countOverdue(f: ReferralListFilters, now: Date = new Date()): Promise<number> {
  let query = supabase
    .from('referrals')
    .select('id', { count: 'estimated', head: true })
    .is('responded_at', null)
    .lt('response_due_at', now.toISOString());
  query = applyScope(query, { ...f, statuses: undefined, search: undefined, show: undefined }, false);
  const { count, error } = await query;
  if (error) throw accessError('referrals', error);
  return boundedCount(count);
}

export function useOverdueCount(f: ReferralListFilters, enabled = true) {
  const key = { ...f, statuses: undefined, search: undefined, sort: undefined, page: undefined, show: undefined };
  return useQuery({
    queryKey: referralKeys.overdueCount(key),
    queryFn: () => countOverdue(key),
    enabled,
    // a referral becomes overdue by time passing, with no change to announce it
    refetchInterval: 60_000,
  });
}
