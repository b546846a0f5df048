-- Plans per caller (supabase/schemas/06_request_plans.sql): every API request
-- is planned for itself, and a caller who reaches few referrals reads their
-- lists through reach indexes. Notes carry their referral's routing, so the
-- rule is checked on the note itself; the seekers policy gets a form for
-- quiet callers; the referrals select policy loses its coalesce(…, false)
-- wrapper, which hid its arms from the indexes.

-- Plans per caller --------------------------------------------------------------

-- The hook's own schema: PostgREST calls the hook for anonymous requests too,
-- and private stays closed to them. Not exposed through the API.
create schema if not exists hooks;
comment on schema hooks is 'Functions the API server calls itself (PostgREST''s db-pre-request). Not exposed through the API.';
revoke all on schema hooks from public;
grant usage on schema hooks to anon, authenticated, service_role;

-- How often each key occurs among referrals -----------------------------------

create table private.reach_shares (
  arm text not null,
  key uuid not null,
  share real not null,
  constraint reach_shares_pkey primary key (arm, key),
  constraint reach_shares_arm_check check ((arm = any (array['received'::text, 'sent'::text]))),
  constraint reach_shares_share_check check (((share >= (0)::double precision) and (share <= (1)::double precision)))
);
comment on table private.reach_shares is 'The most common keys of referrals_reach_idx and the part of all referrals each occurs in, from the statistics of the last ANALYZE (private.refresh_reach_shares). Read by private.caller_is_quiet to choose a caller''s plans; never decides visibility.';
comment on column private.reach_shares.arm is 'received: a program referrals are sent to (rule 3); sent: a user, site or program referrals are made by or from (rules 1-2).';
comment on column private.reach_shares.share is 'The fraction of referrals in which the key occurs in that arm.';

alter table private.reach_shares enable row level security;
revoke all on table private.reach_shares from public, anon, authenticated, service_role;

-- Copies the statistics; cheap (at most a few thousand rows). The index's
-- first expression is the received arm, its second the sent arm.
create or replace function private.refresh_reach_shares()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from private.reach_shares;
  insert into private.reach_shares (arm, key, share)
  select case a.attnum when 1 then 'received' else 'sent' end, e.key, e.share
  from pg_catalog.pg_attribute a
  join pg_catalog.pg_stats st
    on st.schemaname = 'public' and st.tablename = 'referrals_reach_idx' and st.attname = a.attname
  -- the frequencies list three summary figures after one per element; the
  -- shorter list of elements pads them with nulls
  cross join lateral unnest(st.most_common_elems::text::uuid[], st.most_common_elem_freqs) as e(key, share)
  where a.attrelid = 'public.referrals_reach_idx'::regclass and a.attnum in (1, 2) and e.key is not null
  on conflict do nothing;
end
$$;
revoke all on function private.refresh_reach_shares() from public, anon, authenticated, service_role;
grant execute on function private.refresh_reach_shares() to service_role;

-- Whether the signed-in caller reaches less than sqrt(50 / N) of all
-- referrals (see the head of this file). The caller's facts are those the
-- policies read (05_visibility.sql).
create or replace function private.caller_is_quiet()
returns boolean
language plpgsql
stable security definer
set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_rows real;
  v_share real;
begin
  if v_uid is null then
    return false;
  end if;
  select c.reltuples into v_rows from pg_catalog.pg_class c where c.oid = 'public.referrals'::regclass;
  -- never analysed, or empty: any plan reads next to nothing
  if v_rows is null or v_rows < 1 then
    return true;
  end if;
  select coalesce(sum(s.share), 0) into v_share
  from private.reach_shares s
  where (s.arm = 'received' and s.key = any (private.inbound_programs(v_uid)))
     or (s.arm = 'sent' and s.key = any (private.outbound_scope(v_uid)));
  return v_share < sqrt(50 / v_rows);
end
$$;
revoke all on function private.caller_is_quiet() from public, anon, authenticated, service_role;
grant execute on function private.caller_is_quiet() to authenticated;

-- Which of two equivalent forms a policy takes ---------------------------------

