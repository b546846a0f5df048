-- Rebuilding the people-search rows writes them in name order: the matches of
-- a surname then sit on a few pages together, and a search reads those
-- instead of one page per person ("mart": 3,116 matches on 3,072 pages at
-- 10,000,000 referrals). Existing rows keep their order until the next
-- rebuild (select private.rebuild_seeker_search()).

-- Every row again, set-based (after bulk loads with triggers off, and here).
-- The other indexes of both tables are dropped first and built again from
-- their own definitions once the rows are in: filled row by row, the two GIN
-- indexes of pieces took most of the time. seeker_reach is filled from
-- seeker_search in one statement, its trigger off meanwhile.
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
  -- in name order on disk: the matches of a surname sit together, so a
  -- search reads a few pages for them instead of one page per person
  insert into private.seeker_search
    (seeker_id, reach_received, reach_own, search_text, last_name, first_name, created_at, updated_at)
  select v.seeker_id, v.reach_received, v.reach_own, v.search_text, v.last_name, v.first_name, v.created_at, v.updated_at
  from private.seeker_search_rows v
  order by v.last_name, v.first_name, v.seeker_id;
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
