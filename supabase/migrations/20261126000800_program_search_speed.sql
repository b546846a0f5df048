-- =============================================================================
-- Program search without a per-program similarity test on every query: the
-- words of the query are matched first (name, description, category); only
-- when nothing matches does search_programs fall back to names that look
-- alike (typos, "Brigth Futures"), which tests every program. Same signature
-- and results as before for any query that matches exactly.
-- =============================================================================

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
  v_fuzzy boolean := false;
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

  -- exact words first; only when nothing matches, names that look alike
  -- (typos), which costs a similarity test per program
  if v_query is not null then
    v_fuzzy := not exists (
      select 1 from public.programs p
      where (p.name ilike '%' || v_query || '%'
             or p.description ilike '%' || v_query || '%'
             or exists (select 1 from unnest(p.service_categories) c where c::text ilike v_query || '%'))
        and (search_programs.categories is null or p.service_categories && search_programs.categories));
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
           case when v_fuzzy then extensions.word_similarity(v_query, p.name) else 0 end as similarity
    from public.programs p
    where (v_query is null
           or p.name ilike '%' || v_query || '%'
           or p.description ilike '%' || v_query || '%'
           or exists (select 1 from unnest(p.service_categories) c where c::text ilike v_query || '%')
           or (v_fuzzy and extensions.word_similarity(v_query, p.name) >= 0.5))
      and (search_programs.categories is null or p.service_categories && search_programs.categories)
  ) d
  where search_programs.within_miles is null or d.miles <= search_programs.within_miles
  order by d.miles nulls last, d.similarity desc, d.name, d.id
  limit least(greatest(coalesce(search_programs.max_results, 50), 1), 200)
  offset greatest(coalesce(search_programs.skip, 0), 0);
end
$$;
