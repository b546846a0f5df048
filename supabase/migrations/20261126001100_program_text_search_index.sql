-- =============================================================================
-- search_programs with a text query reads the matches from indexes instead of
-- testing every program. Same signature, same rows, same order.
--
-- A query matches a program when its name or description contains the query
-- (ILIKE '%query%') or one of its categories starts with it. Before, that OR
-- was tested on all 10,003 programs of the scale data (two ILIKEs and an
-- unnest per program: ~24 ms inside Postgres for "food"). Now:
--   * name (programs_name_trgm_idx, already there) and description (new) have
--     trigram GIN indexes, which serve ILIKE '%…%' for a query of three or
--     more characters;
--   * the category test becomes `service_categories && <the categories whose
--     name starts with the query>`, the same test written against the enum's
--     values, served by a GIN index on service_categories;
-- so the three arms of the OR become one BitmapOr, and only the programs that
-- can match are read (and rechecked with the same ILIKEs).
--
-- The function keeps plans custom (plan_cache_mode): with the query known at
-- planning time Postgres picks the index for three characters or more and the
-- sequential scan for one or two (a trigram index cannot narrow those), where
-- a generic plan would pick one shape for every query.
-- =============================================================================

create extension if not exists pg_trgm with schema extensions;

create index if not exists programs_description_trgm_idx
  on public.programs using gin (description extensions.gin_trgm_ops);
create index if not exists programs_service_categories_idx
  on public.programs using gin (service_categories);

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
language plpgsql stable security invoker
set search_path = ''
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
declare
  v_lat double precision;
  v_lon double precision;
  v_query text := nullif(trim(search_programs.query), '');
  v_query_categories public.service_category[] := '{}';
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
           or p.service_categories && v_query_categories
           or (v_fuzzy and extensions.word_similarity(v_query, p.name) >= 0.5))
      and (search_programs.categories is null or p.service_categories && search_programs.categories)
  ) d
  where search_programs.within_miles is null or d.miles <= search_programs.within_miles
  order by d.miles nulls last, d.similarity desc, d.name, d.id
  limit least(greatest(coalesce(search_programs.max_results, 50), 1), 200)
  offset greatest(coalesce(search_programs.skip, 0), 0);
end
$$;

-- =============================================================================
-- People I'm Helping (search_people): a fragment of three or more characters
-- is looked up in a trigram index on seekers.search_text first.
--
-- Before, every search tested each seeker the caller can see: Helen sees
-- ~9,700 seekers (Eastside shares), so each search walked ~9,700 entries of
-- the covering index (~15 ms) to find, say, the 274 visible matches of
-- "mart". Now, when every word has at least three characters, the function
-- reads the ids of all seekers matching the words from the trigram index
-- (6,429 for "mart" among 200,000, ~7 ms), keeps those the caller can see
-- (the same visible set as before, now intersected in memory) and reads only
-- those. When the words match more seekers than the caller can see (a
-- fragment common to nearly everyone), it stops after that many and falls
-- back to testing the visible seekers, as before. Fragments of one or two
-- characters cannot use a trigram index and search as before.
--
-- The function reads seekers without RLS (security definer), which is what
-- lets the index serve LIKE here: under the seekers policy Postgres may not
-- use it (LIKE is not leakproof). Same visibility rules, same rows, same
-- order, same total.
-- =============================================================================

create index if not exists seekers_search_text_trgm_idx
  on public.seekers using gin (search_text extensions.gin_trgm_ops);

create or replace function private.search_visible_seekers(
  p_query text, p_limit integer, p_offset integer,
  out ids uuid[], out total bigint)
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_words text[];
  v_terms text[];
  v_longest text;
  v_visible uuid[];
  v_candidates uuid[];
begin
  ids := '{}';
  total := 0;
  if v_uid is null then
    return;
  end if;
  select coalesce(array_agg(t), '{}') into v_words
  from (select t from unnest(regexp_split_to_array(trim(coalesce(p_query, '')), '\s+')) t where t <> '' limit 4) w;
  select coalesce(array_agg('%' || replace(replace(replace(lower(t), '\', '\\'), '%', '\%'), '_', '\_') || '%'), '{}')
    into v_terms
  from unnest(v_words) t;

  v_visible := array(
    select v.id from private.staff_seeker_ids() v(id)
    union
    select s.id from public.seekers s where s.created_by = v_uid
    union
    select s.id from public.seekers s where s.user_id = v_uid);

  -- every word three characters or more: all seekers matching the words,
  -- from the trigram index, unless they are more than the caller can see
  if cardinality(v_words) > 0 and (select min(char_length(t)) from unnest(v_words) t) >= 3 then
    select t into v_longest from unnest(v_terms) t order by char_length(t) desc limit 1;
    -- planned for this pattern each time (a common fragment reads faster
    -- sequentially and stops early, a rare one through the index)
    execute 'select array(select s.id from public.seekers s
                          where s.search_text like $1 and s.search_text like all ($2) limit $3)'
      into v_candidates
      using v_longest, v_terms, cardinality(v_visible) + 1;
    if cardinality(v_candidates) <= cardinality(v_visible) then
      -- every match is in v_candidates: keep the visible ones
      v_visible := array(select unnest(v_candidates) intersect select unnest(v_visible));
    end if;
  end if;

  with matched as (
    select s.id, s.last_name, s.first_name
    from public.seekers s
    where s.id = any (v_visible)
      and s.search_text like all (v_terms)
  )
  select array(select m.id from matched m order by m.last_name, m.first_name, m.id limit p_limit offset p_offset),
         (select count(*) from matched)
    into ids, total;
end
$$;
