-- =============================================================================
-- Referrals: a seeker connected to a program. Who sees them: 05_visibility.sql.
-- =============================================================================

-- referrals -----------------------------------------------------------------

create table public.referrals (
  id uuid default gen_random_uuid() not null,
  seeker_id uuid not null,
  program_id uuid not null,
  referred_by uuid default auth.uid(),
  from_site_id uuid,
  from_program_id uuid,
  status public.referral_status default 'not_updated'::public.referral_status not null,
  comment text default ''::text not null,
  goal_id uuid,
  version integer default 1 not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  referred_by_name text default ''::text not null,
  status_reason text,
  status_reason_text text,
  forwarded_from uuid,
  response_due_at timestamp with time zone default now() not null,
  responded_at timestamp with time zone,
  assigned_to uuid,
  assigned_to_name text default ''::text not null,
  status_changed_at timestamp with time zone,
  constraint referrals_pkey primary key (id),
  constraint referrals_comment_check check ((char_length(comment) <= 2000)),
  constraint referrals_made_from_one check ((num_nonnulls(from_site_id, from_program_id) = 1)),
  constraint referrals_referred_by_name_check check ((char_length(referred_by_name) <= 120)),
  constraint referrals_assigned_to_name_check check ((char_length(assigned_to_name) <= 120)),
  constraint referrals_assigned_to_fkey foreign key (assigned_to) references public.profiles(id) on delete set null,
  constraint referrals_from_program_id_fkey foreign key (from_program_id) references public.programs(id) on delete restrict,
  constraint referrals_from_site_id_fkey foreign key (from_site_id) references public.sites(id) on delete restrict,
  constraint referrals_goal_of_seeker foreign key (goal_id, seeker_id) references public.goals(id, seeker_id) on delete set null (goal_id),
  constraint referrals_program_id_fkey foreign key (program_id) references public.programs(id) on delete restrict,
  constraint referrals_referred_by_fkey foreign key (referred_by) references public.profiles(id) on delete set null,
  constraint referrals_seeker_id_fkey foreign key (seeker_id) references public.seekers(id) on delete cascade,
  constraint referrals_status_reason_text_check check ((char_length(status_reason_text) <= 500)),
  constraint referrals_status_reason_text_needs_reason check (((status_reason_text is null) or (status_reason is not null))),
  constraint referrals_status_reason_fkey foreign key (status, status_reason) references public.status_reasons(status, code),
  constraint referrals_forwarded_from_check check ((forwarded_from <> id)),
  -- what the referrals policy's busy form and referrals_created_at_idx state
  constraint referrals_created_at_check check ((created_at > '-infinity'::timestamp with time zone)),
  constraint referrals_forwarded_from_fkey foreign key (forwarded_from) references public.referrals(id) on delete set null
);
comment on table public.referrals is 'A seeker connected to a program. Seen by its referrer, by the referrer''s team when the organisation it was made from shares, by every claimer of the receiving program, and by the seeker. Those parties may update status (staff also goal_id); nothing else changes after creation.';
comment on column public.referrals.id is 'Referral id.';
comment on column public.referrals.seeker_id is 'Who is being referred.';
comment on column public.referrals.program_id is 'The program receiving the referral.';
comment on column public.referrals.referred_by is 'The user who made the referral (always the signed-in user).';
comment on column public.referrals.from_site_id is 'The site the referral was made from (exactly one of from_site_id / from_program_id; must be one the referrer belongs to; filled in for someone with a single membership).';
comment on column public.referrals.from_program_id is 'The program the referral was made from, when a claimer refers onwards.';
comment on column public.referrals.status is 'Where the referral stands; every change is recorded in referral_events.';
comment on column public.referrals.comment is 'Comment written with the referral; included in notification emails.';
comment on column public.referrals.goal_id is 'The seeker goal this referral is part of, if any (must be the same seeker''s goal).';
comment on column public.referrals.version is 'Bumped by every update. Clients may add .eq(''version'', v) to an update to refuse overwriting a change they have not seen.';
comment on column public.referrals.created_at is 'When the referral was made.';
comment on column public.referrals.updated_at is 'When the referral last changed.';
comment on column public.referrals.referred_by_name is 'The referrer as every party sees them ("First L."), fixed when the referral is made; filled in automatically.';
comment on column public.referrals.status_reason is 'Why the referral is in its status, for the six statuses that carry a reason (a code of public.status_reasons for this status). Staff must give one with such a status, a seeker may; cleared when the status moves to one without reasons. Changes only together with the status.';
comment on column public.referrals.status_reason_text is 'Optional words with the reason (up to 500 characters), seen by every party, the seeker included.';
comment on column public.referrals.forwarded_from is 'The referral this one was forwarded from: a claimer of that referral''s program marked it "Referred elsewhere" and sent the person on here in the same step (public.forward_referral).';
comment on column public.referrals.response_due_at is 'When the receiving program is due to answer: programs.response_days business days after created_at in the program''s time zone, at the same local time. Set by a trigger when the referral is made, whatever is sent (95_response_clocks.sql).';
comment on column public.referrals.responded_at is 'The program''s first answer: the first status change made by one of its claimers. Empty until then. Set automatically.';
comment on column public.referrals.assigned_to is 'The claimer of the receiving program who handles it, if any. Set by a claimer of that program, only to one of its claimers (themselves included); empty to unassign.';
comment on column public.referrals.assigned_to_name is 'The assignee as every party sees them ("First L."); filled in automatically.';
comment on column public.referrals.status_changed_at is 'When the status last changed (as its latest status_changed history entry); empty while it never has. Kept by a trigger (87_reports.sql).';

