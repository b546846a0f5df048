-- People search: a search row's ids with their arm are written once
-- (private.seeker_reach_keys) and read by the trigger that keeps
-- private.seeker_reach and by rebuild_seeker_search, which each wrote them
-- out before. Same rows, same plans (the function is inlined).
-- And a rebuild run by hand works again: with seeker_search's TRUNCATE trigger
-- on, emptying both tables in one statement had the trigger empty
-- seeker_reach in the middle of it ("cannot TRUNCATE … being used by active
-- queries"); the rebuild now turns that trigger off with the other.

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
