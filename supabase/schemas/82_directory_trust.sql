-- =============================================================================
-- A directory people can trust: capacity (is a program taking referrals?),
-- freshness (when was its listing last confirmed?), and reports of wrong
-- information that go to the program's claimers.
--
-- Who may change what on public.programs (the columns are in 10_organisations.sql):
--   claimers of the program  description, address, zip, phone, email, website,
--                            service_categories (their listing), capacity and
--                            capacity_wait, and confirm the listing (verified_at)
--                            — the update grant and the policy "Claimers can
--                            update their own program's listing"
--   admins (Studio)          everything
-- The stamps (capacity_updated_at/_by, verified_at/_by) are written by
-- programs_stamp below and cannot be chosen by a client.
-- =============================================================================

-- Capacity as the directory shows it: a capacity not set in the last 30
-- days (or never stamped) is unknown. search_programs and hsds_listing write
-- the same case expression out (a function call per program would cost more
-- than the rest of the search).
create or replace function public.current_capacity(p_capacity public.program_capacity, p_updated_at timestamp with time zone)
returns public.program_capacity
language sql
stable
set search_path = ''
as $$
  select case
    when p_updated_at is null or p_updated_at < now() - interval '30 days' then 'unknown'::public.program_capacity
    else p_capacity
  end
$$;
comment on function public.current_capacity(public.program_capacity, timestamp with time zone) is 'Capacity as the directory shows it: unknown when it was set more than 30 days ago (or never), else the capacity.';
revoke all on function public.current_capacity(public.program_capacity, timestamp with time zone) from public, anon, authenticated, service_role;
grant execute on function public.current_capacity(public.program_capacity, timestamp with time zone) to authenticated, service_role;

-- Stamps who changed capacity and who confirmed the listing, and when.
-- A signed-in user (a claimer, through the update grant) always gets now()
-- and their own id; an admin or an import may set the stamps themselves,
-- and gets now() when they leave them alone.
create or replace function private.programs_stamp()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user boolean := coalesce(auth.role() = 'authenticated', false);
begin
  if new.capacity is distinct from 'waitlist' then
    new.capacity_wait := null;
  end if;
  new.capacity_wait := nullif(trim(new.capacity_wait), '');
  if tg_op = 'INSERT' then
    if new.capacity <> 'unknown' and new.capacity_updated_at is null then
      new.capacity_updated_at := now();
    end if;
    return new;
  end if;

  if new.capacity is distinct from old.capacity or new.capacity_wait is distinct from old.capacity_wait then
    if v_user or new.capacity_updated_at is not distinct from old.capacity_updated_at then
      new.capacity_updated_at := now();
    end if;
    if v_user or new.capacity_updated_by is not distinct from old.capacity_updated_by then
      new.capacity_updated_by := auth.uid();
    end if;
  end if;

  if v_user and (new.verified_at is distinct from old.verified_at
      or new.description is distinct from old.description
      or new.address is distinct from old.address
      or new.zip is distinct from old.zip
      or new.phone is distinct from old.phone
      or new.email is distinct from old.email
      or new.website is distinct from old.website
      or new.service_categories is distinct from old.service_categories) then
    new.verified_at := now();
    new.verified_by := auth.uid();
  end if;
  return new;
end
$$;
revoke all on function private.programs_stamp() from public, anon, authenticated, service_role;

create trigger programs_stamp before insert or update on public.programs for each row execute function private.programs_stamp();

-- History: a referral made to a program that said it was not accepting
-- referrals (the app asks the referrer to confirm first). Runs after
-- referrals_history, so it follows the "created" entry.
create or replace function private.referrals_history_capacity()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_actor record;
begin
  if not exists (
      select 1 from public.programs p
      where p.id = new.program_id
        and public.current_capacity(p.capacity, p.capacity_updated_at) = 'not_accepting') then
    return null;
  end if;
  select * into v_actor from private.current_actor();
  insert into public.referral_events
    (referral_id, seeker_id, event_type, actor_id, actor_display_name, actor_organization, to_status)
  values
    (new.id, new.seeker_id, 'referred_not_accepting', v_actor.actor_id, v_actor.display_name, v_actor.organization, new.status);
  return null;
end
$$;
revoke all on function private.referrals_history_capacity() from public, anon, authenticated, service_role;

create trigger referrals_history_capacity after insert on public.referrals for each row execute function private.referrals_history_capacity();

-- program_reports -------------------------------------------------------------