-- any unfiltered list, newest first (the rule is checked on each row read).
-- Partial on a condition every referral meets (referrals_created_at_check):
-- a query may walk it only when it states that condition, as the busy form
-- of the referrals policy does and its quiet form does not (see that policy),
-- so a quiet caller's unfiltered list never walks every referral. A service
-- role client listing newest first walks it by asking for a time range
-- (created_at=gt.…).
create index referrals_created_at_idx on public.referrals (created_at desc) where (created_at > '-infinity'::timestamp with time zone);
create index referrals_status_reason_idx on public.referrals (status, status_reason) where (status_reason is not null);
create unique index referrals_forwarded_from_key on public.referrals (forwarded_from) where (forwarded_from is not null);
-- A program's, site's or sender program's referrals by time. Each carries the
-- columns the referrals policy reads and those a report counts
-- (private.report_scope, 87_reports.sql), so that a report reads its year
-- of referrals from these indexes alone, never the table.
create index referrals_from_program_id_idx on public.referrals (from_program_id, created_at desc) include (seeker_id, program_id, referred_by, from_site_id, status, status_reason, responded_at, response_due_at, status_changed_at) where (from_program_id is not null);
create index referrals_from_site_id_idx on public.referrals (from_site_id, created_at desc) include (seeker_id, program_id, referred_by, from_program_id, status, status_reason, responded_at, response_due_at, status_changed_at) where (from_site_id is not null);
create index referrals_goal_id_idx on public.referrals (goal_id, seeker_id) where (goal_id is not null);
create index referrals_program_id_idx on public.referrals (program_id, created_at desc) include (status, seeker_id, referred_by, from_site_id, from_program_id, status_reason, responded_at, response_due_at, status_changed_at);
create index referrals_referred_by_idx on public.referrals (referred_by, created_at desc) include (seeker_id);
-- Inbound "Needs a response" (unanswered, newest first) and its overdue count;
-- it carries the columns the referrals policy reads, so both are index-only
create index referrals_awaiting_response_idx on public.referrals (program_id, created_at desc) include (response_due_at, status, seeker_id, referred_by, from_site_id, from_program_id) where (responded_at is null);
create index referrals_assigned_to_idx on public.referrals (assigned_to, created_at desc) where (assigned_to is not null);
create index referrals_seeker_id_idx on public.referrals (seeker_id, created_at desc) include (program_id, referred_by, from_site_id, from_program_id);
-- the rule's two arms as the policies write them (private.reaches inlined):
-- the referrals a caller reaches, found without reading the others; and,
-- through ANALYZE, how often each program, user and site occurs
-- (private.reach_shares, 06_request_plans.sql)
create index referrals_reach_idx on public.referrals using gin ((array[program_id]), (array[referred_by, from_site_id, from_program_id]));

