-- =============================================================================
-- Visibility: who may see and change what. Every policy, trigger and search
-- that decides access uses the definitions in this file and no other.
--
-- The rules (docs/product.md):
--   1. The user who made a referral sees it and may update its status.
--   2. When team sharing is on for the site or program a referral was made
--      from, every member of that organisation sees it, adds notes and
--      updates its status (sites.team_sharing, programs.team_sharing; off by
--      default).
--   3. Every claimer of the receiving program sees it (inbound; no setting).
--   4. The seeker sees their own referrals and may update the status (not
--      notes, nothing else).
--   5. Nobody else.
-- The same rules decide who sees a seeker: whoever sees one of their
-- referrals, whoever added them (and that organisation's members when it
-- shares: rules 1-2 applied to the record), and their own account.
--
-- Three facts about a person (read live on every request, so a membership or
-- sharing change applies at once):
--   inbound_programs(user)  the programs they claim for            (rule 3)
--   outbound_scope(user)    their own id, and the sites and programs they
--                           belong to whose team sharing is on       (rules 1-2)
--   seeker_records(user)    the seeker records that are their account (rule 4)
-- The caller's own: my_inbound_programs(), my_outbound_scope(),
-- my_seeker_records(). Policies read them once per statement, wrapped in a
-- select.
--
-- One rule over those facts, reaches(received, sent, inbound, scope): an
-- object reaches a person when a program they claim for received it, or when
-- they, or an organisation of theirs that shares, sent it. Sent means made a
-- referral or added a seeker. Applied to
--   a referral  reaches(array[program_id], array[referred_by, from_site_id,
--               from_program_id], …); plus seeker_id in seeker_records for rule 4
--   a seeker    reaches('{}', array[user_id, created_by, created_from_site_id,
--               created_from_program_id], …) (user_id is the account: the
--               caller's own id is in their scope), or any referral of theirs
--   a search row in people search, whose arrays hold the same ids over all of
--               a seeker's referrals (85_people_search.sql).
-- Ids never collide across users, sites and programs (private.principal_ids,
-- 10_organisations.sql), so one array can hold all three kinds.
--
-- Where each is used:
--   referrals   select/update policies (50_referrals.sql); a referral's staff
--               (rules 1-3): staff_can_access_referral(id) for notes, note
--               history, delivery records and the goal rule of the update trigger
--   seekers     select/update policies (50_referrals.sql);
--               staff_can_see_seeker(id) for new referrals and the seekers'
--               own-record rule; can_change_seeker_contact(id), the seeker
--               record's arm alone, for email, phone and preferred contact
--               (30_seekers.sql)
--   goals       read: the seeker (seeker_records) or staff_can_see_seeker(id);
--               add, edit, delete: staff_can_see_seeker(id), and a
--               delete only when staff_can_access_referral holds for every
--               referral in the goal (40_goals.sql)
--   seeker history  whoever sees the seeker (70_history.sql)
--   notifications  recipients are the people the rule reaches (90_notifications.sql)
-- =============================================================================

-- The rule ---------------------------------------------------------------------

-- Plain SQL without a SET clause on purpose: Postgres inlines it into the
-- policies, where the planner sees the bare comparisons (and the indexes
-- behind them). A SET search_path would stop the inlining and make every
-- policy call a function per row; the body names only built-in operators.
create or replace function private.reaches(p_received uuid[], p_sent uuid[], p_inbound uuid[], p_scope uuid[])
returns boolean
language sql
immutable parallel safe
as $$
  select p_received && p_inbound or p_sent && p_scope
$$;
comment on function private.reaches(uuid[], uuid[], uuid[], uuid[]) is
  'The visibility rule (rules 1-3): received by a program in p_inbound, or sent by someone or an organisation in p_scope. See the head of supabase/schemas/05_visibility.sql.';
revoke all on function private.reaches(uuid[], uuid[], uuid[], uuid[]) from public, anon, authenticated, service_role;
grant execute on function private.reaches(uuid[], uuid[], uuid[], uuid[]) to authenticated, service_role;

-- Facts about a person -----------------------------------------------------------

-- Programs the user claims for (rule 3).
create or replace function private.inbound_programs(p_user_id uuid)
returns uuid[]
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(pm.program_id order by pm.joined_at, pm.program_id), '{}')
      from public.program_members pm
      where pm.user_id = p_user_id);
end
$$;
revoke all on function private.inbound_programs(uuid) from public, anon, authenticated, service_role;

-- The user's own id, and the sites and programs they belong to whose team
-- sharing is on (rules 1-2). Empty without a user.
create or replace function private.outbound_scope(p_user_id uuid)
returns uuid[]
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (
    select case when p_user_id is null then '{}'::uuid[] else
        array[p_user_id]
        || array(
          select sm.site_id from public.site_members sm join public.sites s on s.id = sm.site_id
          where sm.user_id = p_user_id and s.team_sharing)
        || array(
          select pm.program_id from public.program_members pm join public.programs p on p.id = pm.program_id
          where pm.user_id = p_user_id and p.team_sharing)
      end);
