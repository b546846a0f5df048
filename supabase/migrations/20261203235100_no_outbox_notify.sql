-- No listener waits on NOTIFY notification_jobs any more: the outbox trigger
-- calls the sender through pg_net (90_notifications.sql), and a cron job sweeps
-- for retries. The functions that queued messages stop notifying a channel
-- nobody reads; nothing else in them changes.

create or replace function public.retry_notification_jobs(p_job_ids uuid[] default NULL::uuid[])
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  update public.notification_jobs
  set state = 'pending', tries = 0, next_attempt_at = now(), locked_until = null, updated_at = now()
  where (p_job_ids is null and state = 'dead')
     or (p_job_ids is not null and id = any (p_job_ids) and state in ('dead', 'not_sent', 'pending'));
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

create or replace function private.enqueue_referral_notifications()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_event public.notification_event := case when tg_op = 'INSERT' then 'created' else 'status_changed' end;
  v_actor record;
  v_who record;
  v_seeker public.seekers%rowtype;
  v_actor_is_seeker boolean;
  v_jobs integer := 0;
  v_from public.referral_status := case when tg_op = 'UPDATE' then old.status end;
  v_pending_from public.referral_status;
  v_forwarded boolean := tg_op = 'INSERT' and new.forwarded_from is not null;
  v_next timestamptz := case when tg_op = 'UPDATE' then now() + private.status_change_grace() else now() end;
begin
  -- Any earlier one-click link of this referral no longer applies.
  if tg_op = 'UPDATE' then
    update private.one_click_links set superseded_at = now()
    where referral_id = new.id and used_at is null and superseded_at is null;
  end if;

  if coalesce(current_setting('app.suppress_notifications', true), '') in ('on', 'true', '1') then
    return null;
  end if;

  select * into v_seeker from public.seekers where id = new.seeker_id;
  -- "Don't reach out": nobody hears about this seeker's referrals.
  if v_seeker.preferred_contact = 'none' then
    return null;
  end if;

  -- A change made while the messages of the one before it still wait out
  -- their grace period: those messages are not sent. Back to the status
  -- before them (an undo): nothing is sent at all; to another status: the
  -- messages say from the first status to this one. Only the grace period
  -- counts: a text that waits for the end of quiet hours (92_text_messages.sql)
  -- after its grace period has passed is news already told to staff, and
  -- still goes.
  if tg_op = 'UPDATE' then
    with cancelled as (
      update public.notification_jobs j
      set state = 'not_sent',
          last_error = case when new.status = j.from_status
                            then 'not sent: the change was undone within the grace period'
                            else 'not sent: replaced by a later change within the grace period' end,
          updated_at = now()
      where j.referral_id = new.id and j.event = 'status_changed' and j.state = 'pending' and j.tries = 0
        and j.next_attempt_at > now() and j.created_at + private.status_change_grace() > now()
      returning j.from_status, j.created_at
    )
    select c.from_status into v_pending_from from cancelled c order by c.created_at limit 1;
    if v_pending_from is not null then
      if v_pending_from = new.status then
        return null;
      end if;
      v_from := v_pending_from;
    end if;
  end if;

  select * into v_who from private.notification_actor();
  select * into v_actor from private.current_actor();
  v_actor_is_seeker := coalesce(v_who.seeker_id = v_seeker.id, false)
    or coalesce(v_who.user_id = v_seeker.user_id, false);

  -- Staff: the receiving program's claimers, the referrer, and the referring
  -- organisation's team where it shares. One job per person (a claimer who is
  -- also on the referring team hears as the program), never the actor.
  with staff as (
    select pm.user_id, 'program'::public.notification_recipient_kind as kind, 0 as rank
    from public.program_members pm where pm.program_id = new.program_id
    union all
    -- a forwarded referral's referrer and team are the original's program:
    -- they hear of it by the original's change to "Referred elsewhere"
    select new.referred_by, 'helper', 1 where new.referred_by is not null and not v_forwarded
    union all
    select sm.user_id, 'helper', 2
    from public.site_members sm join public.sites s on s.id = sm.site_id
    where sm.site_id = new.from_site_id and s.team_sharing and not v_forwarded
    union all
    select pm.user_id, 'helper', 2
    from public.program_members pm join public.programs p on p.id = pm.program_id
    where pm.program_id = new.from_program_id and p.team_sharing and not v_forwarded
  ),
  chosen as (
    select distinct on (staff.user_id) staff.user_id, staff.kind
    from staff
    where staff.user_id is distinct from v_who.user_id
      and staff.user_id is distinct from v_seeker.user_id
      -- the candidates above are whom the rule can reach; the rule decides
      and private.reaches(array[new.program_id], array[new.referred_by, new.from_site_id, new.from_program_id],
                          private.inbound_programs(staff.user_id), private.outbound_scope(staff.user_id))
    order by staff.user_id, staff.rank
  ),
  jobs as (
    insert into public.notification_jobs
      (referral_id, event, from_status, to_status, actor_display_name, actor_organization, actor_is_seeker,
       recipient_kind, recipient_user_id, recipient_name, channel, address, language, state, last_error, next_attempt_at)
    select new.id, v_event, v_from, new.status,
           coalesce(v_actor.display_name, ''), v_actor.organization, v_actor_is_seeker,
           c.kind, c.user_id, coalesce(pr.first_name, ''), 'email', u.email, 'en',
           case when u.email is null or u.email = '' then 'not_sent' else 'pending' end::public.notification_state,
           case when u.email is null or u.email = '' then 'not sent: no email address' end, v_next
    from chosen c
    join auth.users u on u.id = c.user_id
    left join public.profiles pr on pr.id = c.user_id
    returning id, recipient_kind, recipient_user_id, state, address
  ),
  links as (
    insert into private.one_click_links (job_id, referral_id, recipient_kind, recipient_user_id, program_id, address)
    select j.id, new.id, j.recipient_kind, j.recipient_user_id,
           case when j.recipient_kind = 'program' then new.program_id end, j.address
    from jobs j where j.state = 'pending'
    returning 1
  )
  select count(*) into v_jobs from jobs;

  -- The seeker, by how they want to be reached (phone: a call, not a message).
  -- A forwarded referral is told to them once, by the original's change.
  if not v_actor_is_seeker and not v_forwarded and v_seeker.preferred_contact in ('email', 'text') then
    declare
      v_channel public.notification_channel :=
        case when v_seeker.preferred_contact = 'email' then 'email' else 'sms' end;
      v_address text := case when v_seeker.preferred_contact = 'email' then v_seeker.email else v_seeker.phone end;
      v_job_id uuid;
    begin
      insert into public.notification_jobs
        (referral_id, event, from_status, to_status, actor_display_name, actor_organization, actor_is_seeker,
         recipient_kind, recipient_seeker_id, recipient_name, channel, address, language, state, last_error,
         next_attempt_at)
      values
        (new.id, v_event, v_from, new.status,
         coalesce(v_actor.display_name, ''), v_actor.organization, false,
         'seeker', v_seeker.id, v_seeker.first_name, v_channel, v_address, v_seeker.preferred_language,
         case when coalesce(v_address, '') = '' then 'not_sent' else 'pending' end::public.notification_state,
         case when coalesce(v_address, '') = '' then
           case when v_channel = 'email' then 'not sent: no email address' else 'not sent: no phone number' end
         end, v_next)
      returning id into v_job_id;
      v_jobs := v_jobs + 1;
      if v_channel = 'email' and coalesce(v_address, '') <> '' then
        insert into private.one_click_links (job_id, referral_id, recipient_kind, recipient_seeker_id, address)
        values (v_job_id, new.id, 'seeker', v_seeker.id, v_address);
      end if;
    end;
  end if;

  return null;
