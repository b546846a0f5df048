-- =============================================================================
-- "My referrals" (outbound): the referrals the caller made, plus those their
-- sharing sites and programs made, newest first, one page at a time.
--
-- The same rows as `referrals?or=(referred_by.eq.<me>,from_site_id.in.(...),
-- from_program_id.in.(...))`, but that OR cannot use an index for the order,
-- so at scale Postgres reads every matching referral to sort them. Here each
-- rule (and each shared organisation) reads its own index in created_at order
-- and stops after one page.
-- Runs as the caller: the referrals policies still apply.
--
--   supabase.rpc('outbound_referrals', { max_results: 20, skip: 0 }).select('..., seeker:seekers(...)')
-- =============================================================================

create function public.outbound_referrals(max_results integer default 20, skip integer default 0)
returns setof public.referrals
language sql stable security invoker set search_path = ''
as $$
  with page as (
    select least(greatest(coalesce(max_results, 20), 1), 200) + greatest(coalesce(skip, 0), 0) as n
  )
  select u.* from (
    (select r.* from public.referrals r
      where r.referred_by = (select auth.uid())
      order by r.created_at desc, r.id desc
      limit (select n from page))
    union
    (select r.* from unnest((select private.my_shared_site_array())::uuid[]) as site (id)
      cross join lateral (
        select * from public.referrals x
        where x.from_site_id = site.id
        order by x.created_at desc, x.id desc
        limit (select n from page)) r)
    union
    (select r.* from unnest((select private.my_shared_program_array())::uuid[]) as program (id)
      cross join lateral (
        select * from public.referrals x
        where x.from_program_id = program.id
        order by x.created_at desc, x.id desc
        limit (select n from page)) r)
  ) u
  order by u.created_at desc, u.id desc
  limit least(greatest(coalesce(max_results, 20), 1), 200)
  offset greatest(coalesce(skip, 0), 0)
$$;

comment on function public.outbound_referrals(integer, integer) is
  'My referrals: those the caller made and those made from their sites and programs that share, newest first. max_results (1-200, default 20) and skip page them; embed related rows with .select(). Subject to the referrals policies.';

revoke all on function public.outbound_referrals(integer, integer) from public, anon;
grant execute on function public.outbound_referrals(integer, integer) to authenticated;
