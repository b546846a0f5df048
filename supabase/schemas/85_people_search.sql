-- =============================================================================
-- People I'm Helping: one search row per seeker (who reaches them, the text
-- to match), kept by triggers, read by search_people.
-- =============================================================================

-- Every two-, three- and four-character piece of a text that holds no space
-- ('maria lee' → {ma, mar, mari, ar, ari, aria, ri, ria, ia, le, lee, ee}).
-- A word of two to four characters is in a text exactly when it is one of
-- these pieces; a longer word only where all its four-character pieces are
-- (then "like" decides). Indexed beside who reaches each seeker
-- (seeker_search_*_grams_idx), so a search for a word reads only the matching
-- people the caller reaches. (PL/pgSQL: twice as fast as the same in SQL,
-- which matters when a whole table is indexed.)
create or replace function private.search_grams(p_text text)
returns text[]
language plpgsql
immutable parallel safe strict
set search_path = ''
as $$
declare
  v_grams text[] := '{}';
  v_piece text;
  v_length integer;
begin
  for i in 1 .. char_length(p_text) - 1 loop
    -- the longest piece from here without a space, up to four characters
    v_piece := substr(p_text, i, 4);
    v_length := coalesce(nullif(strpos(v_piece, ' '), 0) - 1, char_length(v_piece));
    for n in 2 .. v_length loop
      v_grams := v_grams || substr(v_piece, 1, n);
    end loop;
  end loop;
  return v_grams;
end
$$;
comment on function private.search_grams(p_text text) is 'The two- to four-character substrings of a text without a space; indexed with the reach of each seeker for People I''m Helping search.';

-- seeker_search -------------------------------------------------------------

create table private.seeker_search (
  seeker_id uuid not null,
  reach_received uuid[] default '{}'::uuid[] not null,
  reach_own uuid[] default '{}'::uuid[] not null,
  search_text text not null,
  last_name text not null,
  first_name text not null,
  created_at timestamp with time zone not null,
  updated_at timestamp with time zone not null,
  constraint seeker_search_pkey primary key (seeker_id),
  constraint seeker_search_seeker_id_fkey foreign key (seeker_id) references public.seekers(id) on delete cascade
);
comment on table private.seeker_search is 'Who reaches each seeker, with their searchable text, for People I''m Helping (search_people). Kept by triggers on public.seekers and public.referrals; never edit by hand (rebuild: select private.rebuild_seeker_search()). Not reachable through the API.';
comment on column private.seeker_search.reach_received is 'Programs the seeker''s referrals were sent to: their claimers see the seeker (rule 3).';
comment on column private.seeker_search.reach_own is 'The seeker''s own account, their creator and creating organisation, and the referrers and sending organisations of their referrals: seen by that user, or by the organisation''s team while it shares.';
comment on column private.seeker_search.search_text is 'Copy of public.seekers.search_text.';
comment on column private.seeker_search.created_at is 'Copy of public.seekers.created_at (sort "newest").';
comment on column private.seeker_search.updated_at is 'Copy of public.seekers.updated_at (sort "recently_updated").';

-- who reaches each seeker (alone, or with the pieces of their text: one scan
-- finds the people a caller reaches whose text holds a word)
create index seeker_search_own_grams_idx on private.seeker_search using gin (reach_own, private.search_grams(search_text));
create index seeker_search_received_grams_idx on private.seeker_search using gin (reach_received, private.search_grams(search_text));
create index seeker_search_newest_idx on private.seeker_search (created_at desc, seeker_id);
create index seeker_search_updated_idx on private.seeker_search (updated_at desc, seeker_id);

alter table private.seeker_search enable row level security;

revoke all on table private.seeker_search from public, anon, authenticated, service_role;

-- seeker_reach ----------------------------------------------------------------

-- The same rows once per id that reaches each seeker, in name order under
-- each id: the list of people in name order walks only the people the
-- caller reaches, one ordered index scan per id of theirs (their inbound
-- programs, their own id and sharing organisations), merged. Walking the
-- whole list in name order instead read everyone the caller does not reach
-- on the way (a helper reaching 5% of 2,000,000 people read 129,000 rows for
-- "son" at 10,000,000 referrals). Kept from seeker_search by its trigger
-- below.
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

create index seeker_reach_name_idx on private.seeker_reach (arm, key, last_name, first_name, seeker_id) include (search_text);

alter table private.seeker_reach enable row level security;

revoke all on table private.seeker_reach from public, anon, authenticated, service_role;