end
$$;
revoke all on function private.outbound_scope(uuid) from public, anon, authenticated, service_role;

-- The seeker records that are the user's own account (rule 4).
create or replace function private.seeker_records(p_user_id uuid)
returns uuid[]
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(s.id), '{}') from public.seekers s where s.user_id = p_user_id);
end
$$;
revoke all on function private.seeker_records(uuid) from public, anon, authenticated, service_role;

-- The caller's own facts: what policies read (once per statement, in a select).
create or replace function private.my_inbound_programs()
returns uuid[]
language plpgsql
stable security definer parallel restricted
set search_path = ''
as $$
begin
  return (
    select private.inbound_programs(auth.uid()));
end
$$;
revoke all on function private.my_inbound_programs() from public, anon, authenticated, service_role;
grant execute on function private.my_inbound_programs() to authenticated, service_role;

create or replace function private.my_outbound_scope()
returns uuid[]
language plpgsql
stable security definer parallel restricted
set search_path = ''
as $$
begin
  return (
    select private.outbound_scope(auth.uid()));
end
$$;
revoke all on function private.my_outbound_scope() from public, anon, authenticated, service_role;
grant execute on function private.my_outbound_scope() to authenticated, service_role;

create or replace function private.my_seeker_records()
returns uuid[]
language plpgsql
stable security definer parallel restricted
set search_path = ''
as $$
begin
  return (
    select private.seeker_records(auth.uid()));
end
$$;
revoke all on function private.my_seeker_records() from public, anon, authenticated, service_role;
grant execute on function private.my_seeker_records() to authenticated, service_role;

-- One object, by id (triggers and per-row rules) -----------------------------------

-- Whether the caller sees this referral as staff (rules 1-3): who may read
-- and add its notes, see its note history and delivery records, and put it in
-- a goal.
create or replace function private.staff_can_access_referral(p_referral_id uuid)
returns boolean
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (
    select exists (
        select 1 from public.referrals r
        where r.id = p_referral_id
          and private.reaches(array[r.program_id], array[r.referred_by, r.from_site_id, r.from_program_id],
                              private.my_inbound_programs(), private.my_outbound_scope())));
end
$$;
revoke all on function private.staff_can_access_referral(uuid) from public, anon, authenticated, service_role;
grant execute on function private.staff_can_access_referral(uuid) to authenticated, service_role;

-- Whether the caller sees this seeker as staff: through one of their
-- referrals, or as whoever added them (or that organisation when it shares).
create or replace function private.staff_can_see_seeker(p_seeker_id uuid)
returns boolean
language plpgsql
stable security definer parallel restricted
set search_path = ''
as $$
begin
  return (
    select exists (
          select 1 from public.seekers s
          where s.id = p_seeker_id
            and private.reaches('{}', array[s.created_by, s.created_from_site_id, s.created_from_program_id],
                                '{}', private.my_outbound_scope()))
        or exists (
          select 1 from public.referrals r
          where r.seeker_id = p_seeker_id
            and private.reaches(array[r.program_id], array[r.referred_by, r.from_site_id, r.from_program_id],
                                private.my_inbound_programs(), private.my_outbound_scope())));
end
$$;
revoke all on function private.staff_can_see_seeker(uuid) from public, anon, authenticated, service_role;
grant execute on function private.staff_can_see_seeker(uuid) to authenticated, service_role;

-- Whether the caller may change this seeker's contact details (email, phone,
-- preferred contact): the seeker record's arm of the rule alone, i.e. their
-- own account, whoever added them, or that organisation when it shares. Staff
-- who see the seeker only through a referral see the details but may not
-- change them: an address changed there would redirect the messages of
-- referrals they cannot see.
create or replace function private.can_change_seeker_contact(p_seeker_id uuid)
returns boolean
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (
    select exists (
        select 1 from public.seekers s
        where s.id = p_seeker_id
          and private.reaches('{}', array[s.user_id, s.created_by, s.created_from_site_id, s.created_from_program_id],
                              '{}', private.my_outbound_scope())));
end
$$;
revoke all on function private.can_change_seeker_contact(uuid) from public, anon, authenticated, service_role;
grant execute on function private.can_change_seeker_contact(uuid) to authenticated, service_role;

-- Memberships (not visibility: where the caller may act from) ------------------------

-- Sites the caller works on.
create or replace function private.my_site_ids()
returns setof uuid
language plpgsql
stable security definer parallel restricted rows 3
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
stable security definer parallel restricted rows 3
set search_path = ''
as $$
begin
  return query select pm.program_id from public.program_members pm where pm.user_id = auth.uid();
end
$$;
revoke all on function private.my_program_ids() from public, anon, authenticated, service_role;
grant execute on function private.my_program_ids() to authenticated, service_role;

-- Users who share a site or program with the caller (including the caller).
create or replace function private.my_colleague_ids()
returns setof uuid
language plpgsql
stable security definer parallel restricted rows 50
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

