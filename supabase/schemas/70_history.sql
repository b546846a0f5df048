-- =============================================================================
-- History: every creation, status change, note added or deleted and goal
-- change, written only by triggers, append-only.
-- =============================================================================

-- referral_events -----------------------------------------------------------

create table public.referral_events (
  id bigint generated always as identity not null,
  referral_id uuid not null,
  seeker_id uuid not null,
  event_type public.referral_event_type not null,
  actor_id uuid,
  actor_display_name text not null,
  actor_organization text,
  from_status public.referral_status,
  to_status public.referral_status,
  note_id uuid,
  from_goal_id uuid,
  from_goal_title text,
  to_goal_id uuid,
  to_goal_title text,
  created_at timestamp with time zone default clock_timestamp() not null,
  status_reason text,
  status_reason_text text,
  assignee_id uuid,
  assignee_name text,
  constraint referral_events_pkey primary key (id),
  constraint referral_events_assignee_name_check check ((char_length(assignee_name) <= 120)),
  constraint referral_events_actor_display_name_check check ((char_length(actor_display_name) <= 120)),
  constraint referral_events_actor_organization_check check ((char_length(actor_organization) <= 200)),
  constraint referral_events_from_goal_title_check check ((char_length(from_goal_title) <= 200)),
  constraint referral_events_to_goal_title_check check ((char_length(to_goal_title) <= 200)),
  constraint referral_events_status_reason_check check ((char_length(status_reason) <= 100)),
  constraint referral_events_status_reason_text_check check ((char_length(status_reason_text) <= 500)),
  constraint referral_events_referral_id_fkey foreign key (referral_id) references public.referrals(id) on delete cascade
);
comment on table public.referral_events is 'History of every referral: creation, status changes, notes added or deleted, goal changes. Written only by triggers; nobody can edit or delete it.';
comment on column public.referral_events.id is 'Event number (increasing).';
comment on column public.referral_events.referral_id is 'The referral.';
comment on column public.referral_events.seeker_id is 'The referral''s seeker (for live updates of a seeker profile).';
comment on column public.referral_events.event_type is 'What happened.';
comment on column public.referral_events.actor_id is 'The user who did it; empty for someone acting through a one-click email link without signing in.';
comment on column public.referral_events.actor_display_name is 'Who did it, as "First L.".';
comment on column public.referral_events.actor_organization is 'Their organisation: the site for a site worker, the program for a claimer, the one joined first for someone who is both, empty for a seeker.';
comment on column public.referral_events.from_status is 'Status before (status_changed).';
comment on column public.referral_events.to_status is 'Status after (created, status_changed).';
comment on column public.referral_events.note_id is 'The note added or deleted.';
comment on column public.referral_events.from_goal_id is 'Goal before (goal_moved, goal_removed).';
comment on column public.referral_events.from_goal_title is 'Title of the goal before, as it was then.';
comment on column public.referral_events.to_goal_id is 'Goal after (goal_added, goal_moved).';
comment on column public.referral_events.to_goal_title is 'Title of the goal after, as it was then.';
comment on column public.referral_events.created_at is 'When it happened.';
comment on column public.referral_events.status_reason is 'The reason given with the change (status_changed), a code of public.status_reasons for to_status.';
comment on column public.referral_events.status_reason_text is 'The words given with the reason, if any.';
comment on column public.referral_events.assignee_id is 'Whom the referral was assigned to (assigned; empty: taken back, assigned to nobody).';
comment on column public.referral_events.assignee_name is 'The assignee as "First L.", as it was then.';

create index referral_events_referral_id_idx on public.referral_events (referral_id, created_at);
create index referral_events_seeker_id_idx on public.referral_events (seeker_id, created_at);

alter table public.referral_events enable row level security;

revoke all on table public.referral_events from public, anon, authenticated, service_role;
grant select on table public.referral_events to service_role, authenticated;

-- History is append-only: no updates, and deletes only when the referral
-- itself is deleted (cascade).
create or replace function private.referral_events_immutable()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' and pg_trigger_depth() > 1 then
    return old;
  end if;
  raise exception 'Referral history cannot be changed' using errcode = '42501';
end
$$;
revoke all on function private.referral_events_immutable() from public, anon, authenticated, service_role;

create trigger referral_events_immutable before delete or update on public.referral_events for each row execute function private.referral_events_immutable();

-- history: whoever sees the referral (under its policy); note events only
-- its staff (rules 1-3).
create policy "Whoever can see a referral can view its history" on public.referral_events for select to authenticated
  using (
    exists (
      select 1 from public.referrals r
      where r.id = referral_events.referral_id
        and (referral_events.event_type not in ('note_added', 'note_deleted')
             or private.reaches(array[r.program_id], array[r.referred_by, r.from_site_id, r.from_program_id], (select private.my_inbound_programs()), (select private.my_outbound_scope())))));