alter table public.referrals enable row level security;
alter table public.referrals replica identity full;

revoke all on table public.referrals from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.referrals to service_role;
grant select on table public.referrals to authenticated;
grant insert (id, seeker_id, program_id, from_site_id, from_program_id, comment, goal_id, forwarded_from) on public.referrals to authenticated;
grant update (status, goal_id, status_reason, status_reason_text, assigned_to) on public.referrals to authenticated;

-- Referrals before insert: referrer is the caller, made-from defaults for a
-- one-membership referrer, and must be an organisation the referrer belongs to.
create or replace function private.referrals_before_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_sites uuid[];
  v_programs uuid[];
begin
  if new.referred_by is null then
    raise exception 'A referral needs the user who makes it' using errcode = '23502';
  end if;
  if new.from_site_id is null and new.from_program_id is null then
    select array_agg(site_id) into v_sites from public.site_members where user_id = new.referred_by;
    select array_agg(program_id) into v_programs from public.program_members where user_id = new.referred_by;
    if coalesce(cardinality(v_sites), 0) + coalesce(cardinality(v_programs), 0) = 1 then
      new.from_site_id := v_sites[1];
      new.from_program_id := v_programs[1];
    else
      raise exception 'Choose the site or program this referral is made from'
        using errcode = '23514',
              hint = 'Set from_site_id or from_program_id to one of your organisations.';
    end if;
  end if;
  if (new.from_site_id is not null and not exists (
        select 1 from public.site_members where site_id = new.from_site_id and user_id = new.referred_by))
     or (new.from_program_id is not null and not exists (
        select 1 from public.program_members where program_id = new.from_program_id and user_id = new.referred_by)) then
    raise exception 'A referral can only be made from a site or program the referrer belongs to'
      using errcode = '42501';
  end if;
  new.status := coalesce(new.status, 'not_updated');
  new.version := 1;
  new.updated_at := new.created_at;
  return new;
end
$$;
revoke all on function private.referrals_before_insert() from public, anon, authenticated, service_role;

-- Set on insert from the referrer's profile, whatever the client sends (the
-- column is not in the insert grant anyway). Named to run after
-- referrals_before_insert, which settles referred_by's organisation.
create or replace function private.referrals_referred_by_name()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  select private.display_name(pr.first_name, pr.last_name) into new.referred_by_name
  from public.profiles pr where pr.id = new.referred_by;
  new.referred_by_name := coalesce(new.referred_by_name, '');
  return new;
end
$$;
revoke all on function private.referrals_referred_by_name() from public, anon, authenticated, service_role;

-- Referrals before update: bump version, and only the referral's staff may
-- change its goal (a seeker may change only the status). Checked at every
-- trigger level: a change made by another table's trigger on a signed-in
-- user's behalf (deleting a goal) is held to the same rule.
create or replace function private.referrals_before_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.goal_id is distinct from old.goal_id
     and auth.role() = 'authenticated'
     and not private.staff_can_access_referral(old.id) then
    raise exception 'Only staff of this referral can add it to a goal or take it out of one' using errcode = '42501';
  end if;
  new.version := old.version + 1;
  new.updated_at := now();
  return new;
end
$$;
revoke all on function private.referrals_before_update() from public, anon, authenticated, service_role;

create trigger referrals_before_insert before insert on public.referrals for each row execute function private.referrals_before_insert();
create trigger referrals_before_insert_referred_by_name before insert on public.referrals for each row execute function private.referrals_referred_by_name();
create trigger referrals_before_update before update on public.referrals for each row execute function private.referrals_before_update();