-- The ids that reach a seeker, one row each with its arm: the programs of
-- reach_received ('received') and the ids of reach_own ('sent'). The one
-- place a search row's two arrays become seeker_reach's rows (the trigger
-- below, and rebuild_seeker_search). Plain SQL without a SET clause on
-- purpose, like private.reaches: Postgres inlines it where it is read, and
-- plans the trigger's delete and insert and the rebuild's fill over the bare
-- unnest (a SET clause stops the inlining); it names only built-in functions.
create or replace function private.seeker_reach_keys(p_received uuid[], p_own uuid[])
returns table (arm text, key uuid)
language sql
immutable parallel safe
as $$
  select 'received'::text, k from unnest(p_received) k
  union all
  select 'sent'::text, k from unnest(p_own) k
$$;
revoke all on function private.seeker_reach_keys(uuid[], uuid[]) from public, anon, authenticated, service_role;

-- A seeker's rows follow their search row (the reach, the name and the text;
-- nothing else is copied, so a change of anything else writes nothing).
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
    using private.seeker_reach_keys(old.reach_received, old.reach_own) o
    where x.arm = o.arm and x.key = o.key
      and x.last_name = old.last_name and x.first_name = old.first_name and x.seeker_id = old.seeker_id;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into private.seeker_reach (arm, key, seeker_id, last_name, first_name, search_text)
    select o.arm, o.key, new.seeker_id, new.last_name, new.first_name, new.search_text
    from private.seeker_reach_keys(new.reach_received, new.reach_own) o;
  end if;
  return null;
end
$$;
revoke all on function private.seeker_reach_from_search() from public, anon, authenticated, service_role;

create trigger seeker_search_reach after insert or delete or update on private.seeker_search for each row execute function private.seeker_reach_from_search();

-- Emptying the search rows (a TRUNCATE of public.seekers reaches them through
-- their foreign key) empties these too: a row trigger never sees a TRUNCATE,
-- and rows left behind would name people who are gone.
create or replace function private.seeker_reach_truncate()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  truncate private.seeker_reach;
  return null;
end
$$;
revoke all on function private.seeker_reach_truncate() from public, anon, authenticated, service_role;

create trigger seeker_search_reach_truncate after truncate on private.seeker_search for each statement execute function private.seeker_reach_truncate();

-- seeker_search_rows --------------------------------------------------------

create view private.seeker_search_rows as
 select s.id as seeker_id,
    COALESCE(rr.received, '{}'::uuid[]) as reach_received,
    array( select distinct v.v
           from unnest(array[s.user_id, s.created_by, s.created_from_site_id, s.created_from_program_id] || COALESCE(rr.own, '{}'::uuid[])) v(v)
          where v.v is not null) as reach_own,
    s.search_text,
    s.last_name,
    s.first_name,
    s.created_at,
    s.updated_at
   from public.seekers s
     left join ( select r.seeker_id,
            array_agg(distinct r.program_id) as received,
            (array_agg(distinct r.referred_by) || array_agg(distinct r.from_site_id)) || array_agg(distinct r.from_program_id) as own
           from public.referrals r
          GROUP BY r.seeker_id) rr on rr.seeker_id = s.id;
comment on view private.seeker_search_rows is 'What private.seeker_search holds for each seeker, computed from public.seekers and public.referrals.';

revoke all on table private.seeker_search_rows from public, anon, authenticated, service_role;

