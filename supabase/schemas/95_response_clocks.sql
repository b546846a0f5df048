-- =============================================================================
-- Response clocks and assignment.
--
-- Every referral is due an answer from the program that receives it:
-- response_due_at is set when it is made, programs.response_days business
-- days (Monday to Friday, in programs.time_zone) later, at the same local time
-- of day. responded_at is the first status change made by a member of the
-- receiving program (a claimer), in the app or through their one-click link.
--
-- When a referral passes its due time unanswered, public.run_response_clocks()
-- (pg_cron, every minute) tells the program's claimers once, or only the
-- claimer it is assigned to; at twice the target it tells the referrer once
-- that the program has not answered, with a link to refer the seeker
-- elsewhere. The moments to act are kept in private.response_clock_alarms, so
-- a sweep reads only what is due, whatever the number of referrals.
--
-- A claimer assigns an inbound referral to a claimer of the same program
-- (themselves included): referrals.assigned_to. History records it and the
-- assignee is emailed unless they assigned themselves.
-- The columns are on programs (10_organisations.sql), referrals
-- (50_referrals.sql) and referral_events (70_history.sql).
-- =============================================================================

-- Business days -----------------------------------------------------------------

-- p_from plus p_days business days, in p_time_zone: the same local time of
-- day on the p_days-th Monday-to-Friday day after p_from's local date. A
-- referral made on a Saturday or Sunday counts from the Friday before
-- (Saturday 10:00 + 2 = Tuesday 10:00, the same as Friday 10:00 + 2). No
-- public holidays. A local time that does not exist on the due day (the hour
-- skipped when clocks go forward) is read as Postgres reads it, an hour later.
create or replace function private.add_business_days(p_from timestamp with time zone, p_days integer, p_time_zone text)
returns timestamp with time zone
language sql
stable parallel safe
set search_path = ''
as $$
  select ((b.base + p_days + 2 * ((b.weekday - 1 + p_days) / 5)) + l.local_time) at time zone p_time_zone
  from (select (p_from at time zone p_time_zone) as local) s
  cross join lateral (select s.local::date as day, s.local::time as local_time,
                             extract(isodow from s.local)::integer as dow) l
  cross join lateral (select l.day - greatest(l.dow - 5, 0) as base, least(l.dow, 5) as weekday) b
$$;
comment on function private.add_business_days(timestamp with time zone, integer, text) is 'p_from plus p_days business days (Monday-Friday) in the IANA time zone p_time_zone, at the same local time of day; a weekend counts from the Friday before.';
revoke all on function private.add_business_days(timestamp with time zone, integer, text) from public, anon, authenticated, service_role;
grant execute on function private.add_business_days(timestamp with time zone, integer, text) to service_role;

-- Programs: a time zone must be one the time zone database knows by name.
-- (A trigger, not a check constraint, so the error can say what to enter.) The
-- name is tried with timezone(), which uses the server's cached zone data;
-- reading pg_timezone_names instead lists the whole zone directory (~14 ms a
-- row, minutes for a directory import). The shape test keeps out what
-- timezone() also accepts but is not a zone name: abbreviations ("EST"),
-- POSIX rules ("EST5EDT", "UTC+3", "America/Foo+3") and the old one-word
-- aliases ("Japan"); UTC and Etc/GMT±N stay allowed.
create or replace function private.programs_check_time_zone()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.time_zone is not distinct from old.time_zone then
    return new;
  end if;
  if new.time_zone is null
     or new.time_zone !~ '^(UTC|Etc/GMT([+-]?(1[0-4]|[0-9]))?|[A-Za-z_-]+(/[A-Za-z_-]+)+)$' then
    raise exception 'Unknown time zone "%"', new.time_zone
      using errcode = '22023',
            hint = 'Use an IANA time zone name, such as America/Chicago or America/New_York.';
  end if;
  begin
    perform pg_catalog.timezone(new.time_zone, pg_catalog.now());
  exception when invalid_parameter_value then
    raise exception 'Unknown time zone "%"', new.time_zone
      using errcode = '22023',
            hint = 'Use an IANA time zone name, such as America/Chicago or America/New_York.';
  end;
  return new;
