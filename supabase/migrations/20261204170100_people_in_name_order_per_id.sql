-- People I'm Helping in name order walks only the people the caller reaches:
-- private.seeker_reach holds each search row once per id that reaches the
-- seeker, in name order under each id, kept by a trigger on
-- private.seeker_search. A walk merges one ordered scan per id of the caller
-- instead of reading everyone in name order (a common ending such as "son"
-- read 129,000 rows for a helper who reaches 5% of 2,000,000 people). The
-- name index of seeker_search, used only by that walk, goes.

create table private.seeker_reach (
  arm text not null,
  key uuid not null,
  seeker_id uuid not null,
  last_name text not null,
  first_name text not null,
  search_text text not null,
  constraint seeker_reach_arm_check check ((arm = any (array['received'::text, 'sent'::text])))
);
comment on table private.seeker_reach is 'private.seeker_search once per id that reaches each seeker (arm received: a program in reach_received; sent: an id in reach_own), for walking the people a caller reaches in name order (search_people). Kept by a trigger on private.seeker_search; never edit by hand. Not reachable through the API.';
comment on column private.seeker_reach.arm is 'received: key is a program the seeker''s referrals were sent to (reach_received); sent: key is a user or organisation in reach_own. Text, not a boolean: Postgres turns "flag = false" into "not flag", which is no equality, and the index could then not give its rows in name order under one key.';
comment on column private.seeker_reach.key is 'One id of reach_received or reach_own.';

alter table private.seeker_reach enable row level security;

revoke all on table private.seeker_reach from public, anon, authenticated, service_role;

create or replace function private.seeker_reach_from_search()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE'
     and new.reach_received = old.reach_received and new.reach_own = old.reach_own
     and new.last_name = old.last_name and new.first_name = old.first_name
     and new.search_text = old.search_text then
    return null;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then
    delete from private.seeker_reach x
    using (select 'received', k from unnest(old.reach_received) k
           union all
           select 'sent', k from unnest(old.reach_own) k) o(arm, key)
    where x.arm = o.arm and x.key = o.key
      and x.last_name = old.last_name and x.first_name = old.first_name and x.seeker_id = old.seeker_id;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into private.seeker_reach (arm, key, seeker_id, last_name, first_name, search_text)
    select 'received', k, new.seeker_id, new.last_name, new.first_name, new.search_text from unnest(new.reach_received) k
    union all
    select 'sent', k, new.seeker_id, new.last_name, new.first_name, new.search_text from unnest(new.reach_own) k;
  end if;
  return null;
end
$$;
revoke all on function private.seeker_reach_from_search() from public, anon, authenticated, service_role;

-- the trigger first: it holds off writes to the search rows until the copy below commits
create trigger seeker_search_reach after insert or delete or update on private.seeker_search for each row execute function private.seeker_reach_from_search();

insert into private.seeker_reach (arm, key, seeker_id, last_name, first_name, search_text)
select 'received', k, x.seeker_id, x.last_name, x.first_name, x.search_text
from private.seeker_search x cross join lateral unnest(x.reach_received) k
union all
select 'sent', k, x.seeker_id, x.last_name, x.first_name, x.search_text
from private.seeker_search x cross join lateral unnest(x.reach_own) k;

set local maintenance_work_mem = '256MB';
create index seeker_reach_name_idx on private.seeker_reach (arm, key, last_name, first_name, seeker_id) include (search_text);

drop index private.seeker_search_name_idx;

create or replace function private.rebuild_seeker_search()
returns void
language plpgsql
security definer
set search_path = ''
set maintenance_work_mem = '256MB'
as $$
declare
  v_indexes record;
begin
  select coalesce(array_agg(i.indexrelid::regclass::text order by i.indexrelid), '{}') as names,
         coalesce(array_agg(pg_catalog.pg_get_indexdef(i.indexrelid) order by i.indexrelid), '{}') as definitions
    into v_indexes
  from pg_catalog.pg_index i
  where i.indrelid in ('private.seeker_search'::regclass, 'private.seeker_reach'::regclass) and not i.indisprimary;
  for i in 1 .. cardinality(v_indexes.names) loop
    execute format('drop index %s', v_indexes.names[i]);
  end loop;
  alter table private.seeker_search disable trigger seeker_search_reach;
  truncate private.seeker_search, private.seeker_reach;
  insert into private.seeker_search
    (seeker_id, reach_received, reach_own, search_text, last_name, first_name, created_at, updated_at)
  select v.seeker_id, v.reach_received, v.reach_own, v.search_text, v.last_name, v.first_name, v.created_at, v.updated_at
  from private.seeker_search_rows v;
  insert into private.seeker_reach (arm, key, seeker_id, last_name, first_name, search_text)
  select 'received', k, x.seeker_id, x.last_name, x.first_name, x.search_text
  from private.seeker_search x cross join lateral unnest(x.reach_received) k
  union all
  select 'sent', k, x.seeker_id, x.last_name, x.first_name, x.search_text
  from private.seeker_search x cross join lateral unnest(x.reach_own) k;
  alter table private.seeker_search enable trigger seeker_search_reach;
  for i in 1 .. cardinality(v_indexes.definitions) loop
    execute v_indexes.definitions[i];
  end loop;
  analyze private.seeker_search;
  analyze private.seeker_reach;
end
$$;
revoke all on function private.rebuild_seeker_search() from public, anon, authenticated, service_role;

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
             a.arm, case when a.arm = 'received' then 1 else 2 end, a.i,
             coalesce((select string_agg(format(' and x.search_text like ($3)[%s]', t), '')
                       from generate_subscripts(v_terms, 1) t), '')),
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

analyze private.seeker_reach;