-- One seeker's row, from the seeker and their referrals.
create or replace function private.refresh_seeker_search(p_seeker_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- one refresh per seeker at a time; the statement below then sees every
  -- referral committed meanwhile (two referrals for one person at once)
  perform 1 from public.seekers s where s.id = p_seeker_id for no key update;
  if not found then
    delete from private.seeker_search where seeker_id = p_seeker_id;
    return;
  end if;
  insert into private.seeker_search as x
    (seeker_id, reach_received, reach_own, search_text, last_name, first_name, created_at, updated_at)
  select v.seeker_id, v.reach_received, v.reach_own, v.search_text, v.last_name, v.first_name, v.created_at, v.updated_at
  from private.seeker_search_rows v
  where v.seeker_id = p_seeker_id
  on conflict (seeker_id) do update
    set reach_received = excluded.reach_received,
        reach_own = excluded.reach_own,
        search_text = excluded.search_text,
        last_name = excluded.last_name,
        first_name = excluded.first_name,
        created_at = excluded.created_at,
        updated_at = excluded.updated_at;
end
$$;
revoke all on function private.refresh_seeker_search(p_seeker_id uuid) from public, anon, authenticated, service_role;

-- Every row again, set-based (after bulk loads with triggers off, and here).
-- The other indexes of both tables are dropped first and built again from
-- their own definitions once the rows are in: filled row by row, the two GIN
-- indexes of pieces took most of the time. seeker_reach is filled from
-- seeker_search in one statement, seeker_search's triggers off meanwhile
-- (left on, emptying both tables in one statement would have the TRUNCATE
-- trigger empty seeker_reach again in the middle of it, which Postgres
-- refuses).
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
  alter table private.seeker_search disable trigger seeker_search_reach_truncate;
  truncate private.seeker_search, private.seeker_reach;
  -- in name order on disk: the matches of a surname sit together, so a
  -- search reads a few pages for them instead of one page per person
  insert into private.seeker_search
    (seeker_id, reach_received, reach_own, search_text, last_name, first_name, created_at, updated_at)
  select v.seeker_id, v.reach_received, v.reach_own, v.search_text, v.last_name, v.first_name, v.created_at, v.updated_at
  from private.seeker_search_rows v
  order by v.last_name, v.first_name, v.seeker_id;
  insert into private.seeker_reach (arm, key, seeker_id, last_name, first_name, search_text)
  select o.arm, o.key, x.seeker_id, x.last_name, x.first_name, x.search_text
  from private.seeker_search x cross join lateral private.seeker_reach_keys(x.reach_received, x.reach_own) o;
  alter table private.seeker_search enable trigger seeker_search_reach;
  alter table private.seeker_search enable trigger seeker_search_reach_truncate;
  for i in 1 .. cardinality(v_indexes.definitions) loop
    execute v_indexes.definitions[i];
  end loop;
  analyze private.seeker_search;
  analyze private.seeker_reach;
end
$$;
revoke all on function private.rebuild_seeker_search() from public, anon, authenticated, service_role;

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

create or replace function public.search_people(query text default NULL::text, max_results integer default 20, skip integer default 0, sort text default 'name'::text)
returns table(id uuid, first_name text, last_name text, email text, phone text, zip text, preferred_contact public.contact_preference, preferred_language public.language_code, created_at timestamp with time zone, updated_at timestamp with time zone, total_count bigint)
language plpgsql
stable
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_page record;
begin
  select * into v_page from private.search_visible_seekers(
    search_people.query,
    least(greatest(coalesce(search_people.max_results, 20), 1), 200),
    greatest(coalesce(search_people.skip, 0), 0),
    search_people.sort);
  -- the page, in the order the search chose
  return query
    select s.id, s.first_name, s.last_name, s.email, s.phone, s.zip, s.preferred_contact, s.preferred_language,
           s.created_at, s.updated_at, v_page.total
    from unnest(v_page.ids) with ordinality as p(id, n)
    join public.seekers s on s.id = p.id
    order by p.n;
end
$$;
comment on function public.search_people(query text, max_results integer, skip integer, sort text) is 'People I''m Helping: the seekers the caller can see whose name, email or phone contains every word of query (all of them when query is empty); sort is name (default), newest or recently_updated; max_results (1-200, default 20) and skip page them; total_count is the number of matches, or empty when more people match than are counted (over 2,000: ask for one row more than a page to know whether another page follows). Subject to the seekers policy.';
revoke all on function public.search_people(query text, max_results integer, skip integer, sort text) from public, anon, authenticated, service_role;
grant execute on function public.search_people(query text, max_results integer, skip integer, sort text) to authenticated, service_role;

-- triggers on other domains' tables ------------------------------------------

create or replace function private.seeker_search_from_seekers()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.refresh_seeker_search(new.id);
  return null;
end
$$;
revoke all on function private.seeker_search_from_seekers() from public, anon, authenticated, service_role;

create trigger seekers_search_reach after insert or update on public.seekers for each row execute function private.seeker_search_from_seekers();

create or replace function private.seeker_search_from_referrals()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    perform private.refresh_seeker_search(old.seeker_id);
  end if;
  if tg_op = 'INSERT' or (tg_op = 'UPDATE' and new.seeker_id is distinct from old.seeker_id) then
    perform private.refresh_seeker_search(new.seeker_id);
  end if;
  return null;
end
$$;
revoke all on function private.seeker_search_from_referrals() from public, anon, authenticated, service_role;

create trigger referrals_search_reach after insert or delete or update of seeker_id, program_id, referred_by, from_site_id, from_program_id on public.referrals for each row execute function private.seeker_search_from_referrals();