end
$$;

create or replace function private.enqueue_contact_change_notifications()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_seeker public.seekers%rowtype;
  v_targets jsonb := '[]';
  v_target jsonb;
  v_jobs integer := 0;
begin
  if new.actor_id is null
     or coalesce(current_setting('app.suppress_notifications', true), '') in ('on', 'true', '1') then
    return null;
  end if;
  select * into v_seeker from public.seekers where id = new.seeker_id;
  if 'email' = any (new.fields) and coalesce(new.from_email, '') <> '' then
    v_targets := v_targets || jsonb_build_object('channel', 'email', 'address', new.from_email);
  end if;
  if 'phone' = any (new.fields) and coalesce(new.from_phone, '') <> '' then
    v_targets := v_targets || jsonb_build_object('channel', 'sms', 'address', new.from_phone);
  end if;
  if jsonb_array_length(v_targets) = 0 and 'preferred_contact' = any (new.fields) then
    if new.from_preferred_contact = 'email' and coalesce(v_seeker.email, '') <> '' then
      v_targets := v_targets || jsonb_build_object('channel', 'email', 'address', v_seeker.email);
    elsif new.from_preferred_contact = 'text' and coalesce(v_seeker.phone, '') <> '' then
      v_targets := v_targets || jsonb_build_object('channel', 'sms', 'address', v_seeker.phone);
    end if;
  end if;
  for v_target in select * from jsonb_array_elements(v_targets) loop
    insert into public.notification_jobs
      (seeker_event_id, event, actor_display_name, actor_organization, actor_is_seeker,
       recipient_kind, recipient_seeker_id, recipient_name, channel, address, language)
    values
      (new.id, 'contact_changed', new.actor_display_name, new.actor_organization,
       coalesce(new.actor_id = v_seeker.user_id, false),
       'seeker', v_seeker.id, v_seeker.first_name, (v_target ->> 'channel')::public.notification_channel,
       v_target ->> 'address', v_seeker.preferred_language);
    v_jobs := v_jobs + 1;
  end loop;
  return null;
end
$$;

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
