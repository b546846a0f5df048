-- =============================================================================
-- RLS performance at scale (measured at 1,000,000 referrals, docs/performance.md).
--
-- 1. Set-returning helpers get a realistic row estimate (a user belongs to a
--    handful of organisations, not the default 1,000), so policies and helpers
--    plan index scans instead of sequential scans of referrals.
-- 2. staff_seeker_ids reads the caller's organisations into arrays first,
--    then collects seekers with one index scan per rule.
-- 3. search_programs computes each distance once, inline.
-- =============================================================================

alter function private.my_site_ids() rows 3;
alter function private.my_program_ids() rows 3;
alter function private.my_shared_site_ids() rows 3;
alter function private.my_shared_program_ids() rows 3;
alter function private.my_seeker_ids() rows 1;
alter function private.my_colleague_ids() rows 50;

-- Seekers the caller sees as staff: added from an organisation of theirs that
-- shares, or with a referral they can see as staff (rules 1-3).
create or replace function private.staff_seeker_ids()
returns setof uuid
language plpgsql stable security definer set search_path = '' rows 5000
as $$
declare
  v_uid uuid := auth.uid();
  v_programs uuid[];
  v_shared_sites uuid[];
  v_shared_programs uuid[];
begin
  if v_uid is null then
    return;
  end if;
  select coalesce(array_agg(pm.program_id), '{}') into v_programs
  from public.program_members pm where pm.user_id = v_uid;
  select coalesce(array_agg(sm.site_id), '{}') into v_shared_sites
  from public.site_members sm join public.sites s on s.id = sm.site_id
  where sm.user_id = v_uid and s.team_sharing;
  select coalesce(array_agg(pm.program_id), '{}') into v_shared_programs
  from public.program_members pm join public.programs p on p.id = pm.program_id
  where pm.user_id = v_uid and p.team_sharing;

  return query
    select r.seeker_id from public.referrals r where r.referred_by = v_uid
    union
    select r.seeker_id from public.referrals r where r.program_id = any (v_programs)
    union
    select r.seeker_id from public.referrals r where r.from_site_id = any (v_shared_sites)
    union
    select r.seeker_id from public.referrals r where r.from_program_id = any (v_shared_programs)
    union
    select s.id from public.seekers s where s.created_from_site_id = any (v_shared_sites)
    union
    select s.id from public.seekers s where s.created_from_program_id = any (v_shared_programs);
end
$$;
revoke all on function private.staff_seeker_ids() from public;
grant execute on function private.staff_seeker_ids() to authenticated, service_role;

create or replace function public.search_programs(
  zip text,
  query text default null,
  within_miles numeric default null,
  categories public.service_category[] default null,
  max_results integer default 50,
  skip integer default 0
)
returns table (
  id uuid,
  name text,
  description text,
  address text,
  program_zip text,
  phone text,
  email text,
  website text,
  service_categories public.service_category[],
  distance_miles numeric
)
language plpgsql stable security invoker set search_path = ''
as $$
#variable_conflict use_column
declare
  v_lat double precision;
  v_lon double precision;
  v_query text := nullif(trim(search_programs.query), '');
begin
  select z.latitude, z.longitude into v_lat, v_lon
  from public.zip_centroids z where z.zip = trim(search_programs.zip);
  if not found then
    raise exception 'Unknown ZIP code: %', coalesce(search_programs.zip, '(none)')
      using errcode = '22023',
            hint = 'Give a five-digit US ZIP code, for example 78702.';
  end if;
  if search_programs.within_miles is not null and search_programs.within_miles < 0 then
    raise exception 'within_miles must not be negative' using errcode = '22023';
  end if;

  return query
  select d.id, d.name, d.description, d.address, d.zip, d.phone, d.email, d.website, d.service_categories,
         round(d.miles::numeric, 1)
  from (
    select p.*,
           -- haversine, in miles
           3958.7613 * 2 * asin(least(1, sqrt(
             power(sin(radians(p.latitude - v_lat) / 2), 2)
             + cos(radians(v_lat)) * cos(radians(p.latitude)) * power(sin(radians(p.longitude - v_lon) / 2), 2)
           ))) as miles,
           case when v_query is null then 0 else extensions.word_similarity(v_query, p.name) end as similarity
    from public.programs p
    where (v_query is null
           or p.name ilike '%' || v_query || '%'
           or p.description ilike '%' || v_query || '%'
           or exists (select 1 from unnest(p.service_categories) c where c::text ilike v_query || '%')
           or extensions.word_similarity(v_query, p.name) >= 0.5)
      and (search_programs.categories is null or p.service_categories && search_programs.categories)
  ) d
  where search_programs.within_miles is null or d.miles <= search_programs.within_miles
  order by d.miles nulls last, d.similarity desc, d.name, d.id
  limit least(greatest(coalesce(search_programs.max_results, 50), 1), 200)
  offset greatest(coalesce(search_programs.skip, 0), 0);
