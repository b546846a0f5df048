-- People search: the words' "like" tests are written once in
-- search_visible_seekers and used by both the search rows' condition and the
-- walk in name order, which each wrote them out before. Same queries.

-- The ids of the matching seekers the caller can see (one page, in the
-- order asked for) and how many match in all. Reads seekers without RLS: it
-- applies the visibility rule itself (private.reaches over the reach rows).
--
-- How a page is found depends on how many people match, which Postgres
-- estimates for these words and this caller before running anything (the
-- query is planned per call, with the caller's reach and the words as known
-- values). The estimate is of the words as "like" patterns over the people
-- the caller reaches (the statistics of search_text): the index of pieces
-- guesses far too few for a common pair (116 for "ma", which 14,886 of
-- 97,626 people one helper reaches match at 10,000,000 referrals), and
-- reading 2,000 of them before walking cost more than the walk alone.
--   * a word of three characters or more: the people the caller reaches
--     whose text holds its pieces come from one index scan
--     (seeker_search_*_grams_idx), exactly or nearly the matches, so up to
--     10,000 of them are read and sorted (a name, a phone number, an email);
--   * otherwise up to 2,000 (everyone, a letter, a pair of letters; a pair's
--     matches also come from that index scan) are read and counted;
--   * more (a busy team's whole list, a common letter or pair): walk the
--     list's own order and stop after the page. In name order the walk reads
--     only the people the caller reaches (private.seeker_reach, one ordered
--     scan per id of theirs, merged); newest and recently updated walk
--     everyone in that order and check the rule on each.
-- total is exact up to 2,000 and null past it: counting tens of thousands of
-- people costs more than a page and tells a person nothing ("add a word to
-- narrow the search"). A guess that was too low is caught: the first two
-- ways stop one match past their limit and the walk takes over.
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
  v_inbound uuid[];
  v_scope uuid[];
  v_words text[];
  v_terms text[];
  v_pieces text[];
  v_order text;
  v_match text;
  v_where text;
  v_narrow text;
  v_arms text;
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
  v_inbound := private.my_inbound_programs();
  v_scope := private.my_outbound_scope();
  select coalesce(array_agg(lower(t)), '{}') into v_words
  from (select t from unnest(regexp_split_to_array(trim(coalesce(p_query, '')), '\s+')) t where t <> '' limit 4) w;
  select coalesce(array_agg('%' || replace(replace(replace(t, '\', '\\'), '%', '\%'), '_', '\_') || '%'), '{}')
    into v_terms
  from unnest(v_words) t;

  -- Words of two characters or more: their pieces in private.search_grams
  -- (the word itself when it has two to four characters, else each of its
  -- four-character pieces).
  select coalesce(array_agg(distinct p.p), '{}') into v_pieces
  from unnest(v_words) t
  cross join lateral (
    select t as p where char_length(t) between 2 and 4
    union all
    select substr(t, i, 4) from generate_series(1, char_length(t) - 3) i where char_length(t) > 4
  ) p;

  -- what a person must match (every word; and the rule, for the search
  -- rows); what narrows the index scan on top of it
  v_match := coalesce((select string_agg(format(' and x.search_text like ($3)[%s]', i), '')
                       from generate_subscripts(v_terms, 1) i), '');
  v_where := 'private.reaches(x.reach_received, x.reach_own, $1, $2)' || v_match;
  -- The pieces reach the planner as a value it cannot see while planning
  -- ((select $6)). Seen, a long word's pieces are counted as if independent
  -- ("johnson": 1 person guessed, 32,416 have all four pieces at 10,000,000
  -- referrals), and the pieces alone look so narrow that the planner reads
  -- every match among everyone and checks the reach on each (200 ms); unseen,
  -- it takes a default share and intersects the pieces with the caller's
  -- reach inside the index (16 ms).
  v_narrow := case when cardinality(v_pieces) > 0 then ' and private.search_grams(x.search_text) @> (select $6)' else '' end;
  -- everyone, a letter or a pair: read only as many as are counted, unless a
  -- longer word narrows the search
  v_limit := case when exists (select 1 from unnest(v_words) t where char_length(t) >= 3) then c_pieces
                  else c_counted end;

  execute format('explain (format json) select 1 from private.seeker_search x where %s', v_where)
    into v_plan
    using v_inbound, v_scope, v_terms, p_limit, p_offset;

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
      using v_inbound, v_scope, v_terms, p_limit, p_offset, v_pieces;
    if total <= v_limit then
      if total > c_counted then
        total := null;
      end if;
      return;
    end if;
  end if;

  -- the walk: the rule and the words, checked on each person in order
  total := null;
  if coalesce(p_sort, 'name') = 'name' then
    -- in name order: the rule taken one id of the caller's at a time (a
    -- program of theirs among the seeker's received ids, or an id of their
    -- scope among the seeker's sent ids: private.reaches, 05_visibility.sql),
    -- each id's people read in order from seeker_reach_name_idx up to the
    -- end of the page, merged; a person reached through two ids is read twice
    -- and kept once. (Each id is its own ordered, limited subquery: arms of a
    -- plain "union all" are not merged in index order by the planner.)
    select string_agg(format(
             '(select x.last_name, x.first_name, x.seeker_id from private.seeker_reach x'
             ' where x.arm = %L and x.key = ($%s)[%s]%s'
             ' order by x.last_name, x.first_name, x.seeker_id limit $6)',
             a.arm, case when a.arm = 'received' then 1 else 2 end, a.i, v_match),
           ' union all ')
      into v_arms
    from (select 'received' as arm, i from generate_subscripts(v_inbound, 1) i
          union all
          select 'sent', i from generate_subscripts(v_scope, 1) i) a;
    if v_arms is null then
      return;
    end if;
    execute format(
      $q$
        select array(
          select w.seeker_id from (
            select distinct x.last_name, x.first_name, x.seeker_id from (%s) x
            order by x.last_name, x.first_name, x.seeker_id
            limit $4 offset $5) w
          order by w.last_name, w.first_name, w.seeker_id)
      $q$, v_arms)
      into ids
      using v_inbound, v_scope, v_terms, p_limit, p_offset, p_limit + p_offset;
    return;
  end if;
  execute format(
    $q$
      select array(select x.seeker_id from private.seeker_search x where %s order by %s limit $4 offset $5)
    $q$, v_where, regexp_replace(v_order, '(^|, )', '\1x.', 'g'))
    into ids
    using v_inbound, v_scope, v_terms, p_limit, p_offset;
end
$$;
revoke all on function private.search_visible_seekers(p_query text, p_limit integer, p_offset integer, p_sort text, OUT ids uuid[], OUT total bigint) from public, anon, authenticated, service_role;
grant execute on function private.search_visible_seekers(p_query text, p_limit integer, p_offset integer, p_sort text, OUT ids uuid[], OUT total bigint) to authenticated;
