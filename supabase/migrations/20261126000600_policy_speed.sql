-- =============================================================================
-- Faster row checks for what hangs off a referral (history, notes, goals).
--
-- A dashboard row embeds its history line, goal and seeker, so these policies
-- run once per embedded row. Calling a SQL helper per row re-plans the
-- helper's query on every call (about 5 ms each at 1,000,000 referrals);
-- instead:
--   * history and notes check their referral with an EXISTS that Postgres
--     plans once per query, relying on the referrals policy for rules 1-4 and
--     adding the staff rules (1-3) for notes and note events;
--   * goals rely on the seekers policy in the same way;
--   * the per-row helpers still used by triggers and insert checks are
--     PL/pgSQL, whose plans are cached for the session.
-- Same rules as before; the tests in tests/db prove them unchanged.
-- =============================================================================

create or replace function private.staff_can_access_referral(p_referral_id uuid)
returns boolean
language plpgsql stable security definer set search_path = ''
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

create or replace function private.can_access_referral(p_referral_id uuid)
returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return private.staff_can_access_referral(p_referral_id)
    or exists (
      select 1 from public.referrals r join public.seekers s on s.id = r.seeker_id
      where r.id = p_referral_id and s.user_id = auth.uid());
end
$$;

create or replace function private.staff_can_see_seeker(p_seeker_id uuid)
returns boolean
language plpgsql stable security definer set search_path = ''
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

create or replace function private.can_see_seeker(p_seeker_id uuid)
returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return exists (select 1 from public.seekers s where s.id = p_seeker_id and s.user_id = auth.uid())
    or private.staff_can_see_seeker(p_seeker_id);
end
$$;

-- history: whoever can see the referral (its policy decides); note events
-- only for staff (rules 1-3).
drop policy "Whoever can see a referral can view its history" on public.referral_events;
create policy "Whoever can see a referral can view its history"
  on public.referral_events for select to authenticated
  using (
    exists (
      select 1 from public.referrals r
      where r.id = referral_events.referral_id
        and (
          referral_events.event_type not in ('note_added', 'note_deleted')
          or r.referred_by = (select auth.uid())
          or r.program_id = any ((select private.my_program_array())::uuid[])
          or r.from_site_id = any ((select private.my_shared_site_array())::uuid[])
          or r.from_program_id = any ((select private.my_shared_program_array())::uuid[])
        )
    )
  );

-- notes: staff with access (rules 1-3) read and add.
drop policy "Staff with access can view notes" on public.referral_notes;
create policy "Staff with access can view notes"
  on public.referral_notes for select to authenticated
  using (
    exists (
      select 1 from public.referrals r
      where r.id = referral_notes.referral_id
        and (
          r.referred_by = (select auth.uid())
          or r.program_id = any ((select private.my_program_array())::uuid[])
          or r.from_site_id = any ((select private.my_shared_site_array())::uuid[])
          or r.from_program_id = any ((select private.my_shared_program_array())::uuid[])
        )
    )
  );

drop policy "Staff with access can add notes" on public.referral_notes;
create policy "Staff with access can add notes"
  on public.referral_notes for insert to authenticated
  with check (
    author_id = (select auth.uid())
    and exists (
      select 1 from public.referrals r
      where r.id = referral_notes.referral_id
        and (
          r.referred_by = (select auth.uid())
          or r.program_id = any ((select private.my_program_array())::uuid[])
          or r.from_site_id = any ((select private.my_shared_site_array())::uuid[])
          or r.from_program_id = any ((select private.my_shared_program_array())::uuid[])
        )
    )
  );

-- goals: whoever can see the seeker (the seekers policy decides).
drop policy "Whoever can see a seeker can view their goals" on public.goals;
create policy "Whoever can see a seeker can view their goals"
  on public.goals for select to authenticated
  using (exists (select 1 from public.seekers s where s.id = goals.seeker_id));

drop policy "Whoever can see a seeker can add goals" on public.goals;
create policy "Whoever can see a seeker can add goals"
  on public.goals for insert to authenticated
  with check (
    created_by = (select auth.uid())
    and exists (select 1 from public.seekers s where s.id = goals.seeker_id)
  );

drop policy "Whoever can see a seeker can edit their goals" on public.goals;
create policy "Whoever can see a seeker can edit their goals"
  on public.goals for update to authenticated
  using (exists (select 1 from public.seekers s where s.id = goals.seeker_id))
  with check (exists (select 1 from public.seekers s where s.id = goals.seeker_id));

drop policy "Whoever can see a seeker can delete their goals" on public.goals;
create policy "Whoever can see a seeker can delete their goals"
  on public.goals for delete to authenticated
  using (exists (select 1 from public.seekers s where s.id = goals.seeker_id));

-- -----------------------------------------------------------------------------
-- The helpers policies call once per query, as PL/pgSQL: a SQL-language
-- security definer function is planned afresh on every call (0.5-2 ms each,
-- several per request), a PL/pgSQL one reuses its plan for the connection.
-- -----------------------------------------------------------------------------

create or replace function private.my_site_ids()
returns setof uuid
language plpgsql stable security definer set search_path = '' rows 3
as $$
begin
  return query select sm.site_id from public.site_members sm where sm.user_id = auth.uid();
end
$$;

create or replace function private.my_program_ids()
returns setof uuid
language plpgsql stable security definer set search_path = '' rows 3
as $$
begin
  return query select pm.program_id from public.program_members pm where pm.user_id = auth.uid();
end
$$;

create or replace function private.my_shared_site_ids()
returns setof uuid
language plpgsql stable security definer set search_path = '' rows 3
as $$
begin
  return query
    select sm.site_id from public.site_members sm join public.sites s on s.id = sm.site_id
    where sm.user_id = auth.uid() and s.team_sharing;
end
$$;

create or replace function private.my_shared_program_ids()
returns setof uuid
language plpgsql stable security definer set search_path = '' rows 3
as $$
begin
  return query
    select pm.program_id from public.program_members pm join public.programs p on p.id = pm.program_id
    where pm.user_id = auth.uid() and p.team_sharing;
end
$$;

create or replace function private.my_seeker_ids()
returns setof uuid
language plpgsql stable security definer set search_path = '' rows 1
as $$
begin
  return query select s.id from public.seekers s where s.user_id = auth.uid();
end
$$;

create or replace function private.my_colleague_ids()
returns setof uuid
language plpgsql stable security definer set search_path = '' rows 50
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

create or replace function private.my_program_array()
returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select coalesce(array_agg(pm.program_id), '{}') from public.program_members pm where pm.user_id = auth.uid());
end
$$;

create or replace function private.my_shared_site_array()
returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(sm.site_id), '{}')
    from public.site_members sm join public.sites s on s.id = sm.site_id
    where sm.user_id = auth.uid() and s.team_sharing);
end
$$;

create or replace function private.my_shared_program_array()
returns uuid[]
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(pm.program_id), '{}')
    from public.program_members pm join public.programs p on p.id = pm.program_id
    where pm.user_id = auth.uid() and p.team_sharing);
end
$$;