end
$$;

-- -----------------------------------------------------------------------------
-- Seekers: visibility through referrals as a correlated EXISTS on the
-- caller's organisations held in arrays. For a single seeker (a profile, or a
-- seeker embedded in a dashboard row) Postgres checks that seeker's few
-- referrals through referrals_seeker_id_idx; for a search over many seekers it
-- switches to one hashed set built from the referral indexes. Either way it
-- never builds the whole set for one row.
-- -----------------------------------------------------------------------------

-- The caller's programs, and their sites / programs that share, as arrays
-- (one value per query when wrapped in a select).
create or replace function private.my_program_array()
returns uuid[]
language sql stable security definer set search_path = ''
as $$
  select coalesce(array_agg(pm.program_id), '{}') from public.program_members pm
  where pm.user_id = (select auth.uid())
$$;

create or replace function private.my_shared_site_array()
returns uuid[]
language sql stable security definer set search_path = ''
as $$
  select coalesce(array_agg(sm.site_id), '{}')
  from public.site_members sm join public.sites s on s.id = sm.site_id
  where sm.user_id = (select auth.uid()) and s.team_sharing
$$;

create or replace function private.my_shared_program_array()
returns uuid[]
language sql stable security definer set search_path = ''
as $$
  select coalesce(array_agg(pm.program_id), '{}')
  from public.program_members pm join public.programs p on p.id = pm.program_id
  where pm.user_id = (select auth.uid()) and p.team_sharing
$$;

revoke all on function private.my_program_array(), private.my_shared_site_array(), private.my_shared_program_array()
  from public;
grant execute on function private.my_program_array(), private.my_shared_site_array(), private.my_shared_program_array()
  to authenticated, service_role;

drop policy "Staff with access and the seeker themselves can view a seeker" on public.seekers;
create policy "Staff with access and the seeker themselves can view a seeker"
  on public.seekers for select to authenticated
  using (
    user_id = (select auth.uid())
    or created_by = (select auth.uid())
    or created_from_site_id = any ((select private.my_shared_site_array())::uuid[])
    or created_from_program_id = any ((select private.my_shared_program_array())::uuid[])
    or exists (
      select 1 from public.referrals r
      where r.seeker_id = seekers.id
        and (
          r.referred_by = (select auth.uid())
          or r.program_id = any ((select private.my_program_array())::uuid[])
          or r.from_site_id = any ((select private.my_shared_site_array())::uuid[])
          or r.from_program_id = any ((select private.my_shared_program_array())::uuid[])
        )
    )
  );

drop policy "Staff with access and the seeker themselves can update a seeker" on public.seekers;
create policy "Staff with access and the seeker themselves can update a seeker"
  on public.seekers for update to authenticated
  using (
    user_id = (select auth.uid())
    or created_by = (select auth.uid())
    or created_from_site_id = any ((select private.my_shared_site_array())::uuid[])
    or created_from_program_id = any ((select private.my_shared_program_array())::uuid[])
    or exists (
      select 1 from public.referrals r
      where r.seeker_id = seekers.id
        and (
          r.referred_by = (select auth.uid())
          or r.program_id = any ((select private.my_program_array())::uuid[])
          or r.from_site_id = any ((select private.my_shared_site_array())::uuid[])
          or r.from_program_id = any ((select private.my_shared_program_array())::uuid[])
        )
    )
  )
  with check (
    user_id = (select auth.uid())
    or created_by = (select auth.uid())
    or created_from_site_id = any ((select private.my_shared_site_array())::uuid[])
    or created_from_program_id = any ((select private.my_shared_program_array())::uuid[])
    or exists (
      select 1 from public.referrals r
      where r.seeker_id = seekers.id
        and (
          r.referred_by = (select auth.uid())
          or r.program_id = any ((select private.my_program_array())::uuid[])
          or r.from_site_id = any ((select private.my_shared_site_array())::uuid[])
          or r.from_program_id = any ((select private.my_shared_program_array())::uuid[])
        )
    )
  );

-- -----------------------------------------------------------------------------
-- Inbound dashboards: one covering index serves the list (newest first), the
-- status filter, the page count and the policy check without reading the
-- table, so counting a busy program's referrals under RLS costs what it costs
-- without. It replaces the two program indexes of the first migration.
-- -----------------------------------------------------------------------------
drop index if exists public.referrals_program_status_idx;
drop index if exists public.referrals_program_id_idx;
create index referrals_program_id_idx on public.referrals (program_id, created_at desc)
  include (status, seeker_id, referred_by, from_site_id, from_program_id);
