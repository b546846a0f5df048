-- =============================================================================
-- Foundation: extensions, the private schema, the shared enums and the two
-- helpers every other file uses.
-- 
-- Files in this folder are the readable truth of the database, applied in
-- name order (config.toml [db.migrations] schema_paths). Each file holds one
-- domain: its tables with their comments, indexes, row-level security,
-- grants, triggers and policies side by side, then its functions.
-- Everything the platform provides (the auth schema, the API roles,
-- auth.uid(), the extensions schema, the supabase_realtime publication) is
-- used, never created here.
-- =============================================================================

-- Trigram matching for program and people search; lives in `extensions` like
-- every platform extension (the advisor flags extensions in public).
create extension if not exists pg_trgm with schema extensions;

-- `private` holds the visibility helpers and trigger functions. It is not in
-- the API's exposed schemas, so nothing here is callable over REST.
create schema if not exists private;
comment on schema private is
  'Helpers for row-level security and triggers. Not exposed through the API.';
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

create type public.referral_status as enum ('not_updated', 'needs_client_action', 'pending', 'referred_elsewhere', 'eligible', 'got_help', 'couldnt_contact', 'not_eligible', 'no_capacity', 'couldnt_get_help', 'no_longer_interested');
comment on type public.referral_status is 'Where a referral stands. In progress: not_updated, needs_client_action, pending, referred_elsewhere, eligible. Got help: got_help. Needs further action: couldnt_contact, not_eligible, no_capacity, couldnt_get_help, no_longer_interested.';

create type public.contact_preference as enum ('email', 'text', 'phone', 'none');
comment on type public.contact_preference is 'How a seeker wants to be reached: email or text messages; phone means no message to the seeker; none means no message to anyone about their referrals.';

create type public.language_code as enum ('en', 'es');
comment on type public.language_code is 'Languages the product speaks to seekers in.';

create type public.service_category as enum ('food', 'housing', 'goods', 'transit', 'health', 'money', 'care', 'education', 'work', 'legal');
comment on type public.service_category is 'Kinds of help a program offers, used by the program directory.';

create type public.referral_event_type as enum ('created', 'status_changed', 'note_added', 'note_deleted', 'goal_added', 'goal_moved', 'goal_removed', 'assigned', 'referred_not_accepting');
comment on type public.referral_event_type is 'What happened to a referral, as recorded in its history (assigned: given to a claimer, or taken back). referred_not_accepting: the referral was made while the program said it was not accepting referrals (the referrer confirmed it).';

create type public.program_capacity as enum ('accepting', 'waitlist', 'not_accepting', 'unknown');
comment on type public.program_capacity is 'Whether a program takes new referrals: accepting, waitlist (taking referrals onto a waiting list; programs.capacity_wait says how long), not_accepting, or unknown. The directory shows a capacity older than 30 days as unknown.';

create type public.program_report_reason as enum ('closed', 'phone', 'address', 'hours', 'eligibility', 'other');
comment on type public.program_report_reason is 'What a report of wrong information says is wrong with a program''s listing.';

create type public.program_report_status as enum ('open', 'resolved', 'dismissed');
comment on type public.program_report_status is 'Where a report of wrong information stands: open until a claimer of the program (or an admin) resolves or dismisses it.';

-- updated_at on every change.
create or replace function private.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
revoke all on function private.touch_updated_at() from public, anon, authenticated, service_role;

-- "Helen H.": first name and last initial.
create or replace function private.display_name(p_first text, p_last text)
returns text
language sql
immutable
set search_path = ''
as $$
  select coalesce(
    nullif(
      trim(coalesce(p_first, '') || case when coalesce(p_last, '') <> '' then ' ' || left(p_last, 1) || '.' else '' end),
      ''),
    'Unknown user')
$$;
revoke all on function private.display_name(p_first text, p_last text) from public, anon, authenticated, service_role;
grant execute on function private.display_name(p_first text, p_last text) to authenticated, service_role;
