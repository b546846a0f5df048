import type { Tables } from '@/lib/supabase';

/**
 * The columns every referral view reads: the referral (with the referrer's
 * name as "Helen H.", readable by every party, unlike the referrer's profile),
 * the receiving program, where it was made from, the seeker and its goal.
 */
export const REFERRAL_COLUMNS =
  'id, seeker_id, program_id, referred_by, referred_by_name, from_site_id, from_program_id, status, comment, goal_id, version, created_at, updated_at, ' +
  'program:programs!referrals_program_id_fkey(id, name), ' +
  'from_site:sites!referrals_from_site_id_fkey(id, name), ' +
  'from_program:programs!referrals_from_program_id_fkey(id, name), ' +
  'goal:goals!referrals_goal_of_seeker(id, title)';

export const SEEKER_EMBED = 'seeker:seekers!referrals_seeker_id_fkey(id, first_name, last_name)';
export const SEEKER_EMBED_INNER = 'seeker:seekers!referrals_seeker_id_fkey!inner(id, first_name, last_name)';

type Named = { id: string; name: string };

/** A referral row (generated type) with the embeds selected above. */
export type ReferralView = Tables<'referrals'> & {
  program: Named | null;
  from_site: Named | null;
  from_program: Named | null;
  goal: Pick<Tables<'goals'>, 'id' | 'title'> | null;
  seeker: Pick<Tables<'seekers'>, 'id' | 'first_name' | 'last_name'> | null;
};

/** "Helen H. · Eastside Community Clinic". */
export function referredByLabel(r: Pick<ReferralView, 'referred_by_name' | 'from_site' | 'from_program'>) {
  const org = r.from_site?.name ?? r.from_program?.name ?? null;
  const name = r.referred_by_name || 'Unknown';
  return org ? `${name} · ${org}` : name;
}
