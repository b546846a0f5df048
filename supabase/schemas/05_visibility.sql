-- =============================================================================
-- Visibility: who may see and change what.
-- =============================================================================

-- Sites the caller works on.
create or replace function private.my_site_ids()
returns setof uuid
language plpgsql
stable security definer rows 3
set search_path = ''
as $$
begin
  return query select sm.site_id from public.site_members sm where sm.user_id = auth.uid();
end
$$;
revoke all on function private.my_site_ids() from public, anon, authenticated, service_role;
grant execute on function private.my_site_ids() to authenticated, service_role;

-- Programs the caller is a claimer of.
create or replace function private.my_program_ids()
returns setof uuid
language plpgsql
stable security definer rows 3
set search_path = ''
as $$
begin
  return query select pm.program_id from public.program_members pm where pm.user_id = auth.uid();
end
$$;
revoke all on function private.my_program_ids() from public, anon, authenticated, service_role;
grant execute on function private.my_program_ids() to authenticated, service_role;

-- The seeker records that are the caller's own account (rule 4).
create or replace function private.my_seeker_ids()
returns setof uuid
language plpgsql
stable security definer rows 1
set search_path = ''
as $$
begin
  return query select s.id from public.seekers s where s.user_id = auth.uid();
end
$$;
revoke all on function private.my_seeker_ids() from public, anon, authenticated, service_role;
grant execute on function private.my_seeker_ids() to authenticated, service_role;

-- Users who share a site or program with the caller (including the caller).
create or replace function private.my_colleague_ids()
returns setof uuid
language plpgsql
stable security definer rows 50
set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
begin
  return query
    select sm2.user_id
    from public.site_members sm join public.site_members sm2 on sm2.site_id = sm.site_id
    where sm.user_id = v_uid
    union
    select pm2.user_id
    from public.program_members pm join public.program_members pm2 on pm2.program_id = pm.program_id
    where pm.user_id = v_uid;
end
$$;
revoke all on function private.my_colleague_ids() from public, anon, authenticated, service_role;
grant execute on function private.my_colleague_ids() to authenticated, service_role;

-- Whether the caller sees this referral as staff (rules 1-3).
create or replace function private.staff_can_access_referral(p_referral_id uuid)
returns boolean
language plpgsql
stable security definer
set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
begin
  return exists (
    select 1
    from public.referrals r
    where r.id = p_referral_id
      and (
        r.referred_by = v_uid
        or exists (
          select 1 from public.program_members pm
          where pm.program_id = r.program_id and pm.user_id = v_uid)
        or exists (
          select 1 from public.site_members sm join public.sites s on s.id = sm.site_id
          where sm.site_id = r.from_site_id and sm.user_id = v_uid and s.team_sharing)
        or exists (
          select 1 from public.program_members pm join public.programs p on p.id = pm.program_id
          where pm.program_id = r.from_program_id and pm.user_id = v_uid and p.team_sharing)
      )
  );
end
$$;
revoke all on function private.staff_can_access_referral(p_referral_id uuid) from public, anon, authenticated, service_role;
grant execute on function private.staff_can_access_referral(p_referral_id uuid) to authenticated, service_role;

-- Whether the caller sees this referral at all (rules 1-4).
create or replace function private.can_access_referral(p_referral_id uuid)
returns boolean
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return private.staff_can_access_referral(p_referral_id)
    or exists (
      select 1 from public.referrals r join public.seekers s on s.id = r.seeker_id
      where r.id = p_referral_id and s.user_id = auth.uid());
end
$$;
revoke all on function private.can_access_referral(p_referral_id uuid) from public, anon, authenticated, service_role;
grant execute on function private.can_access_referral(p_referral_id uuid) to authenticated, service_role;