-- Declared immutable although it reads a setting, on purpose: Postgres then
-- evaluates it once while planning and keeps only the form of the seekers
-- policy that suits the caller (50_referrals.sql). Both forms give the same
-- rows for any caller (tests/db/request-plans.test.ts runs each persona both
-- ways), so a plan kept past its request (a cached plan, Realtime's checks)
-- can be slower for someone else, never wrong. Outside a quiet caller's API
-- read the setting is unset: false.
create or replace function private.plan_for_quiet_caller()
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(pg_catalog.current_setting('app.plan_for_quiet_caller', true), '') = 'on'
$$;
comment on function private.plan_for_quiet_caller() is 'Whether this statement is planned for a quiet caller (hooks.before_request): chooses between equivalent forms of a policy. Immutable on purpose (head of supabase/schemas/06_request_plans.sql).';
revoke all on function private.plan_for_quiet_caller() from public, anon, authenticated, service_role;
grant execute on function private.plan_for_quiet_caller() to authenticated, service_role;

-- The hook --------------------------------------------------------------------

-- No SET clause on purpose: Postgres ends the local settings a function with
-- a SET clause makes together with the function, and these must last for the
-- request. Every name is schema-qualified; it runs with the caller's rights.
create or replace function hooks.before_request()
returns void
language plpgsql
as $$
begin
  perform pg_catalog.set_config('plan_cache_mode', 'force_custom_plan', true);
  if current_user <> 'authenticated'
     or coalesce(pg_catalog.current_setting('request.method', true), '') not in ('GET', 'HEAD')
     or coalesce(pg_catalog.current_setting('request.path', true), '') not in ('/referrals', '/referral_notes', '/seekers') then
    return;
  end if;
  if private.caller_is_quiet() then
    perform pg_catalog.set_config('enable_indexscan', 'off', true);
    perform pg_catalog.set_config('app.plan_for_quiet_caller', 'on', true);
  end if;
end
$$;
comment on function hooks.before_request() is 'PostgREST''s db-pre-request: plans the request for itself, and a quiet caller''s reads through the reach indexes (head of supabase/schemas/06_request_plans.sql).';
revoke all on function hooks.before_request() from public, anon, authenticated, service_role;
grant execute on function hooks.before_request() to anon, authenticated, service_role;

-- PostgREST reads its db-pre-request from the authenticator role's settings
-- (in-database configuration), locally and on hosted Supabase alike, and
-- reloads them on this notification.
alter role authenticator set pgrst.db_pre_request to 'hooks.before_request';
notify pgrst, 'reload config';

select cron.schedule('reach-shares', '*/10 * * * *', 'select private.refresh_reach_shares()');

-- Notes: the referral's routing -------------------------------------------------

alter table public.referral_notes
  add column referral_program_id uuid,
  add column referral_referred_by uuid,
  add column referral_from_site_id uuid,
  add column referral_from_program_id uuid;
comment on column public.referral_notes.referral_id is 'The referral.';
comment on column public.referral_notes.referral_program_id is 'The referral''s receiving program (its program_id), copied when the note is written and kept equal: who may read the note is decided on the note itself (05_visibility.sql). Set automatically.';
comment on column public.referral_notes.referral_referred_by is 'The referral''s referrer (its referred_by), copied like referral_program_id.';
comment on column public.referral_notes.referral_from_site_id is 'The site the referral was made from (its from_site_id), copied like referral_program_id.';
comment on column public.referral_notes.referral_from_program_id is 'The program the referral was made from (its from_program_id), copied like referral_program_id.';

-- a copy, not a change anyone watches: no broadcast per note
alter table public.referral_notes disable trigger realtime_broadcast;
update public.referral_notes n
   set referral_program_id = r.program_id, referral_referred_by = r.referred_by,
       referral_from_site_id = r.from_site_id, referral_from_program_id = r.from_program_id
  from public.referrals r
 where r.id = n.referral_id;
alter table public.referral_notes enable trigger realtime_broadcast;

create index referral_notes_created_at_idx on public.referral_notes (created_at desc);
create index referral_notes_reach_idx on public.referral_notes using gin ((array[referral_program_id]), (array[referral_referred_by, referral_from_site_id, referral_from_program_id]));

create or replace function private.referral_notes_before_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_actor record;
begin
  if new.author_id is null then
    select * into v_actor from private.current_actor();
  else
    select new.author_id as actor_id,
           coalesce((select private.display_name(first_name, last_name) from public.profiles where id = new.author_id), 'Unknown user') as display_name,
           private.user_organization(new.author_id) as organization
      into v_actor;
  end if;
  new.author_display_name := v_actor.display_name;
  new.author_organization := v_actor.organization;
  -- the referral's routing, which decides who reads the note
  select r.program_id, r.referred_by, r.from_site_id, r.from_program_id
    into new.referral_program_id, new.referral_referred_by, new.referral_from_site_id, new.referral_from_program_id
    from public.referrals r where r.id = new.referral_id;
  return new;
end
$$;
revoke all on function private.referral_notes_before_insert() from public, anon, authenticated, service_role;

drop policy "Authors can delete their own notes" on public.referral_notes;
create policy "Authors can delete their own notes" on public.referral_notes for delete to authenticated
  using (
    author_id = (select auth.uid())
    and private.reaches(array[referral_program_id], array[referral_referred_by, referral_from_site_id, referral_from_program_id],
                        (select private.my_inbound_programs()), (select private.my_outbound_scope())));

drop policy "Staff with access can add notes" on public.referral_notes;
create policy "Staff with access can add notes" on public.referral_notes for insert to authenticated
  with check (
    author_id = (select auth.uid())
    and private.reaches(array[referral_program_id], array[referral_referred_by, referral_from_site_id, referral_from_program_id],
                        (select private.my_inbound_programs()), (select private.my_outbound_scope())));

drop policy "Staff with access can view notes" on public.referral_notes;
create policy "Staff with access can view notes" on public.referral_notes for select to authenticated
  using (
    private.reaches(array[referral_program_id], array[referral_referred_by, referral_from_site_id, referral_from_program_id],
                    (select private.my_inbound_programs()), (select private.my_outbound_scope())));

-- A referral's routing does not change through the API (no column grant);
-- should the service role change it, its notes follow.
create or replace function private.referrals_routing_to_notes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.referral_notes n
     set referral_program_id = new.program_id, referral_referred_by = new.referred_by,
         referral_from_site_id = new.from_site_id, referral_from_program_id = new.from_program_id
   where n.referral_id = new.id;
  return null;
end
$$;
revoke all on function private.referrals_routing_to_notes() from public, anon, authenticated, service_role;

create trigger referrals_routing_to_notes after update of program_id, referred_by, from_site_id, from_program_id on public.referrals
  for each row
  when (old.program_id is distinct from new.program_id or old.referred_by is distinct from new.referred_by
        or old.from_site_id is distinct from new.from_site_id or old.from_program_id is distinct from new.from_program_id)
  execute function private.referrals_routing_to_notes();


-- Referrals: the rule's arms as indexes ------------------------------------------

create index referrals_reach_idx on public.referrals using gin ((array[program_id]), (array[referred_by, from_site_id, from_program_id]));

drop policy "Referrer, shared team, claimers and the seeker view referrals" on public.referrals;
-- Rules 1-4 (05_visibility.sql), in two forms that give the same rows; which
-- one a statement uses is fixed when it is planned
-- (private.plan_for_quiet_caller(), 06_request_plans.sql):
--   * for a quiet caller, the comparisons bare, so that each arm is answered
--     from an index (referrals_reach_idx, referrals_seeker_id_idx) and their
--     few referrals are found without reading the others;
--   * otherwise wrapped in coalesce(…, false), the same test, so that the
--     planner does not take the rule for a selective filter: its default
--     estimate of the bare comparisons (~1% of rows) makes it gather a busy
--     program's whole inbox through the indexes and sort it (Inbound, busy
--     program, by status: 15 ms walking the program's index in order, 160 ms
--     that way at 1M; docs/performance.md).
create policy "Referrer, shared team, claimers and the seeker view referrals" on public.referrals for select to authenticated
  using (
    (private.plan_for_quiet_caller()
     and (private.reaches(array[program_id], array[referred_by, from_site_id, from_program_id],
                          (select private.my_inbound_programs()), (select private.my_outbound_scope()))
          or seeker_id = any ((select private.my_seeker_records())::uuid[])))
    or (not private.plan_for_quiet_caller()
        and coalesce(
          private.reaches(array[program_id], array[referred_by, from_site_id, from_program_id],
                          (select private.my_inbound_programs()), (select private.my_outbound_scope()))
          or seeker_id = any ((select private.my_seeker_records())::uuid[]),
          false)));

-- Seekers -----------------------------------------------------------------------

create index seekers_created_at_idx on public.seekers (created_at desc, id desc);
create index seekers_own_reach_idx on public.seekers using gin ((array[user_id, created_by, created_from_site_id, created_from_program_id]));

drop policy "Staff with access and the seeker themselves can view a seeker" on public.seekers;
create policy "Staff with access and the seeker themselves can view a seeker" on public.seekers for select to authenticated
  using (
    private.reaches('{}', array[user_id, created_by, created_from_site_id, created_from_program_id],
                    '{}', (select private.my_outbound_scope()))
    or (private.plan_for_quiet_caller()
        and id = any (array(select r.seeker_id from public.referrals r)))
    or (not private.plan_for_quiet_caller()
        and exists (select 1 from public.referrals r where r.seeker_id = seekers.id and seekers.id is not null)));


-- the statistics behind the reach shares, now rather than at autovacuum's next pass
analyze public.referrals;
analyze public.referral_notes;
analyze public.seekers;
select private.refresh_reach_shares();
