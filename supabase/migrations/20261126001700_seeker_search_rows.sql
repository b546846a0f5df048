-- =============================================================================
-- One definition of a seeker's search row, and no helpers nobody calls.
--
-- `…001300`/`…001600` wrote the row of private.seeker_search twice: once for
-- one seeker (the triggers) and once set-based (rebuild after a bulk load).
-- The view below is now the only definition; for one seeker Postgres pushes
-- the id into the grouped referrals, so the triggers still read just that
-- person's referrals from referrals_seeker_id_idx. Same rows as before.
--
-- Helpers left without a caller by the earlier performance work go:
-- staff_seeker_ids (People I'm Helping's old visible set), my_shared_site_ids
-- and my_shared_program_ids (replaced by the array helpers and
-- my_shared_scope), distance_miles (search_programs computes it inline).
-- =============================================================================

create view private.seeker_search_rows as
select s.id as seeker_id,
       coalesce(rr.received, '{}') as reach_received,
       array(
         select distinct v
         from unnest(array[s.user_id, s.created_by, s.created_from_site_id, s.created_from_program_id]
                     || coalesce(rr.own, '{}')) v
         where v is not null) as reach_own,
       s.search_text, s.last_name, s.first_name, s.created_at, s.updated_at
from public.seekers s
left join (
  select r.seeker_id,
         array_agg(distinct r.program_id) as received,
         array_agg(distinct r.referred_by) || array_agg(distinct r.from_site_id) || array_agg(distinct r.from_program_id) as own
  from public.referrals r
  group by r.seeker_id
) rr on rr.seeker_id = s.id;

comment on view private.seeker_search_rows is
  'What private.seeker_search holds for each seeker, computed from public.seekers and public.referrals.';
revoke all on private.seeker_search_rows from public, anon, authenticated, service_role;

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

create or replace function private.rebuild_seeker_search()
returns void
language plpgsql volatile security definer set search_path = ''
as $$
begin
  truncate private.seeker_search;
  insert into private.seeker_search
    (seeker_id, reach_received, reach_own, search_text, last_name, first_name, created_at, updated_at)
  select v.seeker_id, v.reach_received, v.reach_own, v.search_text, v.last_name, v.first_name, v.created_at, v.updated_at
  from private.seeker_search_rows v;
  analyze private.seeker_search;
end
$$;

drop function private.staff_seeker_ids();
drop function private.my_shared_site_ids();
drop function private.my_shared_program_ids();
drop function private.distance_miles(double precision, double precision, double precision, double precision);
