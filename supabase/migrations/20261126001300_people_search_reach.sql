-- =============================================================================
-- People I'm Helping search without visiting every visible person.
--
-- search_people used to build the set of seekers the caller can see (from the
-- referral indexes; ~10,000 ids for a worker of a busy sharing site at a
-- million referrals) and then look each one up to test the words: ~10,000
-- random index probes per keystroke, 25-30 ms, whatever the words. Here each
-- seeker has one row in `private.seeker_search` saying who reaches them:
--
--   reach_received  the programs their referrals were sent to (rule 3: every
--                   claimer of such a program sees them)
--   reach_own       the users and organisations that created or referred
--                   them, and their own account (rules 1, 2 and 4: seen by
--                   that user, or by the organisation's team while it shares)
--
-- both indexed with GIN, next to a GIN index on the two-letter pieces of the
-- searchable text. A search is then a bitmap AND of "reached by one of the
-- caller's programs / by the caller's shared scope" and "contains these
-- letter pairs", and only the matching rows are read. Team sharing and
-- memberships are still read live from the caller's arrays at search time
-- (private.my_program_array(), private.my_shared_scope()), so switching
-- sharing takes effect at once; the rows change only when a seeker or a
-- referral does, kept by the triggers below. Same visibility as the seekers
-- policy; tests/db/visibility.test.ts and tests/db/seed-scale.test.ts
-- compare the two.
-- =============================================================================

-- Every distinct two-character piece of a text ('maria' → {ar, ia, ma, ri}).
create function private.bigrams(p_text text)
returns text[]
language sql immutable strict parallel safe set search_path = ''
as $$
  select coalesce(array_agg(distinct substr(p_text, i, 2)), '{}')
  from generate_series(1, char_length(p_text) - 1) i
$$;

comment on function private.bigrams(text) is
  'The distinct two-character substrings of a text; indexed for People I''m Helping search.';

create table private.seeker_search (
  seeker_id uuid primary key references public.seekers (id) on delete cascade,
  reach_received uuid[] not null default '{}',
  reach_own uuid[] not null default '{}',
  search_text text not null,
  last_name text not null,
  first_name text not null
);

comment on table private.seeker_search is
  'Who reaches each seeker, with their searchable text, for People I''m Helping (search_people). Kept by '
  'triggers on public.seekers and public.referrals; never edit by hand (rebuild: '
  'select private.rebuild_seeker_search()). Not reachable through the API.';
comment on column private.seeker_search.reach_received is
  'Programs the seeker''s referrals were sent to: their claimers see the seeker (rule 3).';
comment on column private.seeker_search.reach_own is
  'The seeker''s own account, their creator and creating organisation, and the referrers and sending '
  'organisations of their referrals: seen by that user, or by the organisation''s team while it shares.';
comment on column private.seeker_search.search_text is 'Copy of public.seekers.search_text.';

alter table private.seeker_search enable row level security;
revoke all on table private.seeker_search from public, anon, authenticated, service_role;

create index seeker_search_received_idx on private.seeker_search using gin (reach_received);
create index seeker_search_own_idx on private.seeker_search using gin (reach_own);
create index seeker_search_bigrams_idx on private.seeker_search using gin (private.bigrams(search_text));

-- One seeker's row, from the seeker and their referrals.
create function private.refresh_seeker_search(p_seeker_id uuid)
returns void
language plpgsql volatile security definer set search_path = ''
as $$
begin
  -- one refresh per seeker at a time; the statement below then sees every
  -- referral committed meanwhile (two referrals for one person at once)
  perform 1 from public.seekers s where s.id = p_seeker_id for no key update;
  if not found then
    delete from private.seeker_search where seeker_id = p_seeker_id;
    return;
  end if;
  insert into private.seeker_search as x (seeker_id, reach_received, reach_own, search_text, last_name, first_name)
  select s.id,
         array(select distinct r.program_id from public.referrals r where r.seeker_id = s.id),
         array(
           select distinct v from (
             select unnest(array[s.user_id, s.created_by, s.created_from_site_id, s.created_from_program_id]) v
             union all
             select unnest(array[r.referred_by, r.from_site_id, r.from_program_id])
             from public.referrals r where r.seeker_id = s.id
           ) u
           where v is not null),
         s.search_text, s.last_name, s.first_name
  from public.seekers s
  where s.id = p_seeker_id
  on conflict (seeker_id) do update
    set reach_received = excluded.reach_received,
        reach_own = excluded.reach_own,
        search_text = excluded.search_text,
        last_name = excluded.last_name,
        first_name = excluded.first_name;
end
$$;

-- Every row again, set-based (after bulk loads with triggers off, and here).
create function private.rebuild_seeker_search()
returns void
language plpgsql volatile security definer set search_path = ''
as $$
begin
  truncate private.seeker_search;
  insert into private.seeker_search (seeker_id, reach_received, reach_own, search_text, last_name, first_name)
  select s.id,
         coalesce(rr.received, '{}'),
         array(
           select distinct v
           from unnest(array[s.user_id, s.created_by, s.created_from_site_id, s.created_from_program_id]
                       || coalesce(rr.own, '{}')) v
           where v is not null),
         s.search_text, s.last_name, s.first_name
  from public.seekers s
  left join (
    select r.seeker_id,
           array_agg(distinct r.program_id) as received,
           array_agg(distinct r.referred_by) || array_agg(distinct r.from_site_id) || array_agg(distinct r.from_program_id) as own
    from public.referrals r
    group by r.seeker_id
  ) rr on rr.seeker_id = s.id;
  analyze private.seeker_search;
end
$$;

revoke all on function private.refresh_seeker_search(uuid), private.rebuild_seeker_search() from public, anon, authenticated;

create function private.seeker_search_from_seekers()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  perform private.refresh_seeker_search(new.id);
  return null;
end
$$;

create function private.seeker_search_from_referrals()
returns trigger
language plpgsql security definer set search_path = ''
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

revoke all on function private.seeker_search_from_seekers(), private.seeker_search_from_referrals()
  from public, anon, authenticated;

create trigger seekers_search_reach
  after insert or update of first_name, last_name, email, phone, user_id, created_by,
                            created_from_site_id, created_from_program_id
  on public.seekers
  for each row execute function private.seeker_search_from_seekers();

create trigger referrals_search_reach
  after insert or delete or update of seeker_id, program_id, referred_by, from_site_id, from_program_id
  on public.referrals
  for each row execute function private.seeker_search_from_referrals();

select private.rebuild_seeker_search();

-- -----------------------------------------------------------------------------
-- The search itself (same signature and results as before)
-- -----------------------------------------------------------------------------

create or replace function private.search_visible_seekers(
  p_query text, p_limit integer, p_offset integer, out ids uuid[], out total bigint)
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_words text[];
  v_terms text[];
  v_grams text[];
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
  select coalesce(array_agg(distinct g), '{}') into v_grams
  from unnest(v_words) t cross join lateral unnest(private.bigrams(t)) g;

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

-- The trigram index on seekers.search_text served the previous search only.
drop index if exists public.seekers_search_text_trgm_idx;
