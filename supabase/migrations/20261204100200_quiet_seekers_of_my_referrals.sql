-- The quiet form of the seekers policy reads the seekers of the caller's
-- referrals through one function call, which the planner costs once: written
-- out, it was costed per row inside a list's seeker embed, and Carl's
-- unfiltered list with seekers walked every referral at 10,000,000 (1.3 s).

drop policy "Staff with access and the seeker themselves can view a seeker" on public.seekers;

-- The seekers of the referrals the caller sees (under the referrals policy,
-- with the caller's rights): the quiet form of the seekers policy below. A
-- function, not inlined (it has a SET clause), so that the planner costs it
-- as one call: written out, the referrals query it runs is costed as if it ran
-- again for every row wherever the policy sits inside an embed (the seeker of
-- each referral in a list), and the planner walked every referral instead.
create or replace function private.seekers_of_my_referrals()
returns uuid[]
language sql
stable
set search_path = ''
as $$
  select array(select r.seeker_id from public.referrals r)
$$;
revoke all on function private.seekers_of_my_referrals() from public, anon, authenticated, service_role;
grant execute on function private.seekers_of_my_referrals() to authenticated;

-- Whoever added them (and that organisation when it shares), their own
-- account (its id is in the caller's own scope), and whoever sees one of their
-- referrals (under the referrals policy). The last is written two ways that
-- give the same rows; which one a statement uses is fixed when it is planned
-- (private.plan_for_quiet_caller(), 06_request_plans.sql):
--   * for a quiet caller: the seekers of the referrals they see, read once per
--     statement (a few hundred ids), so that both arms are index lookups;
--   * otherwise: a lookup of each seeker's referrals as rows are read (a busy
--     caller's list stops after a page). "seekers.id is not null" (always true)
--     keeps Postgres from hashing every referral the caller sees first instead.
create policy "Staff with access and the seeker themselves can view a seeker" on public.seekers for select to authenticated
  using (
    private.reaches('{}', array[user_id, created_by, created_from_site_id, created_from_program_id],
                    '{}', (select private.my_outbound_scope()))
    or (private.plan_for_quiet_caller()
        and id = any ((select private.seekers_of_my_referrals())::uuid[]))
    or (not private.plan_for_quiet_caller()
        and exists (select 1 from public.referrals r where r.seeker_id = seekers.id and seekers.id is not null)));

