-- =============================================================================
-- Cheaper policies on what a dashboard row embeds (history line, seeker,
-- goal). Same rules (PRODUCT.md 1-5); measured in docs/performance.md.
--
-- Through PostgREST most requests are planned afresh (each pooled connection
-- keeps its own prepared statements, and a plan made for one role is redone
-- for another), so the cost of planning the policy-expanded query is paid on
-- nearly every request. Every `(select private.…())` in a policy is an init
-- plan of its own, and a policy that reads another table with RLS brings that
-- table's policy along: the goal embed carried the seekers policy, which
-- carried an EXISTS on referrals, which carried the referrals policy — about
-- 85 sub-plans for one inbound page, 3 ms of planning against 0.5 ms without
-- RLS. Here:
--   * seekers: the EXISTS on the seeker's referrals relies on the referrals
--     policy alone. That policy is rules 1-4; its rule 4 (the caller's own
--     seeker record) is already the first test of this policy, so the staff
--     rules written out again inside the EXISTS added nothing but sub-plans.
--   * history: an entry is visible when its referral is (the referrals policy
--     decides), and note events additionally need the staff rules 1-3, tested
--     by the PL/pgSQL helper only for note events (a handful of rows; other
--     event types settle at the first test and never call it).
--   * goals (read): the PL/pgSQL helper can_see_seeker, called only for goal
--     rows that match the query's own conditions (a dashboard page has a few).
--   * referrals (seeker_id, created_at desc) now carries the columns the
--     referrals policy tests, so the EXISTS above reads the index alone.
-- =============================================================================

drop policy "Staff with access and the seeker themselves can view a seeker" on public.seekers;
create policy "Staff with access and the seeker themselves can view a seeker"
  on public.seekers for select to authenticated
  using (
    user_id = (select auth.uid())
    or created_by = (select auth.uid())
    or created_from_site_id = any ((select private.my_shared_site_array())::uuid[])
    or created_from_program_id = any ((select private.my_shared_program_array())::uuid[])
    -- a referral of theirs the caller can see (the referrals policy decides)
    or exists (select 1 from public.referrals r where r.seeker_id = seekers.id)
  );

drop policy "Whoever can see a referral can view its history" on public.referral_events;
create policy "Whoever can see a referral can view its history"
  on public.referral_events for select to authenticated
  using (
    -- the referral is visible (the referrals policy decides, rules 1-4)
    exists (select 1 from public.referrals r where r.id = referral_events.referral_id)
    -- and note events only for staff with access (rules 1-3)
    and (
      event_type not in ('note_added', 'note_deleted')
      or private.staff_can_access_referral(referral_id)
    )
  );

drop policy "Whoever can see a seeker can view their goals" on public.goals;
create policy "Whoever can see a seeker can view their goals"
  on public.goals for select to authenticated
  using (private.can_see_seeker(seeker_id));

-- The seeker's referrals, newest first (profile), with what the referrals
-- policy tests, so a seeker's visibility check never reads the table.
drop index if exists public.referrals_seeker_id_idx;
create index referrals_seeker_id_idx on public.referrals (seeker_id, created_at desc)
  include (program_id, referred_by, from_site_id, from_program_id);
