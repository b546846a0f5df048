-- =============================================================================
-- Rules between objects:
--   * a seeker's email, phone and preferred contact change only by the seeker
--     or the organisation that added them (private.can_change_seeker_contact);
--     every such change is in the seeker's history (seeker_events) and told
--     to the previous address (notification_jobs, event contact_changed);
--   * a one-click link acts only while the address it was sent to is still
--     the recipient's (one_click_links.address, state address_changed) and,
--     for staff, while they may still update the referral (no_access);
--   * goals are changed by staff only, and a goal holding referrals the caller
--     cannot see cannot be deleted; the goal rule of referrals holds at every
--     trigger level;
--   * delivery records (notification_jobs) show signed-in users everything but
--     the address, and a provider's error never quotes it;
--   * a note's author deletes it (writing the referral's history) only while
--     still one of the referral's staff.
-- The schema files (supabase/schemas/) describe the result.
-- =============================================================================

-- 05_visibility.sql -------------------------------------------------------------

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

-- 30_seekers.sql ----------------------------------------------------------------

create or replace function private.seekers_before_write()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_sites uuid[];
  v_programs uuid[];
begin
  if tg_op = 'INSERT' then
    if new.created_by is not null and new.created_from_site_id is null and new.created_from_program_id is null then
      select array_agg(site_id) into v_sites from public.site_members where user_id = new.created_by;
      select array_agg(program_id) into v_programs from public.program_members where user_id = new.created_by;
      if coalesce(cardinality(v_sites), 0) + coalesce(cardinality(v_programs), 0) = 1 then
        new.created_from_site_id := v_sites[1];
        new.created_from_program_id := v_programs[1];
      end if;
    end if;
    return new;
  end if;
  if auth.role() = 'authenticated' and old.user_id = v_uid and not private.staff_can_see_seeker(old.id)
     and (new.first_name, new.last_name, new.address, new.zip)
         is distinct from (old.first_name, old.last_name, old.address, old.zip) then
    raise exception 'Seekers can change only their contact details and preferences'
      using errcode = '42501';
  end if;
  if auth.role() = 'authenticated'
     and (new.email, new.phone, new.preferred_contact) is distinct from (old.email, old.phone, old.preferred_contact)
     and not private.can_change_seeker_contact(old.id) then
    raise exception 'Only the organisation that added % and % themselves can change their email, phone or preferred contact',
        private.display_name(old.first_name, old.last_name), old.first_name
      using errcode = '42501',
            hint = 'You see this person through a referral. Ask the organisation that added them to update their contact details.';
  end if;
  return new;
end
$$;
revoke all on function private.seekers_before_write() from public, anon, authenticated, service_role;

create or replace function public.contact_editable(public.seekers)
returns boolean
language sql
stable
set search_path = ''
as $$
  select private.can_change_seeker_contact($1.id)
$$;
comment on function public.contact_editable(public.seekers) is 'Computed field of seekers: whether the caller may change this seeker''s email, phone and preferred contact (the seeker themselves, or the organisation that added them).';
revoke all on function public.contact_editable(public.seekers) from public, anon, authenticated, service_role;
grant execute on function public.contact_editable(public.seekers) to authenticated, service_role;

-- 40_goals.sql ------------------------------------------------------------------

create or replace function private.goals_before_delete()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if pg_trigger_depth() = 1 then
    if auth.role() = 'authenticated' and exists (
        select 1 from public.referrals r
        where r.goal_id = old.id and not private.staff_can_access_referral(r.id)) then
      raise exception 'The goal "%" holds referrals you cannot see, so it cannot be deleted', old.title
        using errcode = '42501',
              hint = 'The staff of those referrals can take them out of the goal first.';
    end if;
    update public.referrals set goal_id = null where goal_id = old.id;
  end if;
  return old;
end
$$;
revoke all on function private.goals_before_delete() from public, anon, authenticated, service_role;
comment on table public.goals is 'A seeker''s goals (their care plan). Referrals can be added to one goal. Visible to whoever can see the seeker; added, edited and deleted by staff who can see the seeker (a goal holding referrals the caller cannot see cannot be deleted).';