end
$$;
revoke all on function private.programs_check_time_zone() from public, anon, authenticated, service_role;

create trigger programs_check_time_zone before insert or update of time_zone on public.programs for each row execute function private.programs_check_time_zone();

-- response_clock_alarms ---------------------------------------------------------

create table private.response_clock_alarms (
  referral_id uuid not null,
  kind text not null,
  due_at timestamp with time zone not null,
  constraint response_clock_alarms_pkey primary key (referral_id, kind),
  constraint response_clock_alarms_kind_check check ((kind = any (array['reminder'::text, 'escalation'::text]))),
  constraint response_clock_alarms_referral_id_fkey foreign key (referral_id) references public.referrals(id) on delete cascade
);
comment on table private.response_clock_alarms is 'When run_response_clocks must look at an unanswered referral: its reminder (at response_due_at) and its escalation (at twice the response target). Armed when the referral is made; removed when the program answers, or when fired (so each fires once; what was sent is in notification_jobs). Never edit by hand.';
comment on column private.response_clock_alarms.kind is 'reminder: to the program''s claimers (or the assignee); escalation: to the referrer.';
comment on column private.response_clock_alarms.due_at is 'From this moment the sweep fires it.';

-- The sweep reads only what is due, by time.
create index response_clock_alarms_due_at_idx on private.response_clock_alarms (due_at);

revoke all on table private.response_clock_alarms from public, anon, authenticated, service_role;

-- Triggers on referrals -----------------------------------------------------------

-- Before insert: the due time from the program's target, and the assignee
-- (service role only: clients cannot insert assigned_to) must be a claimer.
create or replace function private.referrals_clock_before_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_program public.programs%rowtype;
begin
  select * into v_program from public.programs where id = new.program_id;
  if found then
    new.response_due_at := private.add_business_days(new.created_at, v_program.response_days, v_program.time_zone);
  end if;
  new.responded_at := null;
  new.assigned_to_name := '';
  if new.assigned_to is not null then
    if not exists (select 1 from public.program_members where program_id = new.program_id and user_id = new.assigned_to) then
      raise exception 'A referral can only be assigned to a claimer of the program that received it' using errcode = '23514';
    end if;
    select private.display_name(pr.first_name, pr.last_name) into new.assigned_to_name
    from public.profiles pr where pr.id = new.assigned_to;
  end if;
  return new;
end
$$;
revoke all on function private.referrals_clock_before_insert() from public, anon, authenticated, service_role;

-- After insert: arm the reminder and the escalation. A referral made with
-- notifications suppressed (the seed, an import) is old news: not armed.
create or replace function private.referrals_clock_arm()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_program public.programs%rowtype;
begin
  if new.responded_at is not null or new.response_due_at is null
     or coalesce(current_setting('app.suppress_notifications', true), '') in ('on', 'true', '1') then
    return null;
  end if;
  select * into v_program from public.programs where id = new.program_id;
  insert into private.response_clock_alarms (referral_id, kind, due_at)
  values (new.id, 'reminder', new.response_due_at),
         (new.id, 'escalation', private.add_business_days(new.created_at, 2 * v_program.response_days, v_program.time_zone));
  return null;
end
$$;
revoke all on function private.referrals_clock_arm() from public, anon, authenticated, service_role;

