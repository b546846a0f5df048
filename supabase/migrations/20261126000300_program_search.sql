-- =============================================================================
-- Program directory search: programs ordered by distance from a ZIP code's
-- centroid, optionally filtered by text, distance and service category.
-- Called over the API as rpc('search_programs', { zip, query, within_miles, ... }).
-- Runs as the caller (security invoker), so the programs policies apply.
-- =============================================================================

-- Great-circle distance in miles between two points given in degrees.
create function private.distance_miles(lat1 double precision, lon1 double precision,
                                       lat2 double precision, lon2 double precision)
returns double precision
language sql immutable parallel safe set search_path = ''
as $$
  select 3958.7613 * 2 * asin(least(1, sqrt(
    power(sin(radians(lat2 - lat1) / 2), 2)
    + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2)
  )))
$$;
revoke all on function private.distance_miles(double precision, double precision, double precision, double precision) from public;
grant execute on function private.distance_miles(double precision, double precision, double precision, double precision)
  to authenticated, service_role;

create function public.search_programs(
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
  select p.id, p.name, p.description, p.address, p.zip, p.phone, p.email, p.website, p.service_categories,
         round(private.distance_miles(v_lat, v_lon, p.latitude, p.longitude)::numeric, 1) as distance_miles
  from public.programs p
  where (v_query is null
         or p.name ilike '%' || v_query || '%'
         or p.description ilike '%' || v_query || '%'
         or exists (select 1 from unnest(p.service_categories) c where c::text ilike v_query || '%')
         or extensions.word_similarity(v_query, p.name) >= 0.5)
    and (search_programs.categories is null or p.service_categories && search_programs.categories)
    and (search_programs.within_miles is null
         or private.distance_miles(v_lat, v_lon, p.latitude, p.longitude) <= search_programs.within_miles)
  order by private.distance_miles(v_lat, v_lon, p.latitude, p.longitude) nulls last,
           case when v_query is null then 0 else extensions.word_similarity(v_query, p.name) end desc,
           p.name, p.id
  limit least(greatest(coalesce(search_programs.max_results, 50), 1), 200)
  offset greatest(coalesce(search_programs.skip, 0), 0);
end
$$;

comment on function public.search_programs(text, text, numeric, public.service_category[], integer, integer) is
  'Program directory: programs nearest the centroid of zip first (distance_miles), optionally matching query (name, description or category), within within_miles, offering any of categories. max_results (1-200, default 50) and skip page the results. An unknown zip raises 22023 "Unknown ZIP code".';

revoke all on function public.search_programs(text, text, numeric, public.service_category[], integer, integer) from public, anon;
grant execute on function public.search_programs(text, text, numeric, public.service_category[], integer, integer)
  to authenticated, service_role;