-- Whoever sees a referral may update it; the column grants allow only status
-- and goal_id, and the update trigger keeps goals to staff.
create policy "Referrer, shared team, claimers and the seeker update referrals" on public.referrals for update to authenticated
  using (
    coalesce(
      private.reaches(array[program_id], array[referred_by, from_site_id, from_program_id],
                      (select private.my_inbound_programs()), (select private.my_outbound_scope()))
      or seeker_id = any ((select private.my_seeker_records())::uuid[]),
      false))
  with check (
    coalesce(
      private.reaches(array[program_id], array[referred_by, from_site_id, from_program_id],
                      (select private.my_inbound_programs()), (select private.my_outbound_scope()))
      or seeker_id = any ((select private.my_seeker_records())::uuid[]),
      false));

-- Rules 1-4 (05_visibility.sql), in two forms that give the same rows; which
-- one a statement uses is fixed when it is planned
-- (private.plan_for_quiet_caller(), 06_request_plans.sql):
--   * for a quiet caller, the comparisons bare, so that each arm is answered
--     from an index (referrals_reach_idx, referrals_seeker_id_idx) and their
--     few referrals are found without reading the others. One more arm is
--     never true (no id sorts before the nil uuid) but Postgres takes it for
--     a third of all referrals: a list the caller filters (Inbound:
--     program_id=eq.…, newest first) then expects a page's worth of rows and
--     walks that program's index in order, stopping after the page, instead
--     of fetching and joining every referral of the program before sorting
--     (Carl at 10,000,000 referrals: 40 ms to 2 ms, docs/performance.md). An
--     unfiltered list cannot walk newest first (referrals_created_at_idx is
--     not for this form), so it reads the caller's referrals from the reach
--     indexes and sorts them;
--   * otherwise wrapped in coalesce(…, false), the same test, so that the
--     planner does not take the rule for a selective filter: its default
--     estimate of the bare comparisons (~1% of rows) makes it gather a busy
--     program's whole inbox through the indexes and sort it (Inbound, busy
--     program, by status: 15 ms walking the program's index in order, 160 ms
--     that way at 1M; docs/performance.md). It also states what every
--     referral meets (created_at > '-infinity', referrals_created_at_check),
--     which lets it walk referrals_created_at_idx newest first.
create policy "Referrer, shared team, claimers and the seeker view referrals" on public.referrals for select to authenticated
  using (
    (private.plan_for_quiet_caller()
     and (private.reaches(array[program_id], array[referred_by, from_site_id, from_program_id],
                          (select private.my_inbound_programs()), (select private.my_outbound_scope()))
          or seeker_id = any ((select private.my_seeker_records())::uuid[])
          or seeker_id < (select '00000000-0000-0000-0000-000000000000'::uuid)))
    or (not private.plan_for_quiet_caller()
        and coalesce(
          private.reaches(array[program_id], array[referred_by, from_site_id, from_program_id],
                          (select private.my_inbound_programs()), (select private.my_outbound_scope()))
          or seeker_id = any ((select private.my_seeker_records())::uuid[]),
          false)
        and created_at > '-infinity'::timestamp with time zone));

create policy "Staff can refer a seeker they can see from an organisation they" on public.referrals for insert to authenticated
  with check (((referred_by = ( select auth.uid() as uid)) and ((from_site_id in ( select private.my_site_ids() as my_site_ids)) or (from_program_id in ( select private.my_program_ids() as my_program_ids))) and private.staff_can_see_seeker(seeker_id)));

-- seekers, seen through their referrals ------------------------------------
-- (these two seekers policies read referrals, so they follow its table)

create policy "Staff with access and the seeker themselves can update a seeker" on public.seekers for update to authenticated
  using (
    exists (select 1 from public.referrals r where r.seeker_id = seekers.id)
    or private.reaches('{}', array[user_id, created_by, created_from_site_id, created_from_program_id],
                       '{}', (select private.my_outbound_scope())))
  with check (
    exists (select 1 from public.referrals r where r.seeker_id = seekers.id)
    or private.reaches('{}', array[user_id, created_by, created_from_site_id, created_from_program_id],
                       '{}', (select private.my_outbound_scope())));