-- Before update: the first status change by a claimer of the receiving
-- program is its response; assignment is a claimer's act, to a claimer.
create or replace function private.referrals_clock_before_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_actor uuid := (select a.user_id from private.notification_actor() a);
begin
  if new.status is distinct from old.status and old.responded_at is null and new.responded_at is null
     and v_actor is not null
     and exists (select 1 from public.program_members where program_id = new.program_id and user_id = v_actor) then
    new.responded_at := now();
  end if;

  if new.assigned_to is distinct from old.assigned_to then
    if auth.role() = 'authenticated'
       and not exists (select 1 from public.program_members where program_id = old.program_id and user_id = auth.uid()) then
      raise exception 'Only a claimer of the program that received this referral can assign it'
        using errcode = '42501',
              hint = 'Ask one of the program''s claimers to assign it.';
    end if;
    new.assigned_to_name := '';
    if new.assigned_to is not null then
      if not exists (select 1 from public.program_members where program_id = new.program_id and user_id = new.assigned_to) then
        raise exception 'A referral can only be assigned to a claimer of the program that received it'
          using errcode = '23514',
                hint = 'Choose one of the program''s claimers, or nobody.';
      end if;
      select private.display_name(pr.first_name, pr.last_name) into new.assigned_to_name
      from public.profiles pr where pr.id = new.assigned_to;
      new.assigned_to_name := coalesce(new.assigned_to_name, '');
    end if;
  end if;
  return new;
end
$$;
revoke all on function private.referrals_clock_before_update() from public, anon, authenticated, service_role;

-- After update: an answered referral disarms its alarms; an assignment is
-- recorded in the history and emailed to the assignee (not to someone who
-- assigned it to themselves, and not about a seeker who asked for no
-- messages).
create or replace function private.referrals_clock_after_update()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_actor record;
  v_who record;
  v_job public.notification_jobs%rowtype;
begin
  if new.responded_at is not null and old.responded_at is null then
    delete from private.response_clock_alarms where referral_id = new.id;
  end if;

  if new.assigned_to is distinct from old.assigned_to then
    select * into v_actor from private.current_actor();
    insert into public.referral_events
      (referral_id, seeker_id, event_type, actor_id, actor_display_name, actor_organization, assignee_id, assignee_name)
    values
      (new.id, new.seeker_id, 'assigned', v_actor.actor_id, v_actor.display_name, v_actor.organization,
       new.assigned_to, nullif(new.assigned_to_name, ''));

    select * into v_who from private.notification_actor();
    if new.assigned_to is not null and new.assigned_to is distinct from v_who.user_id
       and coalesce(current_setting('app.suppress_notifications', true), '') not in ('on', 'true', '1')
       and (select s.preferred_contact from public.seekers s where s.id = new.seeker_id) <> 'none' then
      insert into public.notification_jobs
        (referral_id, event, to_status, actor_display_name, actor_organization, recipient_kind, recipient_user_id,
         recipient_name, channel, address, language, state, last_error)
      select new.id, 'assigned', new.status, coalesce(v_actor.display_name, ''), v_actor.organization, 'program',
             u.id, coalesce(pr.first_name, ''), 'email', u.email, coalesce(pr.preferred_language, 'en'),
             case when coalesce(u.email, '') = '' then 'not_sent' else 'pending' end::public.notification_state,
             case when coalesce(u.email, '') = '' then 'not sent: no email address' end
      from auth.users u left join public.profiles pr on pr.id = u.id
      where u.id = new.assigned_to
      returning * into v_job;
      if v_job.id is not null then
        if v_job.state = 'pending' then
          insert into private.one_click_links (job_id, referral_id, recipient_kind, recipient_user_id, program_id, address)
          values (v_job.id, new.id, 'program', v_job.recipient_user_id, new.program_id, v_job.address);
        end if;
      end if;
    end if;
  end if;
  return null;
end
$$;
revoke all on function private.referrals_clock_after_update() from public, anon, authenticated, service_role;

create trigger referrals_after_update_response_clock after update of status, assigned_to, responded_at on public.referrals for each row execute function private.referrals_clock_after_update();
create trigger referrals_arm_response_clock after insert on public.referrals for each row execute function private.referrals_clock_arm();
create trigger referrals_before_insert_response_clock before insert on public.referrals for each row execute function private.referrals_clock_before_insert();
create trigger referrals_before_update_response_clock before update on public.referrals for each row execute function private.referrals_clock_before_update();

