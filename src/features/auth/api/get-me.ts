import { queryOptions, useQuery } from '@tanstack/react-query';
import { supabase } from '@/lib/supabase';
import { meKeys } from './keys';

export type Organisation = { kind: 'site' | 'program'; id: string; name: string; joinedAt: string };
export type Me = {
  id: string;
  firstName: string;
  lastName: string;
  email: string | null;
  organisations: Organisation[];
};

/** The signed-in person, with the sites they work on and the programs they claim for. */
export async function getMe(userId: string): Promise<Me> {
  const [profile, sites, programs, user] = await Promise.all([
    supabase.from('profiles').select('id, first_name, last_name').eq('id', userId).single().throwOnError(),
    supabase.from('site_members').select('joined_at, site:sites(id, name)').eq('user_id', userId).throwOnError(),
    supabase
      .from('program_members')
      .select('joined_at, program:programs(id, name)')
      .eq('user_id', userId)
      .throwOnError(),
    supabase.auth.getUser(),
  ]);
  const organisations: Organisation[] = [
    ...(sites.data ?? []).flatMap((m) =>
      m.site ? [{ kind: 'site' as const, id: m.site.id, name: m.site.name, joinedAt: m.joined_at }] : [],
    ),
    ...(programs.data ?? []).flatMap((m) =>
      m.program ? [{ kind: 'program' as const, id: m.program.id, name: m.program.name, joinedAt: m.joined_at }] : [],
    ),
  ].sort((a, b) => a.joinedAt.localeCompare(b.joinedAt));
  return {
    id: profile.data.id,
    firstName: profile.data.first_name ?? '',
    lastName: profile.data.last_name ?? '',
    email: user.data.user?.email ?? null,
    organisations,
  };
}

export const meQueryOptions = (userId: string) =>
  queryOptions({ queryKey: meKeys.detail(userId), queryFn: () => getMe(userId), staleTime: 5 * 60_000 });

export function useMe(userId: string) {
  return useQuery(meQueryOptions(userId));
}

export const isClaimer = (me: Me | undefined) => !!me?.organisations.some((o) => o.kind === 'program');