-- The seekers of the referrals the caller sees (under the referrals policy,
-- with the caller's rights): the quiet form of the seekers policy below. A
-- function, not inlined (it has a SET clause), so that the planner costs it
-- as one call: written out, the referrals query it runs is costed as if it ran
-- again for every row wherever the policy sits inside an embed (the seeker of
-- each referral in a list), and the planner walked every referral instead.
create or replace function private.seekers_of_my_referrals()
returns uuid[]
language sql
stable parallel restricted
set search_path = ''
as $$
  select array(select r.seeker_id from public.referrals r)
$$;
revoke all on function private.seekers_of_my_referrals() from public, anon, authenticated, service_role;
grant execute on function private.seekers_of_my_referrals() to authenticated;

-- Whoever added them (and that organisation when it shares), their own
-- account (its id is in the caller's own scope), and whoever sees one of their
-- referrals (under the referrals policy). The last is written two ways that
-- give the same rows; which one a statement uses is fixed when it is planned
-- (private.plan_for_quiet_list(), 06_request_plans.sql):
--   * for a quiet caller's list of seekers: the seekers of the referrals they
--     see, read once per statement (a few hundred ids), so that both arms are
--     index lookups;
--   * otherwise (a seeker embedded in a list of referrals, a busy caller):
--     a lookup of each seeker's referrals as rows are read, from
--     referrals_seeker_id_idx alone (a busy caller's list stops after a page;
--     the array above is searched from its start for every row). "seekers.id
--     is not null" (always true) keeps Postgres from hashing every referral
--     the caller sees first instead.
create policy "Staff with access and the seeker themselves can view a seeker" on public.seekers for select to authenticated
  using (
    private.reaches('{}', array[user_id, created_by, created_from_site_id, created_from_program_id],
                    '{}', (select private.my_outbound_scope()))
    or (private.plan_for_quiet_list('seekers')
        and id = any ((select private.seekers_of_my_referrals())::uuid[]))
    or (not private.plan_for_quiet_list('seekers')
        and exists (select 1 from public.referrals r where r.seeker_id = seekers.id and seekers.id is not null)));

create or replace function public.outbound_referrals(max_results integer default 20, skip integer default 0)
returns setof public.referrals
language sql
stable
set search_path = ''
as $$
  with page as (
    select least(greatest(coalesce(max_results, 20), 1), 200) + greatest(coalesce(skip, 0), 0) as n
  )
  -- rules 1-2 (05_visibility.sql): the caller's own id and their sharing
  -- organisations, each walked newest first on its own index (ids never
  -- collide across users, sites and programs, so each probe matches one kind)
  , scope as (select unnest((select private.my_outbound_scope())) as id)
  select u.* from (
    (select r.* from scope cross join lateral (
        select * from public.referrals x
        where x.referred_by = scope.id
        order by x.created_at desc, x.id desc
        limit (select n from page)) r)
    union
    (select r.* from scope cross join lateral (
        select * from public.referrals x
        where x.from_site_id = scope.id
        order by x.created_at desc, x.id desc
        limit (select n from page)) r)
    union
    (select r.* from scope cross join lateral (
        select * from public.referrals x
        where x.from_program_id = scope.id
        order by x.created_at desc, x.id desc
        limit (select n from page)) r)
  ) u
  order by u.created_at desc, u.id desc
  limit least(greatest(coalesce(max_results, 20), 1), 200)
  offset greatest(coalesce(skip, 0), 0)
$$;
comment on function public.outbound_referrals(max_results integer, skip integer) is 'My referrals: those the caller made and those made from their sites and programs that share, newest first. max_results (1-200, default 20) and skip page them; embed related rows with .select(). Subject to the referrals policies.';
revoke all on function public.outbound_referrals(max_results integer, skip integer) from public, anon, authenticated, service_role;
grant execute on function public.outbound_referrals(max_results integer, skip integer) to authenticated, service_role;