-- The sweep ------------------------------------------------------------------------

-- Fires every alarm due at p_as_of that has not fired yet, once: reminders to
-- the receiving program's claimers (only the assignee when the referral is
-- assigned to someone still a claimer), escalations to the referrer. Nothing
-- for a referral answered meanwhile, whose seeker asked for no messages, or
-- whose referrer's account is gone. Run again with the same moment it
-- finds nothing more; moments in sequence fire each alarm at the first one
-- past its time. Returns how many referrals were reminded and escalated and
-- how many messages were queued.
create or replace function public.run_response_clocks(as_of timestamp with time zone default now())
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_reminded integer := 0;
  v_escalated integer := 0;
  v_jobs integer := 0;
begin
  if as_of is null then
    raise exception 'run_response_clocks needs a moment (as_of)' using errcode = '22004';
  end if;

  -- Fired means removed: a sweep running at the same moment waits for these
  -- rows and then finds them gone, so each alarm fires once.
  with fired as (
    delete from private.response_clock_alarms a
    where a.due_at <= as_of
    returning a.referral_id, a.kind
  ),
  live as (
    select f.referral_id, f.kind, r.program_id, r.referred_by, r.assigned_to, r.status
    from fired f
    join public.referrals r on r.id = f.referral_id
    join public.seekers s on s.id = r.seeker_id
    where r.responded_at is null and s.preferred_contact <> 'none'
  ),
  recipients as (
    -- reminders: the assignee while still a claimer, otherwise every claimer
    select l.referral_id, l.program_id, l.status, pm.user_id, 'reminder'::public.notification_event as event,
           'program'::public.notification_recipient_kind as kind
    from live l
    join public.program_members pm on pm.program_id = l.program_id
    where l.kind = 'reminder'
      and (pm.user_id = l.assigned_to
           or not exists (select 1 from public.program_members a
                          where a.program_id = l.program_id and a.user_id = l.assigned_to))
    union all
    -- escalations: the referrer
    select l.referral_id, l.program_id, l.status, l.referred_by, 'escalation', 'helper'
    from live l
    where l.kind = 'escalation' and l.referred_by is not null
  ),
  jobs as (
    insert into public.notification_jobs
      (referral_id, event, to_status, actor_display_name, recipient_kind, recipient_user_id, recipient_name, channel,
       address, language, state, last_error)
    select rc.referral_id, rc.event, rc.status, '', rc.kind, rc.user_id, coalesce(pr.first_name, ''), 'email', u.email,
           coalesce(pr.preferred_language, 'en'),
           case when coalesce(u.email, '') = '' then 'not_sent' else 'pending' end::public.notification_state,
           case when coalesce(u.email, '') = '' then 'not sent: no email address' end
    from recipients rc
    join auth.users u on u.id = rc.user_id
    left join public.profiles pr on pr.id = rc.user_id
    returning id
  )
  select (select count(*) from live where kind = 'reminder'), (select count(*) from live where kind = 'escalation'),
         (select count(*) from jobs)
  into v_reminded, v_escalated, v_jobs;

  return jsonb_build_object('reminded', v_reminded, 'escalated', v_escalated, 'messages', v_jobs);
end
$$;
comment on function public.run_response_clocks(as_of timestamp with time zone) is 'Service role only (pg_cron, every minute): queues the reminders and escalations due at as_of (default now), each once. Pass a moment to act as of that time (tests). Returns {reminded, escalated, messages}.';
revoke all on function public.run_response_clocks(as_of timestamp with time zone) from public, anon, authenticated, service_role;
grant execute on function public.run_response_clocks(as_of timestamp with time zone) to service_role;

-- The sweep runs every minute, the same job locally (the stack provides
-- pg_cron) and on hosted Supabase. cron.schedule replaces a job of the same
-- name, so re-running is safe.
select cron.schedule('response-clocks', '* * * * *', $$select public.run_response_clocks()$$);