create table public.program_reports (
  id uuid default gen_random_uuid() not null,
  program_id uuid not null,
  reason public.program_report_reason not null,
  details text default ''::text not null,
  status public.program_report_status default 'open'::public.program_report_status not null,
  resolution_note text default ''::text not null,
  reported_by uuid default auth.uid(),
  reporter_name text default ''::text not null,
  reporter_organization text,
  resolved_by uuid,
  resolved_at timestamp with time zone,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint program_reports_pkey primary key (id),
  constraint program_reports_details_check check ((char_length(details) <= 2000)),
  constraint program_reports_other_needs_details check (((reason <> 'other'::public.program_report_reason) or (char_length(btrim(details)) >= 1))),
  constraint program_reports_resolution_note_check check ((char_length(resolution_note) <= 2000)),
  constraint program_reports_reporter_name_check check ((char_length(reporter_name) <= 120)),
  constraint program_reports_reporter_organization_check check ((char_length(reporter_organization) <= 200)),
  constraint program_reports_resolved_when_closed check (((status = 'open'::public.program_report_status) = (resolved_at is null))),
  constraint program_reports_program_id_fkey foreign key (program_id) references public.programs(id) on delete cascade,
  constraint program_reports_reported_by_fkey foreign key (reported_by) references public.profiles(id) on delete set null,
  constraint program_reports_resolved_by_fkey foreign key (resolved_by) references public.profiles(id) on delete set null
);
comment on table public.program_reports is 'Reports of wrong information in a program''s listing, made by any member of staff. Seen by the reporter (who sees the outcome) and by the program''s claimers, who resolve or dismiss them; admins see and handle all of them here.';
comment on column public.program_reports.id is 'Report id.';
comment on column public.program_reports.program_id is 'The program whose listing is wrong.';
comment on column public.program_reports.reason is 'What is wrong: closed, phone, address, hours, eligibility, other.';
comment on column public.program_reports.details is 'What the reporter says is wrong and, if they know, what is right (required for other).';
comment on column public.program_reports.status is 'open, resolved (the listing was corrected) or dismissed (it was right).';
comment on column public.program_reports.resolution_note is 'What the claimer or admin did, shown to the reporter.';
comment on column public.program_reports.reported_by is 'The member of staff who reported it (always the signed-in user).';
comment on column public.program_reports.reporter_name is 'The reporter as the claimers see them ("First L."), filled in automatically.';
comment on column public.program_reports.reporter_organization is 'The reporter''s organisation, filled in automatically.';
comment on column public.program_reports.resolved_by is 'Who resolved or dismissed it; empty for an admin.';
comment on column public.program_reports.resolved_at is 'When it was resolved or dismissed (set exactly when status is not open).';
comment on column public.program_reports.created_at is 'When it was reported.';
comment on column public.program_reports.updated_at is 'When it last changed.';

-- one open report per reporter, program and reason: a second is a duplicate
create unique index program_reports_one_open_idx on public.program_reports (program_id, reported_by, reason) where (status = 'open'::public.program_report_status);
create index program_reports_program_id_idx on public.program_reports (program_id, status, created_at desc);
create index program_reports_reported_by_idx on public.program_reports (reported_by, created_at desc);
create index program_reports_resolved_by_idx on public.program_reports (resolved_by) where (resolved_by is not null);

alter table public.program_reports enable row level security;

revoke all on table public.program_reports from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.program_reports to service_role;
grant select on table public.program_reports to authenticated;
grant insert (program_id, reason, details) on public.program_reports to authenticated;
grant update (status, resolution_note) on public.program_reports to authenticated;

-- program_reports: the reporter and the program's claimers.
create policy "Reporters and the program's claimers can view reports" on public.program_reports for select to authenticated
  using (((reported_by = ( select auth.uid() as uid)) or (array[program_id] && ( select private.my_inbound_programs() as my_inbound_programs))));

-- Any member of staff (a site worker or a claimer) may report; seekers may not.
create policy "Staff can report wrong information" on public.program_reports for insert to authenticated
  with check (((reported_by = ( select auth.uid() as uid)) and ((exists ( select private.my_site_ids() as my_site_ids)) or (exists ( select private.my_program_ids() as my_program_ids)))));

create policy "Claimers can resolve or dismiss their program's reports" on public.program_reports for update to authenticated
  using ((array[program_id] && ( select private.my_inbound_programs() as my_inbound_programs)))
  with check ((array[program_id] && ( select private.my_inbound_programs() as my_inbound_programs)));

-- Reports before write: the reporter's name on insert; on update a signed-in
-- claimer moves an open report to resolved or dismissed, once.
create or replace function private.program_reports_before_write()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user boolean := coalesce(auth.role() = 'authenticated', false);
begin
  new.details := trim(new.details);
  new.resolution_note := trim(new.resolution_note);
  if tg_op = 'INSERT' then
    if v_user then
      new.reported_by := auth.uid();
      new.status := 'open';
      new.resolution_note := '';
      new.resolved_by := null;
      new.resolved_at := null;
    end if;
    select private.display_name(pr.first_name, pr.last_name) into new.reporter_name
    from public.profiles pr where pr.id = new.reported_by;
    new.reporter_name := coalesce(new.reporter_name, '');
    new.reporter_organization := private.user_organization(new.reported_by);
    new.created_at := now();
    new.updated_at := new.created_at;
    return new;
  end if;

  if v_user then
    if old.status <> 'open' then
      raise exception 'This report has already been %', old.status
        using errcode = 'P0001', hint = 'Reload to see what became of it.';
    end if;
    if new.status = 'open' then
      raise exception 'Resolve or dismiss the report' using errcode = 'P0001';
    end if;
    new.resolved_by := auth.uid();
    new.resolved_at := now();
  elsif new.status is distinct from old.status then
    new.resolved_at := case when new.status = 'open' then null else now() end;
    if new.status = 'open' then new.resolved_by := null; end if;
  end if;
  new.updated_at := now();
  return new;
end
$$;
revoke all on function private.program_reports_before_write() from public, anon, authenticated, service_role;

create trigger program_reports_before_write before insert or update on public.program_reports for each row execute function private.program_reports_before_write();
