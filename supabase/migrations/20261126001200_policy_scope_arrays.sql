-- =============================================================================
-- Fewer sub-plans per policy: one "shared scope" array for the caller, and a
-- scalar fast path for the receiving program. Same rules (PRODUCT.md 1-5);
-- measured in docs/performance.md.
--
-- Every `(select private.…())` in a policy is an init plan that Postgres plans
-- on every request (PostgREST's requests are planned afresh) and runs once;
-- an inbound page expands the referrals policy four times (the list, its
-- count, inside the history policy and inside the seekers policy), so each
-- arm removed from it saves four sub-plans. Here:
--
--   * The referrer, the shared sending site and the shared sending program
--     are tested against ONE array: the caller's own user id plus the ids of
--     their sites and programs that share (`private.my_shared_scope()`), as
--     `array[referred_by, from_site_id, from_program_id] && scope`. This is
--     the same rule as three separate tests only if a user, a site and a
--     program can never have the same id, so that is now guaranteed by the
--     registry `private.principal_ids` (primary key over all three, kept by
--     triggers): an id used by one of them is refused for another.
--   * The seeker's creator, creating site and creating program (and the
--     seeker's own account) are tested against the same array, and the
--     seekers policy asks its EXISTS on referrals first, which settles every
--     seeker shown next to a referral the caller can see.
--   * `program_id = (select private.my_program())` before the array test:
--     comparing with one uuid costs about half of comparing with an array,
--     and a busy program's page count tests the policy on each of its ~20,000
--     referrals. The array test after it keeps the rule for claimers of
--     several programs.
--   * `seeker_id in (select private.my_seeker_ids())` stays a hashed sub-plan
--     on purpose: with every arm indexable Postgres turns the policy into a
--     BitmapOr over the whole table and a page of 25 takes 100+ ms.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- Registry: user, site and program ids are distinct
-- -----------------------------------------------------------------------------

create table private.principal_ids (
  id uuid primary key,
  kind text not null check (kind in ('user', 'site', 'program'))
);

comment on table private.principal_ids is
  'Every user, site and program id, once. The policies test a referral''s referrer, sending site and sending '
  'program against one array of the caller''s ids, which is only the rule if no site, program and user share an '
  'id; the primary key here guarantees that. Kept by triggers on auth.users, public.sites and public.programs; '
  'never edit by hand.';
comment on column private.principal_ids.id is 'The id of a user (auth.users), a site or a program.';
comment on column private.principal_ids.kind is 'Which table the id belongs to: user, site or program.';

-- Not readable through the API; only the triggers below (security definer) touch it.
alter table private.principal_ids enable row level security;
revoke all on table private.principal_ids from public, anon, authenticated, service_role;

insert into private.principal_ids (id, kind)
select id, 'user' from auth.users
union all
select id, 'site' from public.sites
union all
select id, 'program' from public.programs;

create function private.register_principal()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_kind text := tg_argv[0];
  v_other text;
begin
  if tg_op = 'DELETE' then
    delete from private.principal_ids where id = old.id and kind = v_kind;
    return old;
  end if;
  if tg_op = 'UPDATE' then
    if new.id is not distinct from old.id then
      return new;
    end if;
    delete from private.principal_ids where id = old.id and kind = v_kind;
  end if;
  begin
    insert into private.principal_ids (id, kind) values (new.id, v_kind);
  exception
    when unique_violation then
      select kind into v_other from private.principal_ids where id = new.id;
      raise exception 'The id % is already used by a %; a % needs an id of its own.',
        new.id, coalesce(v_other, 'user, site or program'), v_kind
        using errcode = '23505', hint = 'Leave the id empty to get a new one.';
  end;
  return new;
end
$$;

revoke all on function private.register_principal() from public, anon, authenticated;

-- TRUNCATE fires no row triggers: forget that table's ids at once.
create function private.forget_principals()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  delete from private.principal_ids where kind = tg_argv[0];
  return null;
end
$$;

revoke all on function private.forget_principals() from public, anon, authenticated;

create trigger sites_register_id after insert or update of id or delete on public.sites
  for each row execute function private.register_principal('site');
create trigger programs_register_id after insert or update of id or delete on public.programs
  for each row execute function private.register_principal('program');
create trigger on_auth_user_register_id after insert or update of id or delete on auth.users
  for each row execute function private.register_principal('user');
create trigger sites_forget_ids after truncate on public.sites
  for each statement execute function private.forget_principals('site');
create trigger programs_forget_ids after truncate on public.programs
  for each statement execute function private.forget_principals('program');
create trigger on_auth_users_truncated_forget_ids after truncate on auth.users
  for each statement execute function private.forget_principals('user');

-- -----------------------------------------------------------------------------
-- Helpers
-- -----------------------------------------------------------------------------

-- The program the caller joined first as a claimer (null if none): the
-- policies' fast path; my_program_array() still holds all of them.
create function private.my_program()
returns uuid
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (
    select pm.program_id from public.program_members pm
    where pm.user_id = auth.uid()
    order by pm.joined_at, pm.program_id
    limit 1);
end
$$;

-- The caller's own user id, plus the sites and programs they belong to whose
-- team sharing is on: whatever was created or referred by one of these is the
-- caller's (or their team's) work. Empty for a request without a user.
create function private.my_shared_scope()
returns uuid[]
language plpgsql stable security definer set search_path = ''
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

