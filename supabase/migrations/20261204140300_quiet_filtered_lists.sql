-- A quiet caller's list they filter (Inbound for a program with few
-- referrals) walks its index in order and stops after the page again, while
-- their unfiltered list still reads only their referrals:
--   * the hook no longer turns ordered index scans off for /referrals;
--   * the referrals policy's quiet form gains an arm that is never true but
--     that Postgres takes for a third of all referrals, so a filtered list
--     expects a page's worth of rows;
--   * referrals_created_at_idx becomes partial on a condition every referral
--     meets (now a constraint), stated by the policy's busy form only, so a
--     quiet caller's unfiltered list cannot walk every referral newest first;
--   * a seeker embedded in a quiet caller's list of referrals is checked
--     through referrals_seeker_id_idx, not searched for in an array of every
--     seeker the caller reaches.

alter table public.referrals add constraint referrals_created_at_check check ((created_at > '-infinity'::timestamp with time zone));

drop index public.referrals_created_at_idx;
create index referrals_created_at_idx on public.referrals (created_at desc) where (created_at > '-infinity'::timestamp with time zone);

create or replace function private.plan_for_quiet_caller()
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(pg_catalog.current_setting('app.plan_for_quiet_caller', true), '')
         in ('referrals', 'referral_notes', 'seekers')
$$;
comment on function private.plan_for_quiet_caller() is 'Whether this statement is planned for a quiet caller (hooks.before_request): chooses between equivalent forms of a policy. Immutable on purpose (head of supabase/schemas/06_request_plans.sql).';
revoke all on function private.plan_for_quiet_caller() from public, anon, authenticated, service_role;
grant execute on function private.plan_for_quiet_caller() to authenticated, service_role;

create or replace function private.plan_for_quiet_list(p_table text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(pg_catalog.current_setting('app.plan_for_quiet_caller', true), '') = p_table
$$;
comment on function private.plan_for_quiet_list(p_table text) is 'Whether this statement is planned for a quiet caller''s list of p_table (hooks.before_request): chooses between equivalent forms of a policy. Immutable on purpose (head of supabase/schemas/06_request_plans.sql).';
revoke all on function private.plan_for_quiet_list(p_table text) from public, anon, authenticated, service_role;
grant execute on function private.plan_for_quiet_list(p_table text) to authenticated, service_role;

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
  end if;
end
$$;

drop policy "Referrer, shared team, claimers and the seeker view referrals" on public.referrals;
create policy "Referrer, shared team, claimers and the seeker view referrals" on public.referrals for select to authenticated
  using (
    (private.plan_for_quiet_caller()
     and (private.reaches(array[program_id], array[referred_by, from_site_id, from_program_id],
                          (select private.my_inbound_programs()), (select private.my_outbound_scope()))
          or seeker_id = any ((select private.my_seeker_records())::uuid[])
          or seeker_id < (select '00000000-0000-0000-0000-000000000000'::uuid)))
    or (not private.plan_for_quiet_caller()
        and coalesce(
          private.reaches(array[program_id], array[referred_by, from_site_id, from_program_id],
                          (select private.my_inbound_programs()), (select private.my_outbound_scope()))
          or seeker_id = any ((select private.my_seeker_records())::uuid[]),
          false)
        and created_at > '-infinity'::timestamp with time zone));

drop policy "Staff with access and the seeker themselves can view a seeker" on public.seekers;
create policy "Staff with access and the seeker themselves can view a seeker" on public.seekers for select to authenticated
  using (
    private.reaches('{}', array[user_id, created_by, created_from_site_id, created_from_program_id],
                    '{}', (select private.my_outbound_scope()))
    or (private.plan_for_quiet_list('seekers')
        and id = any ((select private.seekers_of_my_referrals())::uuid[]))
    or (not private.plan_for_quiet_list('seekers')
        and exists (select 1 from public.referrals r where r.seeker_id = seekers.id and seekers.id is not null)));