-- Whether the caller sees this seeker as staff (one seeker; used per row by
-- goals and by the seekers update rule).
create or replace function private.staff_can_see_seeker(p_seeker_id uuid)
returns boolean
language plpgsql
stable security definer
set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
begin
  return exists (
      select 1 from public.seekers s
      where s.id = p_seeker_id
        and (
          s.created_by = v_uid
          or s.created_from_site_id = any (private.my_shared_site_array())
          or s.created_from_program_id = any (private.my_shared_program_array())
        )
    )
    or exists (
      select 1 from public.referrals r
      where r.seeker_id = p_seeker_id
        and (
          r.referred_by = v_uid
          or r.program_id = any (private.my_program_array())
          or r.from_site_id = any (private.my_shared_site_array())
          or r.from_program_id = any (private.my_shared_program_array())
        )
    );
end
$$;
revoke all on function private.staff_can_see_seeker(p_seeker_id uuid) from public, anon, authenticated, service_role;
grant execute on function private.staff_can_see_seeker(p_seeker_id uuid) to authenticated, service_role;

-- Whether the caller sees this seeker at all (staff or their own account).
create or replace function private.can_see_seeker(p_seeker_id uuid)
returns boolean
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return exists (select 1 from public.seekers s where s.id = p_seeker_id and s.user_id = auth.uid())
    or private.staff_can_see_seeker(p_seeker_id);
end
$$;
revoke all on function private.can_see_seeker(p_seeker_id uuid) from public, anon, authenticated, service_role;
grant execute on function private.can_see_seeker(p_seeker_id uuid) to authenticated, service_role;

-- The caller's programs, and their sites / programs that share, as arrays
-- (one value per query when wrapped in a select).
create or replace function private.my_program_array()
returns uuid[]
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (select coalesce(array_agg(pm.program_id), '{}') from public.program_members pm where pm.user_id = auth.uid());
end
$$;
revoke all on function private.my_program_array() from public, anon, authenticated, service_role;
grant execute on function private.my_program_array() to authenticated, service_role;

create or replace function private.my_shared_site_array()
returns uuid[]
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(sm.site_id), '{}')
    from public.site_members sm join public.sites s on s.id = sm.site_id
    where sm.user_id = auth.uid() and s.team_sharing);
end
$$;
revoke all on function private.my_shared_site_array() from public, anon, authenticated, service_role;
grant execute on function private.my_shared_site_array() to authenticated, service_role;

create or replace function private.my_shared_program_array()
returns uuid[]
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(pm.program_id), '{}')
    from public.program_members pm join public.programs p on p.id = pm.program_id
    where pm.user_id = auth.uid() and p.team_sharing);
end
$$;
revoke all on function private.my_shared_program_array() from public, anon, authenticated, service_role;
grant execute on function private.my_shared_program_array() to authenticated, service_role;

-- The program the caller joined first as a claimer (null if none): the
-- policies' fast path; my_program_array() still holds all of them.
create or replace function private.my_program()
returns uuid
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (
    select pm.program_id from public.program_members pm
    where pm.user_id = auth.uid()
    order by pm.joined_at, pm.program_id
    limit 1);
end
$$;
comment on function private.my_program() is 'RLS helper: the first program the caller joined as a claimer, or null. A fast path in the referrals policy.';
revoke all on function private.my_program() from public, anon, authenticated, service_role;
grant execute on function private.my_program() to authenticated, service_role;

-- The caller's own user id, plus the sites and programs they belong to whose
-- team sharing is on: whatever was created or referred by one of these is the
-- caller's (or their team's) work. Empty for a request without a user.
create or replace function private.my_shared_scope()
returns uuid[]
language plpgsql
stable security definer
set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
begin
  if v_uid is null then
    return '{}';
  end if;
  return array[v_uid]
    || array(
      select sm.site_id from public.site_members sm join public.sites s on s.id = sm.site_id
      where sm.user_id = v_uid and s.team_sharing)
    || array(
      select pm.program_id from public.program_members pm join public.programs p on p.id = pm.program_id
      where pm.user_id = v_uid and p.team_sharing);
end
$$;
comment on function private.my_shared_scope() is 'RLS helper: the caller''s user id and the ids of their sites and programs that share with the team. Compared with a row''s referrer / creator and sending / creating organisation in one test (ids are distinct across users, sites and programs: private.principal_ids).';
revoke all on function private.my_shared_scope() from public, anon, authenticated, service_role;
grant execute on function private.my_shared_scope() to authenticated, service_role;