drop policy "Whoever can see a seeker can add goals" on public.goals;
drop policy "Whoever can see a seeker can delete their goals" on public.goals;
drop policy "Whoever can see a seeker can edit their goals" on public.goals;
create policy "Staff who can see a seeker can add goals" on public.goals for insert to authenticated
  with check (((created_by = ( select auth.uid() as uid)) and private.staff_can_see_seeker(seeker_id)));

create policy "Staff who can see a seeker can delete their goals" on public.goals for delete to authenticated
  using (private.staff_can_see_seeker(seeker_id));

create policy "Staff who can see a seeker can edit their goals" on public.goals for update to authenticated
  using (private.staff_can_see_seeker(seeker_id))
  with check (private.staff_can_see_seeker(seeker_id));


-- 50_referrals.sql --------------------------------------------------------------

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

-- 70_history.sql ----------------------------------------------------------------

create type public.seeker_event_type as enum ('contact_changed');
comment on type public.seeker_event_type is 'What happened to a seeker''s record, as recorded in their history.';

create table public.seeker_events (
  id bigint generated always as identity not null,
  seeker_id uuid not null,
  event_type public.seeker_event_type not null,
  fields text[] not null,
  from_email text,
  to_email text,
  from_phone text,
  to_phone text,
  from_preferred_contact public.contact_preference,
  to_preferred_contact public.contact_preference,
  actor_id uuid,
  actor_display_name text not null,
  actor_organization text,
  created_at timestamp with time zone default clock_timestamp() not null,
  constraint seeker_events_pkey primary key (id),
  constraint seeker_events_actor_display_name_check check ((char_length(actor_display_name) <= 120)),
  constraint seeker_events_actor_organization_check check ((char_length(actor_organization) <= 200)),
  constraint seeker_events_from_email_check check ((char_length(from_email) <= 320)),
  constraint seeker_events_to_email_check check ((char_length(to_email) <= 320)),
  constraint seeker_events_from_phone_check check ((char_length(from_phone) <= 40)),
  constraint seeker_events_to_phone_check check ((char_length(to_phone) <= 40)),
  constraint seeker_events_fields_check check (((cardinality(fields) >= 1) and (fields <@ array['email'::text, 'phone'::text, 'preferred_contact'::text]))),
  constraint seeker_events_seeker_id_fkey foreign key (seeker_id) references public.seekers(id) on delete cascade
);
comment on table public.seeker_events is 'History of a seeker''s record: every change of email, phone or preferred contact, with who made it. Written only by a trigger; nobody can edit or delete it. Visible to whoever can see the seeker. The previous address is told of each change a user makes (notification_jobs, event contact_changed); an administrator''s change is recorded only.';
comment on column public.seeker_events.id is 'Event number (increasing).';
comment on column public.seeker_events.seeker_id is 'The seeker.';
comment on column public.seeker_events.event_type is 'What happened.';
comment on column public.seeker_events.fields is 'Which details changed: email, phone, preferred_contact.';
comment on column public.seeker_events.from_email is 'Email before (when email changed).';
comment on column public.seeker_events.to_email is 'Email after (when email changed).';
comment on column public.seeker_events.from_phone is 'Phone before (when phone changed).';
comment on column public.seeker_events.to_phone is 'Phone after (when phone changed).';
comment on column public.seeker_events.from_preferred_contact is 'Preferred contact before (when it changed).';
comment on column public.seeker_events.to_preferred_contact is 'Preferred contact after (when it changed).';
comment on column public.seeker_events.actor_id is 'The user who made the change; empty for an admin or a server-side job.';
comment on column public.seeker_events.actor_display_name is 'Who made it, as "First L.".';
comment on column public.seeker_events.actor_organization is 'Their organisation, empty for the seeker.';
comment on column public.seeker_events.created_at is 'When it happened.';

create index seeker_events_seeker_id_idx on public.seeker_events (seeker_id, created_at);

alter table public.seeker_events enable row level security;

revoke all on table public.seeker_events from public, anon, authenticated, service_role;
grant select on table public.seeker_events to service_role, authenticated;

-- Append-only, like referral_events: deletes only with the seeker (cascade).
create or replace function private.seeker_events_immutable()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' and pg_trigger_depth() > 1 then
    return old;
  end if;
  raise exception 'Seeker history cannot be changed' using errcode = '42501';
