import type { Tables } from '@/lib/supabase';

export { REFERRAL_COLUMNS, SEEKER_EMBED, SEEKER_EMBED_INNER } from './columns';

type Named = { id: string; name: string };

/** A referral row (generated type) with the embeds of REFERRAL_COLUMNS and SEEKER_EMBED. */
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
