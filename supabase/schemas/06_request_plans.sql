-- =============================================================================
-- Plans per caller: every API request is planned for itself, and a caller
-- who reaches few referrals reads their lists through the reach indexes.
-- This changes how rows are found, never which rows anyone sees: the
-- policies decide that (05_visibility.sql).
--
-- Why (docs/performance.md, "plans per caller"). Policies read
-- the caller's facts once per statement ((select private.my_…())), values the
-- planner cannot see while it plans, so it plans every caller alike. An
-- unfiltered list newest first then walks referrals_created_at_idx and checks
-- the rule on each row until the page is full: it reads about 50 / share rows,
-- where share is the caller's part of all referrals. That is a few thousand
-- rows for a busy program (2%) but the whole table for a quiet one (0.01%). A
-- quiet caller's page is cheaper the other way round: their rows from the
-- reach indexes (referrals_reach_idx, referral_notes_reach_idx; a bitmap of a
-- few hundred rows), then a sort. The two cost alike where 50 / share equals
-- share × N (N referrals), i.e. at a share of sqrt(50 / N): 0.7% of 1,000,000
-- referrals, 0.22% of 10,000,000. Either way a page then reads at most about
-- sqrt(50 × N) rows (7,000 at 1M, 22,000 at 10M) instead of N.
--
-- How. PostgREST calls hooks.before_request() first in every request's
-- transaction, after it has set the role and the claims (its db-pre-request,
-- set on the authenticator role at the end of this file). It sets, for the
-- rest of that transaction only:
--   * plan_cache_mode = force_custom_plan, always: PostgREST prepares its
--     statements, and a plan Postgres caches per connection would keep the
--     choices made for whoever ran it first there;
--   * when a signed-in caller reads referrals, notes or seekers (GET or HEAD
--     on /referrals, /referral_notes, /seekers, embeds included) and their
--     share is below sqrt(50 / N): for notes and seekers, enable_indexscan =
--     off, so the planner takes the bitmap plans through the reach indexes
--     (bitmap scans, index only scans and every other plan stay available);
--     for referrals the policy's quiet form does that itself and keeps the
--     ordered walk of a list the caller filters (50_referrals.sql); enable_hashjoin and
--     enable_mergejoin = off, so the rows each embed adds (the program, the
--     site, the seeker) are looked up one by one: the planner cannot see the
--     caller's reach and estimates their rows at ~2% of all referrals, for
--     which hashing every program is cheaper (at 10,000,000 referrals that
--     read all 100,000 programs twice for Carl's 50 rows); enable_seqscan =
--     off, for the same estimate once made reading all 10,000,000 referrals
--     look as cheap as the reach bitmap (a small table without a usable index
--     is still read whole: the setting only steers); and
--     app.plan_for_quiet_caller = the table read (referrals, referral_notes
--     or seekers), which picks the referrals and seekers policies' forms for
--     a quiet caller (private.plan_for_quiet_caller() and
--     private.plan_for_quiet_list(), below); and max_parallel_workers = 0,
--     see "Sorted before the embeds" below;
--   * for a busy caller's reads of those tables, max_parallel_workers_per_gather
--     = 0: their lists walk an index in order and stop after a page.
-- The share is summed from private.reach_shares: how often each program
-- (received) and each user, site and program (sent) occurs among referrals,
-- copied from the statistics ANALYZE keeps for referrals_reach_idx (its most
-- common elements) by private.refresh_reach_shares(), every ten minutes and
-- after a bulk load (pg_cron job reach-shares, 90_notifications.sql). A key
-- not listed is rarer than every listed one.
--
-- Sorted before the embeds. A quiet caller's unfiltered list is their few
-- hundred referrals read from the reach indexes and sorted. PostgREST writes
-- each embed (the program, the site, the seeker, …) as a lateral join, and
-- Postgres places a sort above the joins of a query, with one exception: it
-- may sort a table's rows below them under a Gather Merge (the node that
-- merges the sorted rows of parallel workers), after which each embed is
-- looked up for the rows the page keeps and no others. At 10,000,000
-- referrals, Carl's newest 50 of his 998 referrals joined the embeds for all
-- 998 (27-34 ms inside Postgres, 16 of them the seeker); sorted first, 50
-- (10.5-12 ms; docs/performance.md). The planner may choose a Gather
-- Merge only where every function in the query may run in a parallel plan:
-- the functions the read policies call are marked parallel restricted (they
-- run in the process serving the request, never in a worker; tests/db/request-plans
-- checks every one). For a quiet caller's read the hook lets the planner
-- plan for workers but starts none (max_parallel_workers = 0): the leader
-- runs the whole plan, which is what a few hundred rows want (starting two
-- workers took 6 ms here). Every other read of these tables plans without
-- parallel workers (max_parallel_workers_per_gather = 0), as before.
-- =============================================================================

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
-- evaluates it once while planning and keeps only the form of the referrals
-- and seekers policies that suits the caller (50_referrals.sql). Both forms give the same
-- rows for any caller (tests/db/request-plans.test.ts runs each persona both
-- ways), so a plan kept past its request (a cached plan, Realtime's checks)
-- can be slower for someone else, never wrong. Outside a quiet caller's API
-- read the setting is unset: false.
create or replace function private.plan_for_quiet_caller()
returns boolean
language sql
immutable parallel restricted
set search_path = ''
as $$
  select coalesce(pg_catalog.current_setting('app.plan_for_quiet_caller', true), '')
         in ('referrals', 'referral_notes', 'seekers')
$$;
comment on function private.plan_for_quiet_caller() is 'Whether this statement is planned for a quiet caller (hooks.before_request): chooses between equivalent forms of a policy. Immutable on purpose (head of supabase/schemas/06_request_plans.sql).';
revoke all on function private.plan_for_quiet_caller() from public, anon, authenticated, service_role;
grant execute on function private.plan_for_quiet_caller() to authenticated, service_role;

-- The same, for a quiet caller's list of one table (the table the request
-- reads, not one embedded in it). Immutable on purpose, as above.
create or replace function private.plan_for_quiet_list(p_table text)
returns boolean
language sql
immutable parallel restricted
set search_path = ''
as $$
  select coalesce(pg_catalog.current_setting('app.plan_for_quiet_caller', true), '') = p_table
$$;
comment on function private.plan_for_quiet_list(p_table text) is 'Whether this statement is planned for a quiet caller''s list of p_table (hooks.before_request): chooses between equivalent forms of a policy. Immutable on purpose (head of supabase/schemas/06_request_plans.sql).';
revoke all on function private.plan_for_quiet_list(p_table text) from public, anon, authenticated, service_role;
grant execute on function private.plan_for_quiet_list(p_table text) to authenticated, service_role;

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
    if pg_catalog.current_setting('request.path') <> '/referrals' then
      perform pg_catalog.set_config('enable_indexscan', 'off', true);
    end if;
    perform pg_catalog.set_config('enable_hashjoin', 'off', true);
    perform pg_catalog.set_config('enable_mergejoin', 'off', true);
    perform pg_catalog.set_config('enable_seqscan', 'off', true);
    perform pg_catalog.set_config('app.plan_for_quiet_caller',
                                  pg_catalog.ltrim(pg_catalog.current_setting('request.path'), '/'), true);
    -- a Gather Merge sorts the caller's rows before what the request embeds;
    -- it runs in this process alone (no worker is started)
    perform pg_catalog.set_config('max_parallel_workers', '0', true);
  else
    perform pg_catalog.set_config('max_parallel_workers_per_gather', '0', true);
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