end
$$;
revoke all on function private.seeker_events_immutable() from public, anon, authenticated, service_role;

create trigger seeker_events_immutable before delete or update on public.seeker_events for each row execute function private.seeker_events_immutable();

-- seeker history: whoever sees the seeker (under its policy).
create policy "Whoever can see a seeker can view their history" on public.seeker_events for select to authenticated
  using (exists (select 1 from public.seekers s where s.id = seeker_events.seeker_id));

-- History: a change of email, phone or preferred contact (who may make one:
-- seekers_before_write, 30_seekers.sql).
create or replace function private.seekers_history()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_actor record;
  v_fields text[] := '{}';
begin
  if new.email is distinct from old.email then v_fields := array_append(v_fields, 'email'); end if;
  if new.phone is distinct from old.phone then v_fields := array_append(v_fields, 'phone'); end if;
  if new.preferred_contact is distinct from old.preferred_contact then v_fields := array_append(v_fields, 'preferred_contact'); end if;
  if cardinality(v_fields) = 0 then
    return null;
  end if;
  select * into v_actor from private.current_actor();
  insert into public.seeker_events
    (seeker_id, event_type, fields, from_email, to_email, from_phone, to_phone,
     from_preferred_contact, to_preferred_contact, actor_id, actor_display_name, actor_organization)
  values
    (new.id, 'contact_changed', v_fields,
     case when 'email' = any (v_fields) then old.email end, case when 'email' = any (v_fields) then new.email end,
     case when 'phone' = any (v_fields) then old.phone end, case when 'phone' = any (v_fields) then new.phone end,
     case when 'preferred_contact' = any (v_fields) then old.preferred_contact end,
     case when 'preferred_contact' = any (v_fields) then new.preferred_contact end,
     v_actor.actor_id, v_actor.display_name,
     case when v_actor.actor_id is not distinct from new.user_id and new.user_id is not null then null
          else v_actor.organization end);
  return null;
end
$$;
revoke all on function private.seekers_history() from public, anon, authenticated, service_role;

create trigger seekers_history after update of email, phone, preferred_contact on public.seekers for each row execute function private.seekers_history();

-- 90_notifications.sql ----------------------------------------------------------

alter type public.notification_event add value if not exists 'contact_changed';
comment on type public.notification_event is 'What the notification is about: a referral made or its status changed, or (contact_changed) a seeker''s email, phone or preferred contact changed, told to the previous address.';

alter table public.notification_jobs
  alter column referral_id drop not null,
  alter column to_status drop not null,
  add column seeker_event_id bigint,
  add constraint notification_jobs_one_subject check ((num_nonnulls(referral_id, seeker_event_id) = 1)),
  add constraint notification_jobs_referral_status check (((referral_id is null) or (to_status is not null))),
  add constraint notification_jobs_seeker_event_id_fkey foreign key (seeker_event_id) references public.seeker_events(id) on delete cascade;
comment on table public.notification_jobs is 'The notification outbox: one row per recipient and channel for every referral created or status changed, and one to the previous address of a seeker whose contact details changed, written by a trigger in the same transaction. Delivery is visible here: state, tries, last error, provider message id. Dead jobs can be retried with select public.retry_notification_jobs(). Staff who can see a referral can read its jobs (e.g. to show that the seeker was not notified), every column but the address.';
comment on column public.notification_jobs.referral_id is 'The referral the notification is about (created, status_changed).';
comment on column public.notification_jobs.seeker_event_id is 'The change of contact details the notification is about (contact_changed).';
comment on column public.notification_jobs.event is 'created, status_changed or contact_changed.';
comment on column public.notification_jobs.to_status is 'Status after the change, or at creation (empty for contact_changed).';
comment on column public.notification_jobs.address is 'Email address or phone number at the time of the change. Not readable by signed-in users (a delivery record shows the state, never the address).';
comment on column public.notification_jobs.last_error is 'Why the last attempt failed, or why it was not sent (the address, if a provider quoted it, replaced by <address>).';
create index notification_jobs_seeker_event_id_idx on public.notification_jobs (seeker_event_id) where (seeker_event_id is not null);

