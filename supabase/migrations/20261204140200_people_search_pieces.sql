-- People I'm Helping finds a word's matches among the people a caller
-- reaches in one index scan: private.search_grams (the three- and
-- four-character pieces of a seeker's text) is indexed beside each reach
-- arm. A word of three or four characters is one piece, so its matches come
-- from the index exactly; up to 10,000 of them are read and sorted. The
-- trigram index (candidates to recheck, 85% wrong for "mart" at 10,000,000
-- referrals) and the reach-only indexes (the new ones answer a reach alone
-- too) go. The walk in list order no longer recomputes letter pairs per
-- person. Rebuilding the search rows drops their other indexes and builds
-- them again once the rows are in.

create or replace function private.search_grams(p_text text)
returns text[]
language plpgsql
immutable parallel safe strict
set search_path = ''
as $$
declare
  v_grams text[] := '{}';
  v_piece text;
begin
  for i in 1 .. char_length(p_text) - 2 loop
    v_piece := substr(p_text, i, 4);
    if strpos(v_piece, ' ') = 0 then
      v_grams := v_grams || v_piece;
      if char_length(v_piece) = 4 then
        v_grams := v_grams || substr(v_piece, 1, 3);
      end if;
    elsif strpos(v_piece, ' ') = 4 then
      v_grams := v_grams || substr(v_piece, 1, 3);
    end if;
  end loop;
  return v_grams;
end
$$;
comment on function private.search_grams(p_text text) is 'The three- and four-character substrings of a text without a space; indexed with the reach of each seeker for People I''m Helping search.';

drop index private.seeker_search_trgm_idx;
drop index private.seeker_search_own_idx;
drop index private.seeker_search_received_idx;
create index seeker_search_own_grams_idx on private.seeker_search using gin (reach_own, private.search_grams(search_text));
create index seeker_search_received_grams_idx on private.seeker_search using gin (reach_received, private.search_grams(search_text));

create or replace function private.search_visible_seekers(p_query text, p_limit integer, p_offset integer, p_sort text, OUT ids uuid[], OUT total bigint)
returns record
language plpgsql
volatile security definer -- volatile: it asks the planner (EXPLAIN) first; it writes nothing
set search_path = ''
as $$
declare
  c_counted constant integer := 2000;
  c_pieces constant integer := 10000;
  v_uid uuid := auth.uid();
  v_words text[];
  v_terms text[];
  v_grams text[];
  v_pieces text[];
  v_elems text[];
  v_freqs real[];
  v_order text;
  v_where text;
  v_narrow text;
  v_limit integer;
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

  -- Words of three characters or more: their pieces in private.search_grams
  -- (the word itself when it has three or four characters, else each of its
  -- four-character pieces).
  select coalesce(array_agg(distinct p.p), '{}') into v_pieces
  from unnest(v_words) t
  cross join lateral (
    select t as p where char_length(t) between 3 and 4
    union all
    select substr(t, i, 4) from generate_series(1, char_length(t) - 3) i where char_length(t) > 4
  ) p;

  -- Shorter words: the letter pairs worth asking the pair index for: at most
  -- the two rarest, and none found in more than 30% of people (a pair nearly
  -- everyone has, such as "ex" from the e-mail addresses, costs more to read
  -- from the index than it saves). How common each pair is comes from the
  -- index's statistics; a pair not among its most common elements is rarer
  -- than all of them. Without statistics (before the first ANALYZE) every
  -- pair counts as rare.
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

  -- what a person must match; what narrows the index scans on top of it
  v_where := 'private.reaches(x.reach_received, x.reach_own, $1, $2)'
    || coalesce((select string_agg(format(' and x.search_text like ($3)[%s]', i), '')
                 from generate_subscripts(v_terms, 1) i), '');
  v_narrow := case when cardinality(v_pieces) > 0 then ' and private.search_grams(x.search_text) @> $7' else '' end
    || case when cardinality(v_grams) > 0 then ' and private.bigrams(x.search_text) @> $6' else '' end;
  v_limit := case when cardinality(v_pieces) > 0 then c_pieces else c_counted end;

  execute format('explain (format json) select 1 from private.seeker_search x where %s%s', v_where, v_narrow)
    into v_plan
    using private.my_inbound_programs(), private.my_outbound_scope(), v_terms, p_limit, p_offset, v_grams, v_pieces;

  if (v_plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric <= v_limit then
    execute format(
      $q$
        with matched as materialized (
          select x.seeker_id, x.last_name, x.first_name, x.created_at, x.updated_at
          from private.seeker_search x
          where %s%s
          limit %s
        )
        select array(select m.seeker_id from matched m order by %s limit $4 offset $5),
               (select count(*) from matched)
      $q$, v_where, v_narrow, v_limit + 1, v_order)
      into ids, total
      using private.my_inbound_programs(), private.my_outbound_scope(), v_terms, p_limit, p_offset, v_grams, v_pieces;
    if total <= v_limit then
      if total > c_counted then
        total := null;
      end if;
      return;
    end if;
  end if;

  -- the walk: the rule and the words, checked on each person in order
  total := null;
  execute format(
    $q$
      select array(select x.seeker_id from private.seeker_search x where %s order by %s limit $4 offset $5)
    $q$, v_where, regexp_replace(v_order, '(^|, )', '\1x.', 'g'))
    into ids
    using private.my_inbound_programs(), private.my_outbound_scope(), v_terms, p_limit, p_offset;
end
$$;
create or replace function private.rebuild_seeker_search()
returns void
language plpgsql
security definer
set search_path = ''
set maintenance_work_mem = '256MB'
as $$
declare
  v_index record;
  v_definitions text[];
begin
  select coalesce(array_agg(pg_catalog.pg_get_indexdef(i.indexrelid) order by i.indexrelid), '{}')
    into v_definitions
  from pg_catalog.pg_index i
  where i.indrelid = 'private.seeker_search'::regclass and not i.indisprimary;
  for v_index in
    select i.indexrelid::regclass as name
    from pg_catalog.pg_index i
    where i.indrelid = 'private.seeker_search'::regclass and not i.indisprimary
  loop
    execute format('drop index %s', v_index.name);
  end loop;
  truncate private.seeker_search;
  insert into private.seeker_search
    (seeker_id, reach_received, reach_own, search_text, last_name, first_name, created_at, updated_at)
  select v.seeker_id, v.reach_received, v.reach_own, v.search_text, v.last_name, v.first_name, v.created_at, v.updated_at
  from private.seeker_search_rows v;
  for i in 1 .. cardinality(v_definitions) loop
    execute v_definitions[i];
  end loop;
  analyze private.seeker_search;
end
$$;
