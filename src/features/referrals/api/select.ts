import type { Tables } from '@/lib/supabase';

/**
 * The columns every referral view reads: the referral, the receiving program,
 * where it was made from, the seeker, its goal, and the "created" history line
 * (who referred, as "Helen H." and their organisation, readable by every party,
 * unlike the referrer's profile).
 */
export const REFERRAL_COLUMNS =
  'id, seeker_id, program_id, referred_by, from_site_id, from_program_id, status, comment, goal_id, version, created_at, updated_at, ' +
  'program:programs!referrals_program_id_fkey(id, name), ' +
  'from_site:sites!referrals_from_site_id_fkey(id, name), ' +
  'from_program:programs!referrals_from_program_id_fkey(id, name), ' +
  'goal:goals!referrals_goal_of_seeker(id, title), ' +
  'created:referral_events(event_type, actor_display_name, actor_organization)';

export const SEEKER_EMBED = 'seeker:seekers!referrals_seeker_id_fkey(id, first_name, last_name)';
export const SEEKER_EMBED_INNER = 'seeker:seekers!referrals_seeker_id_fkey!inner(id, first_name, last_name)';

type Named = { id: string; name: string };

/** A referral row (generated type) with the embeds selected above. */
export type ReferralView = Tables<'referrals'> & {
  program: Named | null;
  from_site: Named | null;
  from_program: Named | null;
  goal: Pick<Tables<'goals'>, 'id' | 'title'> | null;
  created: Pick<Tables<'referral_events'>, 'event_type' | 'actor_display_name' | 'actor_organization'>[];
  seeker: Pick<Tables<'seekers'>, 'id' | 'first_name' | 'last_name'> | null;
};

/** "Helen H. · Eastside Community Clinic", from the creation history line. */
export function referredByLabel(r: Pick<ReferralView, 'created' | 'from_site' | 'from_program'>) {
  const c = r.created?.[0];
  const org = r.from_site?.name ?? r.from_program?.name ?? c?.actor_organization ?? null;
  const name = c?.actor_display_name || 'Unknown';
  return org ? `${name} · ${org}` : name;
}