revoke select on table public.notification_jobs from authenticated;
-- Delivery records: every column but the address. The people who may know an
-- address read it where it lives (seekers, their own account).
grant select (id, referral_id, seeker_event_id, event, from_status, to_status, actor_display_name, actor_organization,
              actor_is_seeker, recipient_kind, recipient_user_id, recipient_seeker_id, recipient_name, channel, language,
              state, tries, max_tries, next_attempt_at, locked_until, last_error, provider_message_id, idempotency_key,
              created_at, updated_at, sent_at)
  on public.notification_jobs to authenticated;

-- Links record the address they were sent to (for links already sent: their job's).
alter table private.one_click_links add column address text;
update private.one_click_links l set address = j.address from public.notification_jobs j where j.id = l.job_id;
delete from private.one_click_links where address is null;
alter table private.one_click_links alter column address set not null;
comment on table private.one_click_links is 'One row per emailed recipient of a notification: their one-click status buttons. Single use (used_at), expire after 14 days, superseded by a later status change, and act only while address is still the recipient''s email. The token in the email is signed with private.one_click_secret; nothing here is a usable token by itself.';
comment on column private.one_click_links.address is 'The email address the link was sent to: the link acts only while it is still the recipient''s address (seekers.email, or the staff member''s auth email).';

create or replace function public.claim_notification_jobs(p_limit integer default 50, p_lease_seconds integer default 120)
returns setof jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  return query
  with due as (
    select j.id
    from public.notification_jobs j
    where (j.state = 'pending' and j.next_attempt_at <= now())
       or (j.state = 'sending' and j.locked_until < now())
    order by j.next_attempt_at, j.created_at
    limit greatest(1, least(p_limit, 500))
    for update skip locked
  ),
  claimed as (
    update public.notification_jobs j
    set state = 'sending',
        tries = j.tries + 1,
        locked_until = now() + make_interval(secs => greatest(p_lease_seconds, 5)),
        updated_at = now()
    from due
    where j.id = due.id
    returning j.*
  )
  select jsonb_build_object(
    'id', c.id,
    'idempotency_key', c.idempotency_key,
    'tries', c.tries,
    'max_tries', c.max_tries,
    'event', c.event,
    'from_status', c.from_status,
    'to_status', c.to_status,
    'current_status', r.status,
    'actor_display_name', c.actor_display_name,
    'actor_organization', c.actor_organization,
    'actor_is_seeker', c.actor_is_seeker,
    'recipient_kind', c.recipient_kind,
    'recipient_name', c.recipient_name,
    'channel', c.channel,
    'address', c.address,
    'language', c.language,
    'referral', case when r.id is not null then jsonb_build_object(
      'id', r.id,
      'comment', r.comment,
      'created_at', r.created_at,
      'program_name', p.name,
      'program_phone', p.phone,
      'seeker_id', s.id,
      'seeker_first_name', s.first_name
    ) end,
    'contact_change', case when e.id is not null then jsonb_build_object(
      'fields', to_jsonb(e.fields),
      'changed_at', e.created_at,
      'seeker_id', s.id
    ) end,
    'links', coalesce((
      select jsonb_agg(jsonb_build_object('status', st, 'token', private.one_click_token(l.id, st))
                       order by array_position(private.one_click_statuses(l.recipient_kind), st))
      from private.one_click_links l
      cross join lateral unnest(private.one_click_statuses(l.recipient_kind)) st
      where l.job_id = c.id and st is distinct from c.to_status
    ), '[]'::jsonb)
  )
  from claimed c
  left join public.referrals r on r.id = c.referral_id
  left join public.programs p on p.id = r.program_id
  left join public.seeker_events e on e.id = c.seeker_event_id
  left join public.seekers s on s.id = coalesce(r.seeker_id, e.seeker_id);
end
$$;
comment on function public.claim_notification_jobs(p_limit integer, p_lease_seconds integer) is 'Sender only (service_role): claims due notification jobs with FOR UPDATE SKIP LOCKED and returns them ready to render.';
revoke all on function public.claim_notification_jobs(p_limit integer, p_lease_seconds integer) from public, anon, authenticated, service_role;
grant execute on function public.claim_notification_jobs(p_limit integer, p_lease_seconds integer) to service_role;

create or replace function public.finish_notification_job(p_job_id uuid, p_outcome text, p_provider_message_id text default NULL::text, p_error text default NULL::text)
returns public.notification_state
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_state public.notification_state;
begin
  if p_outcome not in ('sent', 'not_sent', 'failed', 'rejected') then
    raise exception 'Unknown outcome %', p_outcome using errcode = '22023';
  end if;
  update public.notification_jobs j
  set state = case
        when p_outcome = 'sent' then 'sent'
        when p_outcome = 'not_sent' then 'not_sent'
        when p_outcome = 'rejected' or j.tries >= j.max_tries then 'dead'
        else 'pending'
      end::public.notification_state,
      next_attempt_at = case when p_outcome = 'failed'
        -- 2 s, 4 s, 8 s ... capped at 10 minutes
        then now() + least(make_interval(secs => power(2, least(j.tries, 20))), interval '10 minutes')
        else j.next_attempt_at end,
      locked_until = null,
      sent_at = case when p_outcome = 'sent' then now() else j.sent_at end,
      provider_message_id = coalesce(left(p_provider_message_id, 500), j.provider_message_id),
      -- a provider's message may quote the address: delivery records never show it
      last_error = case when p_outcome = 'sent' then j.last_error
                        when coalesce(j.address, '') = '' then left(p_error, 2000)
                        else left(regexp_replace(p_error, regexp_replace(j.address, '([^[:alnum:]])', '\\\1', 'g'),
                                                 '<address>', 'gi'), 2000) end,
      updated_at = now()
  where j.id = p_job_id and j.state = 'sending'
  returning j.state into v_state;
  return v_state;
end
$$;
comment on function public.finish_notification_job(p_job_id uuid, p_outcome text, p_provider_message_id text, p_error text) is 'Sender only (service_role): records the outcome of an attempt (sent, not_sent, failed → backoff or dead, rejected → dead).';
revoke all on function public.finish_notification_job(p_job_id uuid, p_outcome text, p_provider_message_id text, p_error text) from public, anon, authenticated, service_role;
grant execute on function public.finish_notification_job(p_job_id uuid, p_outcome text, p_provider_message_id text, p_error text) to service_role;

create or replace function private.one_click_describe(p_link private.one_click_links, p_status public.referral_status, p_state text)
returns jsonb
language sql
stable security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'state', p_state,
    'chosen_status', p_status,
    'used_status', p_link.used_status,
    'recipient_kind', p_link.recipient_kind,
    'language', case when p_link.recipient_kind = 'seeker' then s.preferred_language else 'en' end,
    'expires_at', p_link.expires_at,
    -- whoever holds a link that no longer speaks for its recipient learns
    -- nothing more about the referral
    'referral', case when p_state not in ('address_changed', 'no_access') then jsonb_build_object(
      'id', r.id,
      'status', r.status,
      'comment', r.comment,
      'created_at', r.created_at,
      'program_name', p.name,
      'seeker_first_name', s.first_name
    ) end
  )
  from public.referrals r
  join public.programs p on p.id = r.program_id
  join public.seekers s on s.id = r.seeker_id
  where r.id = p_link.referral_id
