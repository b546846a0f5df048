-- People I'm Helping chooses between reading the matches through the index of
-- pieces and walking the list in order from the estimate of the words as
-- "like" patterns: the index's own estimate for a common pair was far too low
-- at 10,000,000 referrals ("ma": 116 guessed, 14,886 matched), so a search
-- read 2,000 matches and then walked anyway. The pieces of a long word are
-- no longer shown to the planner ("johnson" read every match among everyone:
-- 200 ms, now 16 ms). The caller's reach is read once per search, not once
-- per query.

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

  -- what a person must match; what narrows the index scan on top of it
  v_where := 'private.reaches(x.reach_received, x.reach_own, $1, $2)'
    || coalesce((select string_agg(format(' and x.search_text like ($3)[%s]', i), '')
                 from generate_subscripts(v_terms, 1) i), '');
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