revoke all on function private.my_program(), private.my_shared_scope() from public, anon;
grant execute on function private.my_program(), private.my_shared_scope() to authenticated, service_role;

comment on function private.my_program() is
  'RLS helper: the first program the caller joined as a claimer, or null. A fast path in the referrals policy.';
comment on function private.my_shared_scope() is
  'RLS helper: the caller''s user id and the ids of their sites and programs that share with the team. '
  'Compared with a row''s referrer / creator and sending / creating organisation in one test '
  '(ids are distinct across users, sites and programs: private.principal_ids).';

-- -----------------------------------------------------------------------------
-- Policies
-- -----------------------------------------------------------------------------

drop policy "Referrer, shared team, receiving claimers and the seeker can view a referral" on public.referrals;
create policy "Referrer, shared team, receiving claimers and the seeker can view a referral"
  on public.referrals for select to authenticated
  using (
    -- rule 3: a claimer of the receiving program (the usual one first)
    program_id = (select private.my_program())
    or program_id = any ((select private.my_program_array())::uuid[])
    -- rules 1 and 2: the referrer, or their team where the organisation shares
    or array[referred_by, from_site_id, from_program_id] && (select private.my_shared_scope())
    -- rule 4: the seeker themselves
    or seeker_id in (select private.my_seeker_ids())
  );

drop policy "Referrer, shared team, receiving claimers and the seeker can update a referral" on public.referrals;
create policy "Referrer, shared team, receiving claimers and the seeker can update a referral"
  on public.referrals for update to authenticated
  using (
    program_id = (select private.my_program())
    or program_id = any ((select private.my_program_array())::uuid[])
    or array[referred_by, from_site_id, from_program_id] && (select private.my_shared_scope())
    or seeker_id in (select private.my_seeker_ids())
  )
  with check (
    program_id = (select private.my_program())
    or program_id = any ((select private.my_program_array())::uuid[])
    or array[referred_by, from_site_id, from_program_id] && (select private.my_shared_scope())
    or seeker_id in (select private.my_seeker_ids())
  );

drop policy "Staff with access and the seeker themselves can view a seeker" on public.seekers;
create policy "Staff with access and the seeker themselves can view a seeker"
  on public.seekers for select to authenticated
  using (
    -- a referral of theirs the caller can see (the referrals policy decides)
    exists (select 1 from public.referrals r where r.seeker_id = seekers.id)
    -- their own record, or created by the caller or their sharing team
    or array[user_id, created_by, created_from_site_id, created_from_program_id] && (select private.my_shared_scope())
  );
