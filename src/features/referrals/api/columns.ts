/* The select strings of the referral views. No imports: the benchmark
   (bench/db.ts) reads them too, so it asks exactly what the app asks.
   Each is one string literal, so supabase-js types the rows it returns. */

/**
 * The columns every referral view reads: the referral (with the referrer's
 * name as "Helen H.", readable by every party, unlike the referrer's profile),
 * when the program is due to answer and whether it has, who it is assigned
 * to, the receiving program (with its time zone, for "Due today"), where it
 * was made from, the seeker and its goal.
 */
export const REFERRAL_COLUMNS =
  'id, seeker_id, program_id, referred_by, referred_by_name, from_site_id, from_program_id, status, status_reason, status_reason_text, forwarded_from, comment, goal_id, version, created_at, updated_at, response_due_at, responded_at, assigned_to, assigned_to_name, program:programs!referrals_program_id_fkey(id, name, time_zone), from_site:sites!referrals_from_site_id_fkey(id, name), from_program:programs!referrals_from_program_id_fkey(id, name), goal:goals!referrals_goal_of_seeker(id, title)';

export const SEEKER_EMBED =
  'seeker:seekers!referrals_seeker_id_fkey(id, first_name, last_name, email, phone, preferred_contact)';
export const SEEKER_EMBED_INNER =
  'seeker:seekers!referrals_seeker_id_fkey!inner(id, first_name, last_name, email, phone, preferred_contact)';
