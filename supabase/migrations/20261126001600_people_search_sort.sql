-- =============================================================================
-- People I'm Helping sorts by name, newest or recently updated, all through
-- search_people.
--
-- The People screen offers three orders; search_people knew only names, so
-- the screen read `seekers` directly with ILIKE filters under the seekers
-- policy, which at a million referrals reads every person (hundreds of ms).
-- The search rows now carry the seeker's created_at and updated_at (kept by
-- the same trigger, which now follows every change of a seeker), and
-- search_people takes `sort`: 'name' (default), 'newest' or
-- 'recently_updated'. An unknown sort is an error (22023), not a silent
-- default. Same visibility and matching as before.
-- =============================================================================

alter table private.seeker_search
  add column created_at timestamptz,
  add column updated_at timestamptz;
comment on column private.seeker_search.created_at is 'Copy of public.seekers.created_at (sort "newest").';
comment on column private.seeker_search.updated_at is 'Copy of public.seekers.updated_at (sort "recently_updated").';

create or replace function private.refresh_seeker_search(p_seeker_id uuid)
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
  insert into private.seeker_search as x
    (seeker_id, reach_received, reach_own, search_text, last_name, first_name, created_at, updated_at)
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
         s.search_text, s.last_name, s.first_name, s.created_at, s.updated_at
  from public.seekers s
  where s.id = p_seeker_id
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

create or replace function private.rebuild_seeker_search()
returns void
language plpgsql volatile security definer set search_path = ''
as $$
begin
  truncate private.seeker_search;
  insert into private.seeker_search
    (seeker_id, reach_received, reach_own, search_text, last_name, first_name, created_at, updated_at)
  select s.id,
         coalesce(rr.received, '{}'),
         array(
           select distinct v
           from unnest(array[s.user_id, s.created_by, s.created_from_site_id, s.created_from_program_id]
                       || coalesce(rr.own, '{}')) v
           where v is not null),
         s.search_text, s.last_name, s.first_name, s.created_at, s.updated_at
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

update private.seeker_search x
set created_at = s.created_at, updated_at = s.updated_at
from public.seekers s
where s.id = x.seeker_id;

alter table private.seeker_search
  alter column created_at set not null,
  alter column updated_at set not null;

-- every change of a seeker (updated_at moves with each one)
drop trigger seekers_search_reach on public.seekers;
create trigger seekers_search_reach after insert or update on public.seekers
  for each row execute function private.seeker_search_from_seekers();

-- -----------------------------------------------------------------------------
-- The search, with a sort
-- -----------------------------------------------------------------------------

drop function public.search_people(text, integer, integer);
drop function private.search_visible_seekers(text, integer, integer);

create function private.search_visible_seekers(
  p_query text, p_limit integer, p_offset integer, p_sort text, out ids uuid[], out total bigint)
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_words text[];
  v_terms text[];
  v_grams text[];
  v_elems text[];
  v_freqs real[];
  v_order text;
begin
  ids := '{}';
  total := 0;
  v_order := case coalesce(p_sort, 'name')
    when 'name' then 'm.last_name, m.first_name, m.seeker_id'
    when 'newest' then 'm.created_at desc, m.seeker_id'
    when 'recently_updated' then 'm.updated_at desc, m.seeker_id'
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
        select x.seeker_id, x.last_name, x.first_name, x.created_at, x.updated_at
        from private.seeker_search x
        where (x.reach_received && $1 or x.reach_own && $2)
          %s
          and x.search_text like all ($3)
      )
      select array(select m.seeker_id from matched m order by %s limit $4 offset $5),
             (select count(*) from matched)
    $q$,
    case when cardinality(v_grams) > 0 then 'and private.bigrams(x.search_text) @> $6' else '' end,
    v_order)
    into ids, total
    using private.my_program_array(), private.my_shared_scope(), v_terms, p_limit, p_offset, v_grams;
end
$$;

revoke all on function private.search_visible_seekers(text, integer, integer, text) from public;
grant execute on function private.search_visible_seekers(text, integer, integer, text) to authenticated;

create function public.search_people(
  query text default null, max_results integer default 20, skip integer default 0, sort text default 'name')
returns table (
  id uuid,
  first_name text,
  last_name text,
  email text,
  phone text,
  zip text,
  preferred_contact public.contact_preference,
  preferred_language public.language_code,
  created_at timestamptz,
  updated_at timestamptz,
  total_count bigint
)
language plpgsql stable security invoker set search_path = ''
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

comment on function public.search_people(text, integer, integer, text) is
  'People I''m Helping: the seekers the caller can see whose name, email or phone contains every word of query '
  '(all of them when query is empty); sort is name (default), newest or recently_updated; max_results (1-200, '
  'default 20) and skip page them; total_count is the number of matches. Subject to the seekers policy.';

revoke all on function public.search_people(text, integer, integer, text) from public, anon;
grant execute on function public.search_people(text, integer, integer, text) to authenticated;
