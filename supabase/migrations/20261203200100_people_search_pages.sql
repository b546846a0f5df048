-- People I'm Helping: pages that cost the same however many people a team
-- reaches. Trigram and list-order indexes on the search rows, and a search
-- that counts exactly up to 2,000 matches and otherwise walks the list's order
-- and stops after the page (total_count then empty).

create index seeker_search_trgm_idx on private.seeker_search using gin (search_text extensions.gin_trgm_ops);
create index seeker_search_name_idx on private.seeker_search (last_name, first_name, seeker_id) include (reach_received, reach_own, search_text);
create index seeker_search_newest_idx on private.seeker_search (created_at desc, seeker_id);
create index seeker_search_updated_idx on private.seeker_search (updated_at desc, seeker_id);

-- The ids of the matching seekers the caller can see (one page, in the
-- order asked for) and how many match in all. Reads seekers without RLS: it
-- applies the visibility rule itself (private.reaches over the reach rows).
--
-- How a page is found depends on how many people match, which Postgres
-- estimates for these words and this caller before running anything (the
-- query is planned per call, with the caller's reach and the words as known
-- values):
--   * up to 2,000 (a quiet caller, a name, a phone number): read them all
--     through whichever index narrows most (the reach, the letter pairs,
--     the trigrams), count them exactly and sort;
--   * more (a busy team's whole list, a single letter): walk the list's own
--     order (name, newest, recently updated) and stop after the page. total
--     is then null: counting tens of thousands of people costs more than a
--     page and tells a person nothing ("add a word to narrow the search").
-- A guess that was too low is caught: the first way stops at 2,001 matches
-- and the walk takes over.
create or replace function private.search_visible_seekers(p_query text, p_limit integer, p_offset integer, p_sort text, OUT ids uuid[], OUT total bigint)
returns record
language plpgsql
volatile security definer -- volatile: it asks the planner (EXPLAIN) first; it writes nothing
set search_path = ''
as $$
declare
  c_counted constant integer := 2000;
  v_uid uuid := auth.uid();
  v_words text[];
  v_terms text[];
  v_grams text[];
  v_elems text[];
  v_freqs real[];
  v_order text;
  v_where text;
  v_plan json;
begin
  ids := '{}';
  total := 0;
  v_order := case coalesce(p_sort, 'name')
    when 'name' then 'last_name, first_name, seeker_id'
    when 'newest' then 'created_at desc, seeker_id'
    when 'recently_updated' then 'updated_at desc, seeker_id'
  end;
  if v_order is null then
    raise exception 'Unknown sort: %', p_sort
      using errcode = '22023', hint = 'Sort by name, newest or recently_updated.';
  end if;
  if v_uid is null then
    return;
  end if;
  select coalesce(array_agg(lower(t)), '{}') into v_words
  from (select t from unnest(regexp_split_to_array(trim(coalesce(p_query, '')), '\s+')) t where t <> '' limit 4) w;
  select coalesce(array_agg('%' || replace(replace(replace(t, '\', '\\'), '%', '\%'), '_', '\_') || '%'), '{}')
    into v_terms
  from unnest(v_words) t;

  -- Words of three characters or more are found through the trigram index
  -- (each "like" below can use it). For shorter words, the letter pairs worth
  -- asking the pair index for: at most the two rarest, and none found in more
  -- than 30% of people (a pair nearly everyone has, such as "ex" from the
  -- e-mail addresses, costs more to read from the index than it saves). How
  -- common each pair is comes from the index's statistics; a pair not among
  -- its most common elements is rarer than all of them. Without statistics
  -- (before the first ANALYZE) every pair counts as rare.
  select st.most_common_elems::text::text[], st.most_common_elem_freqs into v_elems, v_freqs
  from pg_catalog.pg_stats st
  where st.schemaname = 'private' and st.tablename = 'seeker_search_bigrams_idx' and st.attname = 'bigrams';
  select coalesce(array_agg(x.g), '{}') into v_grams
  from (
    select g, coalesce(v_freqs[array_position(v_elems, g)], 0) as f
    from (select distinct g from unnest(v_words) t cross join lateral unnest(private.bigrams(t)) g
          where char_length(t) < 3) pairs
    order by 2, 1
    limit 2
  ) x
  where x.f <= 0.3;

  v_where := 'private.reaches(x.reach_received, x.reach_own, $1, $2)'
    || coalesce((select string_agg(format(' and x.search_text like ($3)[%s]', i), '')
                 from generate_subscripts(v_terms, 1) i), '')
    || case when cardinality(v_grams) > 0 then ' and private.bigrams(x.search_text) @> $6' else '' end;

  execute format('explain (format json) select 1 from private.seeker_search x where %s', v_where)
    into v_plan
    using private.my_inbound_programs(), private.my_outbound_scope(), v_terms, p_limit, p_offset, v_grams;

  if (v_plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric <= c_counted then
    execute format(
      $q$
        with matched as materialized (
          select x.seeker_id, x.last_name, x.first_name, x.created_at, x.updated_at
          from private.seeker_search x
          where %s
          limit %s
        )
        select array(select m.seeker_id from matched m order by %s limit $4 offset $5),
               (select count(*) from matched)
      $q$, v_where, c_counted + 1, v_order)
      into ids, total
      using private.my_inbound_programs(), private.my_outbound_scope(), v_terms, p_limit, p_offset, v_grams;
    if total <= c_counted then
      return;
    end if;
  end if;

  total := null;
  execute format(
    $q$
      select array(select x.seeker_id from private.seeker_search x where %s order by %s limit $4 offset $5)
    $q$, v_where, regexp_replace(v_order, '(^|, )', '\1x.', 'g'))
    into ids
    using private.my_inbound_programs(), private.my_outbound_scope(), v_terms, p_limit, p_offset, v_grams;
end
$$;
revoke all on function private.search_visible_seekers(p_query text, p_limit integer, p_offset integer, p_sort text, OUT ids uuid[], OUT total bigint) from public, anon, authenticated, service_role;
grant execute on function private.search_visible_seekers(p_query text, p_limit integer, p_offset integer, p_sort text, OUT ids uuid[], OUT total bigint) to authenticated;

comment on function public.search_people(query text, max_results integer, skip integer, sort text) is 'People I''m Helping: the seekers the caller can see whose name, email or phone contains every word of query (all of them when query is empty); sort is name (default), newest or recently_updated; max_results (1-200, default 20) and skip page them; total_count is the number of matches, or empty when more people match than are counted (over 2,000: ask for one row more than a page to know whether another page follows). Subject to the seekers policy.';
