-- =============================================================================
-- Referrals policies: the caller's organisations as arrays, receiving program
-- first.
--
-- A busy program's dashboard counts its ~20,000 inbound referrals under the
-- policy, which is then tested on every row. Comparing a uuid with a one- to
-- three-element array (an init plan, evaluated once) is cheaper than probing
-- a hashed subplan, and testing the receiving program first settles inbound
-- rows at the first test. Same rules (PRODUCT.md 1-4); measured in
-- docs/performance.md.
-- =============================================================================

drop policy "Referrer, shared team, receiving claimers and the seeker can view a referral" on public.referrals;
create policy "Referrer, shared team, receiving claimers and the seeker can view a referral"
  on public.referrals for select to authenticated
  using (
    program_id = any ((select private.my_program_array())::uuid[])
    or referred_by = (select auth.uid())
    or from_site_id = any ((select private.my_shared_site_array())::uuid[])
    or from_program_id = any ((select private.my_shared_program_array())::uuid[])
    or seeker_id in (select private.my_seeker_ids())
  );

drop policy "Referrer, shared team, receiving claimers and the seeker can update a referral" on public.referrals;
create policy "Referrer, shared team, receiving claimers and the seeker can update a referral"
  on public.referrals for update to authenticated
  using (
    program_id = any ((select private.my_program_array())::uuid[])
    or referred_by = (select auth.uid())
    or from_site_id = any ((select private.my_shared_site_array())::uuid[])
    or from_program_id = any ((select private.my_shared_program_array())::uuid[])
    or seeker_id in (select private.my_seeker_ids())
  )
  with check (
    program_id = any ((select private.my_program_array())::uuid[])
    or referred_by = (select auth.uid())
    or from_site_id = any ((select private.my_shared_site_array())::uuid[])
    or from_program_id = any ((select private.my_shared_program_array())::uuid[])
    or seeker_id in (select private.my_seeker_ids())
  );
