import { supabase, type QueryData } from '@/lib/supabase';
import { REFERRAL_COLUMNS, SEEKER_EMBED } from './columns';

export { REFERRAL_COLUMNS, SEEKER_EMBED, SEEKER_EMBED_INNER } from './columns';

/** The referrals a view reads: the columns of REFERRAL_COLUMNS with the seeker (typed by supabase-js). */
export const selectReferralViews = () => supabase.from('referrals').select(`${REFERRAL_COLUMNS}, ${SEEKER_EMBED}`);

/** A referral as every view shows it: its row with program, origin, goal and seeker embedded. */
export type ReferralView = QueryData<ReturnType<typeof selectReferralViews>>[number];

/** "Helen H. · Eastside Community Clinic". */
export function referredByLabel(r: Pick<ReferralView, 'referred_by_name' | 'from_site' | 'from_program'>) {
  const org = r.from_site?.name ?? r.from_program?.name ?? null;
  const name = r.referred_by_name || 'Unknown';
  return org ? `${name} · ${org}` : name;
}
