-- =============================================================================
-- People I'm Helping: search the seekers the caller can see by name, email or
-- phone, one page at a time, with the total.
--
-- The same rows as `seekers?or=(first_name.ilike.*x*,...)` under the seekers
-- policy, but that query makes Postgres read every seeker in the database
-- and test each against the policy. Here the search starts from the seekers
-- the caller can see (read from the referral indexes) and tests only those.
--
--   supabase.rpc('search_people', { query: 'ma', max_results: 20, skip: 0 })
--   → [{ id, first_name, last_name, email, phone, zip, preferred_contact,
--        preferred_language, created_at, updated_at, total_count }, ...]
--
-- Several words must each match one of the fields. Rows are re-read through
-- the seekers policy, so the function can never return more than a plain
-- select would.
-- =============================================================================

-- One lower-case string per seeker holding what the search looks in, and an
-- index that carries it with the sort keys, so testing a visible seeker reads
-- one index entry and does one LIKE.
alter table public.seekers
  add column search_text text generated always as (
    lower(first_name || ' ' || last_name || ' ' || coalesce(email, '') || ' ' || coalesce(phone, ''))
  ) stored
  constraint seekers_search_text_check check (char_length(search_text) <= 1000);
comment on column public.seekers.search_text is
  'Lower-case name, email and phone, kept by Postgres for People I''m Helping search (search_people). Read-only.';
create index seekers_search_idx on public.seekers (id) include (last_name, first_name, search_text);

-- The ids of the matching seekers the caller can see (one page, in name
-- order) and how many match in all. Reads seekers without RLS: it applies the
-- visibility rules itself (staff_seeker_ids plus the caller's own records).
create function private.search_visible_seekers(
  p_query text, p_limit integer, p_offset integer,
  out ids uuid[], out total bigint)
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_terms text[];
  v_visible uuid[];
begin
  ids := '{}';
  total := 0;
  if v_uid is null then
    return;
  end if;
  select coalesce(array_agg('%' || replace(replace(replace(lower(t), '\', '\\'), '%', '\%'), '_', '\_') || '%'), '{}')
    into v_terms
  from (select t from unnest(regexp_split_to_array(trim(coalesce(p_query, '')), '\s+')) t where t <> '' limit 4) w;

  v_visible := array(
    select v.id from private.staff_seeker_ids() v(id)
    union
    select s.id from public.seekers s where s.created_by = v_uid
    union
    select s.id from public.seekers s where s.user_id = v_uid);

  with matched as (
    select s.id, s.last_name, s.first_name
    from public.seekers s
    where s.id = any (v_visible)
      and s.search_text like all (v_terms)
  )
  select array(select m.id from matched m order by m.last_name, m.first_name, m.id limit p_limit offset p_offset),
         (select count(*) from matched)
    into ids, total;
end
$$;
revoke all on function private.search_visible_seekers(text, integer, integer) from public;
grant execute on function private.search_visible_seekers(text, integer, integer) to authenticated;

create function public.search_people(query text default null, max_results integer default 20, skip integer default 0)
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
    greatest(coalesce(search_people.skip, 0), 0));
  return query
    select s.id, s.first_name, s.last_name, s.email, s.phone, s.zip, s.preferred_contact, s.preferred_language,
           s.created_at, s.updated_at, v_page.total
    from public.seekers s
    where s.id = any (v_page.ids)
    order by s.last_name, s.first_name, s.id;
end
$$;

comment on function public.search_people(text, integer, integer) is
  'People I''m Helping: the seekers the caller can see whose name, email or phone contains every word of query (all of them when query is empty), in name order; max_results (1-200, default 20) and skip page them; total_count is the number of matches. Subject to the seekers policy.';

revoke all on function public.search_people(text, integer, integer) from public, anon;
grant execute on function public.search_people(text, integer, integer) to authenticated;