-- Lets a trusted server-side function (running as service_role or a security
-- definer) say who is acting when nobody is signed in, e.g. a seeker using a
-- one-click email link. Lasts until the end of the transaction. History
-- triggers prefer a signed-in user (JWT role authenticated) over this.
--   GUCs: app.actor_id, app.actor_display_name, app.actor_organization,
--   and app.actor_seeker_id (set by set_actor_seeker, cleared by set_actor).
create or replace function private.set_actor(p_user_id uuid, p_display_name text default NULL::text, p_organization text default NULL::text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_name text := p_display_name;
  v_org text := p_organization;
begin
  if p_user_id is not null and v_name is null then
    select private.display_name(pr.first_name, pr.last_name) into v_name from public.profiles pr where pr.id = p_user_id;
    if v_org is null then
      v_org := private.user_organization(p_user_id);
    end if;
  end if;
  perform set_config('app.actor_id', coalesce(p_user_id::text, ''), true);
  perform set_config('app.actor_display_name', coalesce(v_name, ''), true);
  perform set_config('app.actor_organization', coalesce(v_org, ''), true);
  perform set_config('app.actor_seeker_id', '', true);
end
$$;
revoke all on function private.set_actor(p_user_id uuid, p_display_name text, p_organization text) from public, anon, authenticated, service_role;
grant execute on function private.set_actor(p_user_id uuid, p_display_name text, p_organization text) to service_role;

-- The same for a seeker record (with or without an account): "Rita R.", no organisation.
create or replace function private.set_actor_seeker(p_seeker_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_seeker public.seekers%rowtype;
begin
  select * into v_seeker from public.seekers where id = p_seeker_id;
  if not found then
    raise exception 'No seeker %', p_seeker_id using errcode = 'P0002';
  end if;
  perform private.set_actor(v_seeker.user_id, private.display_name(v_seeker.first_name, v_seeker.last_name), null);
  perform set_config('app.actor_seeker_id', p_seeker_id::text, true);
end
$$;
revoke all on function private.set_actor_seeker(p_seeker_id uuid) from public, anon, authenticated, service_role;
grant execute on function private.set_actor_seeker(p_seeker_id uuid) to service_role;

-- Who is acting right now, for history rows and note authors.
create or replace function private.current_actor(OUT actor_id uuid, OUT display_name text, OUT organization text)
returns record
language plpgsql
stable security definer
set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_role text := auth.role();
begin
  if v_uid is not null and v_role = 'authenticated' then
    actor_id := v_uid;
  elsif coalesce(current_setting('app.actor_display_name', true), '') <> ''
     or coalesce(current_setting('app.actor_id', true), '') <> '' then
    actor_id := nullif(current_setting('app.actor_id', true), '')::uuid;
    display_name := nullif(current_setting('app.actor_display_name', true), '');
    organization := nullif(current_setting('app.actor_organization', true), '');
    if display_name is not null then
      return;
    end if;
  else
    actor_id := v_uid;
  end if;
  if actor_id is null then
    display_name := 'System';
    organization := null;
    return;
  end if;
  select private.display_name(pr.first_name, pr.last_name) into display_name from public.profiles pr where pr.id = actor_id;
  display_name := coalesce(display_name, 'Unknown user');
  organization := private.user_organization(actor_id);
end
$$;
revoke all on function private.current_actor(OUT actor_id uuid, OUT display_name text, OUT organization text) from public, anon, authenticated, service_role;
grant execute on function private.current_actor(OUT actor_id uuid, OUT display_name text, OUT organization text) to service_role;

-- triggers on other domains' tables ------------------------------------------

-- History: creation, status changes and goal changes.
create or replace function private.referrals_history()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_actor record;
  v_from_title text;
  v_to_title text;
begin
  select * into v_actor from private.current_actor();
  if tg_op = 'INSERT' then
    insert into public.referral_events
      (referral_id, seeker_id, event_type, actor_id, actor_display_name, actor_organization, to_status, created_at)
    values
      (new.id, new.seeker_id, 'created', v_actor.actor_id, v_actor.display_name, v_actor.organization, new.status,
       new.created_at);
    if new.goal_id is not null then
      select title into v_to_title from public.goals where id = new.goal_id;
      insert into public.referral_events
        (referral_id, seeker_id, event_type, actor_id, actor_display_name, actor_organization, to_goal_id, to_goal_title,
         created_at)
      values
        (new.id, new.seeker_id, 'goal_added', v_actor.actor_id, v_actor.display_name, v_actor.organization, new.goal_id,
         v_to_title, new.created_at);
    end if;
    return null;
  end if;

  if new.status is distinct from old.status then
    insert into public.referral_events
      (referral_id, seeker_id, event_type, actor_id, actor_display_name, actor_organization, from_status, to_status,
       status_reason, status_reason_text)
    values
      (new.id, new.seeker_id, 'status_changed', v_actor.actor_id, v_actor.display_name, v_actor.organization, old.status, new.status,
       new.status_reason, new.status_reason_text);
  end if;
  if new.goal_id is distinct from old.goal_id then
    select title into v_from_title from public.goals where id = old.goal_id;
    select title into v_to_title from public.goals where id = new.goal_id;
    insert into public.referral_events
      (referral_id, seeker_id, event_type, actor_id, actor_display_name, actor_organization,
       from_goal_id, from_goal_title, to_goal_id, to_goal_title)
    values
      (new.id, new.seeker_id,
       case when old.goal_id is null then 'goal_added'
            when new.goal_id is null then 'goal_removed'
            else 'goal_moved' end::public.referral_event_type,
       v_actor.actor_id, v_actor.display_name, v_actor.organization,
       old.goal_id, v_from_title, new.goal_id, v_to_title);
  end if;
  return null;
end
$$;
revoke all on function private.referrals_history() from public, anon, authenticated, service_role;

create trigger referrals_history after insert or update on public.referrals for each row execute function private.referrals_history();

-- seeker_events -------------------------------------------------------------

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
