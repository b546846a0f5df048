-- =============================================================================
-- People I'm Helping: ask the letter-pair index only for pairs that narrow.
--
-- With `…001300` every letter pair of the words went to the GIN index. For a
-- fragment whose pairs nearly everyone has ("example" from the e-mail
-- addresses, "512" from the phone numbers) that read six posting lists of
-- ~160,000 entries each to narrow nothing: ~40 ms for a worker who sees
-- 10,000 people, twice what listing them all costs. Now at most the two
-- rarest pairs are used, and none that is in more than 30% of people (from
-- the index's statistics); the words are still tested exactly on every row.
-- Same signature and results.
-- =============================================================================

create or replace function private.search_visible_seekers(
  p_query text, p_limit integer, p_offset integer, out ids uuid[], out total bigint)
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_words text[];
  v_terms text[];
  v_grams text[];
  v_elems text[];
  v_freqs real[];
begin
  ids := '{}';
  total := 0;
  if v_uid is null then
    return;
  end if;
  select coalesce(array_agg(lower(t)), '{}') into v_words
  from (select t from unnest(regexp_split_to_array(trim(coalesce(p_query, '')), '\s+')) t where t <> '' limit 4) w;
  select coalesce(array_agg('%' || replace(replace(replace(t, '\', '\\'), '%', '\%'), '_', '\_') || '%'), '{}')
    into v_terms
  from unnest(v_words) t;

  -- The letter pairs worth asking the index for: at most the two rarest, and
  -- none found in more than 30% of people (a pair nearly everyone has, such as
  -- "ex" from the e-mail addresses or "51" from the phone numbers, costs more
  -- to read from the index than it saves). How common each pair is comes from
  -- the index's statistics; a pair not among its most common elements is
  -- rarer than all of them. Without statistics (before the first ANALYZE)
  -- every pair counts as rare.
  select st.most_common_elems::text::text[], st.most_common_elem_freqs into v_elems, v_freqs
  from pg_catalog.pg_stats st
  where st.schemaname = 'private' and st.tablename = 'seeker_search_bigrams_idx' and st.attname = 'bigrams';
  select coalesce(array_agg(x.g), '{}') into v_grams
  from (
    select g, coalesce(v_freqs[array_position(v_elems, g)], 0) as f
    from (select distinct g from unnest(v_words) t cross join lateral unnest(private.bigrams(t)) g) pairs
    order by 2, 1
    limit 2
  ) x
  where x.f <= 0.3;

  -- planned for these words each time: whether the letter pairs narrow the
  -- search more than the caller's reach depends on the words
  execute format(
    $q$
      with matched as materialized (
        select x.seeker_id, x.last_name, x.first_name
        from private.seeker_search x
        where (x.reach_received && $1 or x.reach_own && $2)
          %s
          and x.search_text like all ($3)
      )
      select array(select m.seeker_id from matched m
                   order by m.last_name, m.first_name, m.seeker_id limit $4 offset $5),
             (select count(*) from matched)
    $q$,
    case when cardinality(v_grams) > 0 then 'and private.bigrams(x.search_text) @> $6' else '' end)
    into ids, total
    using private.my_program_array(), private.my_shared_scope(), v_terms, p_limit, p_offset, v_grams;
end
$$;