$$;
revoke all on function private.one_click_describe(p_link private.one_click_links, p_status public.referral_status, p_state text) from public, anon, authenticated, service_role;

create or replace function private.one_click_address_current(p_link private.one_click_links)
returns boolean
language sql
stable security definer
set search_path = ''
as $$
  select coalesce(lower(p_link.address) = lower(
    case when p_link.recipient_seeker_id is not null
      then (select s.email from public.seekers s where s.id = p_link.recipient_seeker_id)
      else (select u.email from auth.users u where u.id = p_link.recipient_user_id)
    end), false)
$$;
revoke all on function private.one_click_address_current(p_link private.one_click_links) from public, anon, authenticated, service_role;

create or replace function private.one_click_recipient_may_act(p_link private.one_click_links)
returns boolean
language sql
stable security definer
set search_path = ''
as $$
  select p_link.recipient_user_id is null or exists (
    select 1 from public.referrals r
    where r.id = p_link.referral_id
      and private.reaches(array[r.program_id], array[r.referred_by, r.from_site_id, r.from_program_id],
                          private.inbound_programs(p_link.recipient_user_id),
                          private.outbound_scope(p_link.recipient_user_id)))
$$;
revoke all on function private.one_click_recipient_may_act(p_link private.one_click_links) from public, anon, authenticated, service_role;

create or replace function private.one_click_state(p_link private.one_click_links)
returns text
language sql
stable
set search_path = ''
as $$
  select case
    when p_link.used_at is not null then 'used'
    when p_link.superseded_at is not null then 'superseded'
    when p_link.expires_at <= now() then 'expired'
    when not private.one_click_address_current(p_link) then 'address_changed'
    when not private.one_click_recipient_may_act(p_link) then 'no_access'
    else 'ready'
  end
$$;
revoke all on function private.one_click_state(p_link private.one_click_links) from public, anon, authenticated, service_role;

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
    select new.referred_by, 'helper', 1 where new.referred_by is not null
    union all
    select sm.user_id, 'helper', 2
    from public.site_members sm join public.sites s on s.id = sm.site_id
    where sm.site_id = new.from_site_id and s.team_sharing
    union all
    select pm.user_id, 'helper', 2
    from public.program_members pm join public.programs p on p.id = pm.program_id
    where pm.program_id = new.from_program_id and p.team_sharing
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
       recipient_kind, recipient_user_id, recipient_name, channel, address, language, state, last_error)
    select new.id, v_event, case when tg_op = 'UPDATE' then old.status end, new.status,
           coalesce(v_actor.display_name, ''), v_actor.organization, v_actor_is_seeker,
           c.kind, c.user_id, coalesce(pr.first_name, ''), 'email', u.email, 'en',
           case when u.email is null or u.email = '' then 'not_sent' else 'pending' end::public.notification_state,
           case when u.email is null or u.email = '' then 'not sent: no email address' end
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
  if not v_actor_is_seeker and v_seeker.preferred_contact in ('email', 'text') then
    declare
      v_channel public.notification_channel :=
        case when v_seeker.preferred_contact = 'email' then 'email' else 'sms' end;
      v_address text := case when v_seeker.preferred_contact = 'email' then v_seeker.email else v_seeker.phone end;
      v_job_id uuid;
    begin
      insert into public.notification_jobs
        (referral_id, event, from_status, to_status, actor_display_name, actor_organization, actor_is_seeker,
         recipient_kind, recipient_seeker_id, recipient_name, channel, address, language, state, last_error)
      values
        (new.id, v_event, case when tg_op = 'UPDATE' then old.status end, new.status,
         coalesce(v_actor.display_name, ''), v_actor.organization, false,
         'seeker', v_seeker.id, v_seeker.first_name, v_channel, v_address, v_seeker.preferred_language,
         case when coalesce(v_address, '') = '' then 'not_sent' else 'pending' end::public.notification_state,
         case when coalesce(v_address, '') = '' then
           case when v_channel = 'email' then 'not sent: no email address' else 'not sent: no phone number' end
         end)
      returning id into v_job_id;
      v_jobs := v_jobs + 1;
      if v_channel = 'email' and coalesce(v_address, '') <> '' then
        insert into private.one_click_links (job_id, referral_id, recipient_kind, recipient_seeker_id, address)
        values (v_job_id, new.id, 'seeker', v_seeker.id, v_address);
      end if;
    end;
  end if;

  if v_jobs > 0 then
    -- Delivered at commit: the local notifier LISTENs on this channel.
    perform pg_notify('notification_jobs', '');
  end if;
  return null;
end
$$;
revoke all on function private.enqueue_referral_notifications() from public, anon, authenticated, service_role;

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
  if v_jobs > 0 then
    perform pg_notify('notification_jobs', '');
  end if;
  return null;
end
$$;
revoke all on function private.enqueue_contact_change_notifications() from public, anon, authenticated, service_role;

create trigger seeker_events_notify_contact_changed after insert on public.seeker_events for each row execute function private.enqueue_contact_change_notifications();

-- 60_notes.sql ------------------------------------------------------------------

drop policy "Authors can delete their own notes" on public.referral_notes;
create policy "Authors can delete their own notes" on public.referral_notes for delete to authenticated
  using (
    author_id = (select auth.uid())
    and exists (
      select 1 from public.referrals r
      where r.id = referral_notes.referral_id
        and private.reaches(array[r.program_id], array[r.referred_by, r.from_site_id, r.from_program_id], (select private.my_inbound_programs()), (select private.my_outbound_scope()))));

