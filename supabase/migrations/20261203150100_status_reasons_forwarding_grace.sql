-- =============================================================================
-- Status changes that carry a reason, forwarding, and a grace period for the
-- messages about a status change:
--   * public.status_reasons (seeded), referrals.status_reason /
--     status_reason_text (required from staff for the six statuses that need
--     a reason), kept in the history (referral_events) too;
--   * referrals.forwarded_from and public.forward_referral (one step), with
--     public.referral_forwards to show the link both ways;
--   * private.notification_settings.status_change_grace_seconds: the
--     messages of a status change wait that long (next_attempt_at); a change
--     undone meanwhile sends nothing;
--   * one-click links take the reason on the confirm page.
-- The schema files (supabase/schemas/) describe the result.
-- =============================================================================

-- 45_status_reasons.sql ---------------------------------------------------------
-- The statuses that carry a reason: staff must give one, a seeker may.
create or replace function private.status_needs_reason(p_status public.referral_status)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select p_status in ('not_eligible', 'no_capacity', 'couldnt_contact', 'couldnt_get_help', 'no_longer_interested',
                      'referred_elsewhere')
$$;
revoke all on function private.status_needs_reason(p_status public.referral_status) from public, anon, authenticated, service_role;
grant execute on function private.status_needs_reason(p_status public.referral_status) to authenticated, service_role;

-- status_reasons --------------------------------------------------------------

create table public.status_reasons (
  status public.referral_status not null,
  code text not null,
  label_en text not null,
  label_es text not null,
  sort integer default 0 not null,
  active boolean default true not null,
  constraint status_reasons_pkey primary key (status, code),
  constraint status_reasons_code_check check ((code ~ '^[a-z][a-z0-9_]{0,39}$'::text)),
  constraint status_reasons_label_en_check check (((char_length(btrim(label_en)) >= 1) and (char_length(label_en) <= 120))),
  constraint status_reasons_label_es_check check (((char_length(btrim(label_es)) >= 1) and (char_length(label_es) <= 120))),
  constraint status_reasons_status_check check (private.status_needs_reason(status))
);
comment on table public.status_reasons is 'The reasons people choose from when a referral moves to a status that needs one (not eligible, no capacity, couldn''t contact, couldn''t get help, no longer interested, referred elsewhere). Admins edit them here: add a row, change the words, reorder with sort, retire one with active = false (a reason in use cannot be deleted). Readable by every signed-in user.';
comment on column public.status_reasons.status is 'The status this reason belongs to (only the six that carry a reason).';
comment on column public.status_reasons.code is 'What referrals.status_reason stores: lower case letters, digits and _, unique within the status. Never change the code of a reason in use; add a new one instead.';
comment on column public.status_reasons.label_en is 'The reason in English, as staff, emails and the portal show it.';
comment on column public.status_reasons.label_es is 'The reason in Spanish, for seekers who read Spanish.';
comment on column public.status_reasons.sort is 'Order in the lists (smallest first).';
comment on column public.status_reasons.active is 'Offered for new changes. Turn off to retire a reason; referrals that have it keep it.';

alter table public.status_reasons enable row level security;

revoke all on table public.status_reasons from public, anon, authenticated, service_role;
grant select on table public.status_reasons to authenticated;
grant select, insert, update, delete on table public.status_reasons to service_role;

create policy "Signed-in users read the status reasons" on public.status_reasons for select to authenticated using (true);

insert into public.status_reasons (status, code, label_en, label_es, sort) values
  ('not_eligible', 'income', 'Income above the limit', 'Ingresos por encima del límite', 10),
  ('not_eligible', 'age', 'Age requirement not met', 'No cumple el requisito de edad', 20),
  ('not_eligible', 'residency', 'Outside the service area or residency rules', 'Fuera del área de servicio o de los requisitos de residencia', 30),
  ('not_eligible', 'documents', 'Documents missing', 'Faltan documentos', 40),
  ('not_eligible', 'household', 'Household does not qualify', 'El hogar no cumple los requisitos', 50),
  ('not_eligible', 'other', 'Other reason', 'Otro motivo', 90),
  ('no_capacity', 'waitlist_full', 'Waiting list is full', 'La lista de espera está llena', 10),
  ('no_capacity', 'out_of_supplies', 'Out of funds or supplies', 'Sin fondos ni suministros', 20),
  ('no_capacity', 'no_staff', 'Not enough staff right now', 'No hay suficiente personal por ahora', 30),
  ('no_capacity', 'paused', 'Service paused for now', 'Servicio suspendido por ahora', 40),
  ('no_capacity', 'other', 'Other reason', 'Otro motivo', 90),
  ('couldnt_contact', 'no_answer', 'No answer after several tries', 'No contestó después de varios intentos', 10),
  ('couldnt_contact', 'wrong_number', 'Wrong or disconnected number', 'Número equivocado o desconectado', 20),
  ('couldnt_contact', 'email_bounced', 'Email did not arrive', 'El correo no llegó', 30),
  ('couldnt_contact', 'no_details', 'No contact details', 'No hay datos de contacto', 40),
  ('couldnt_contact', 'other', 'Other reason', 'Otro motivo', 90),
  ('couldnt_get_help', 'not_what_was_needed', 'The service was not what was needed', 'El servicio no era lo que necesitaba', 10),
  ('couldnt_get_help', 'hours_or_place', 'Hours or location did not work', 'El horario o el lugar no le convenían', 20),
  ('couldnt_get_help', 'transport', 'No way to get there', 'No tenía cómo llegar', 30),
  ('couldnt_get_help', 'turned_away', 'Was turned away', 'No le atendieron', 40),
  ('couldnt_get_help', 'other', 'Other reason', 'Otro motivo', 90),
  ('no_longer_interested', 'helped_elsewhere', 'Got help somewhere else', 'Recibió ayuda en otro lugar', 10),
  ('no_longer_interested', 'need_resolved', 'The need was resolved', 'La necesidad se resolvió', 20),
  ('no_longer_interested', 'moved', 'Moved away', 'Se mudó', 30),
  ('no_longer_interested', 'decided_not_to', 'Decided not to go ahead', 'Decidió no seguir adelante', 40),
  ('no_longer_interested', 'other', 'Other reason', 'Otro motivo', 90),
  ('referred_elsewhere', 'better_fit', 'Another program is a better fit', 'Otro programa le conviene más', 10),
  ('referred_elsewhere', 'out_of_area', 'Outside our service area', 'Fuera de nuestra área de servicio', 20),
  ('referred_elsewhere', 'no_capacity', 'We have no capacity', 'No tenemos cupo', 30),
  ('referred_elsewhere', 'client_request', 'The person asked to go elsewhere', 'La persona pidió ir a otro lugar', 40),
  ('referred_elsewhere', 'other', 'Other reason', 'Otro motivo', 90);

-- 50_referrals.sql --------------------------------------------------------------

alter table public.referrals
  add column status_reason text,
  add column status_reason_text text,
  add column forwarded_from uuid,
  add constraint referrals_status_reason_text_check check ((char_length(status_reason_text) <= 500)),
  add constraint referrals_status_reason_text_needs_reason check (((status_reason_text is null) or (status_reason is not null))),
  add constraint referrals_status_reason_fkey foreign key (status, status_reason) references public.status_reasons(status, code),
  add constraint referrals_forwarded_from_check check ((forwarded_from <> id)),
  add constraint referrals_forwarded_from_fkey foreign key (forwarded_from) references public.referrals(id) on delete set null;
comment on column public.referrals.status_reason is 'Why the referral is in its status, for the six statuses that carry a reason (a code of public.status_reasons for this status). Staff must give one with such a status, a seeker may; cleared when the status moves to one without reasons. Changes only together with the status.';
comment on column public.referrals.status_reason_text is 'Optional words with the reason (up to 500 characters), seen by every party, the seeker included.';
comment on column public.referrals.forwarded_from is 'The referral this one was forwarded from: a claimer of that referral''s program marked it "Referred elsewhere" and sent the person on here in the same step (public.forward_referral).';
create unique index referrals_forwarded_from_key on public.referrals (forwarded_from) where (forwarded_from is not null);

grant insert (forwarded_from) on public.referrals to authenticated;
grant update (status_reason, status_reason_text) on public.referrals to authenticated;

-- 70_history.sql ----------------------------------------------------------------

alter table public.referral_events
  add column status_reason text,
  add column status_reason_text text;
comment on column public.referral_events.status_reason is 'The reason given with the change (status_changed), a code of public.status_reasons for to_status.';
comment on column public.referral_events.status_reason_text is 'The words given with the reason, if any.';

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

-- 55_status_changes.sql ---------------------------------------------------------

-- Whether the one acting now is the seeker of this referral: signed in as
-- the seeker's account, or named by a trusted function (a one-click link).
create or replace function private.acting_as_seeker(p_seeker_id uuid)
returns boolean
language sql
stable security definer
set search_path = ''
as $$
  select coalesce(current_setting('app.actor_seeker_id', true), '') = p_seeker_id::text
      or (auth.role() = 'authenticated' and auth.uid() is not null
          and exists (select 1 from public.seekers s where s.id = p_seeker_id and s.user_id = auth.uid()))
$$;
revoke all on function private.acting_as_seeker(p_seeker_id uuid) from public, anon, authenticated, service_role;

-- The words of a status in a refusal (the app shows them as they are).
create or replace function private.status_words(p_status public.referral_status)
returns text
language sql
immutable
set search_path = ''
as $$
  select case p_status
    when 'couldnt_contact' then 'Couldn''t contact'
    when 'couldnt_get_help' then 'Couldn''t get help'
    else upper(left(replace(p_status::text, '_', ' '), 1)) || substr(replace(p_status::text, '_', ' '), 2)
  end
$$;
revoke all on function private.status_words(p_status public.referral_status) from public, anon, authenticated, service_role;

-- Referrals before update: the reason travels with the status.
--   * A status that needs a reason (private.status_needs_reason) needs one
--     from staff (signed in, or through their one-click link); a seeker may
--     give one or not; an administrator's change (no one signed in) is not
--     held to it.
--   * A reason must be an active reason of that status.
--   * Any other status clears the reason; the reason changes only together
--     with the status.
create or replace function private.referrals_status_reason()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_staff boolean;
begin
  new.status_reason_text := nullif(btrim(new.status_reason_text), '');
  if tg_op = 'UPDATE' and new.status is not distinct from old.status then
    if auth.role() = 'authenticated'
       and (new.status_reason is distinct from old.status_reason
            or new.status_reason_text is distinct from old.status_reason_text) then
      raise exception 'A reason can only be given together with a change of status'
        using errcode = '22023', hint = 'Send status_reason with a new status.';
    end if;
    return new;
  end if;

  if not private.status_needs_reason(new.status) then
    if new.status_reason is not null and (tg_op = 'INSERT' or new.status_reason is distinct from old.status_reason) then
      raise exception '"%" takes no reason', private.status_words(new.status)
        using errcode = '22023', hint = 'Leave status_reason empty for this status.';
    end if;
    new.status_reason := null;
    new.status_reason_text := null;
    return new;
  end if;

  -- a reason left over from the previous status, not given with this change
  if tg_op = 'UPDATE' and new.status_reason is not distinct from old.status_reason
     and not exists (select 1 from public.status_reasons r where r.status = new.status and r.code = new.status_reason) then
    new.status_reason := null;
    new.status_reason_text := null;
  end if;

  if new.status_reason is not null then
    if not exists (select 1 from public.status_reasons r
                   where r.status = new.status and r.code = new.status_reason and r.active) then
      raise exception '"%" is not one of the reasons for "%"', left(new.status_reason, 60), private.status_words(new.status)
        using errcode = '22023', hint = 'Choose one of the reasons listed for this status (public.status_reasons).';
    end if;
    return new;
  end if;

  new.status_reason_text := null;
  v_staff := not private.acting_as_seeker(new.seeker_id)
    and ((auth.role() = 'authenticated' and auth.uid() is not null)
         or coalesce(current_setting('app.actor_id', true), '') <> '');
  if v_staff then
    raise exception 'Choose a reason for "%": staff say why when a referral moves to this status', private.status_words(new.status)
      using errcode = '22023', hint = 'Send status_reason with one of the reasons for this status (public.status_reasons).';
  end if;
  return new;
end
$$;
revoke all on function private.referrals_status_reason() from public, anon, authenticated, service_role;

create trigger referrals_status_reason before insert or update of status, status_reason, status_reason_text on public.referrals for each row execute function private.referrals_status_reason();

-- Referrals before insert: a forwarded referral (forwarded_from) is made by a
-- claimer of the program that received the original, from that program, for
-- the same person, to another program, once the original is "Referred
-- elsewhere".
create or replace function private.referrals_forwarded_from()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_old public.referrals%rowtype;
begin
  select * into v_old from public.referrals where id = new.forwarded_from;
  if not found then
    raise exception 'The referral being forwarded was not found' using errcode = '23503';
  end if;
  if not exists (select 1 from public.program_members pm
                 where pm.program_id = v_old.program_id and pm.user_id = new.referred_by) then
    raise exception 'Only a claimer of the program that received a referral can forward it' using errcode = '42501';
  end if;
  if new.seeker_id <> v_old.seeker_id then
    raise exception 'A forwarded referral is for the same person as the one it comes from' using errcode = '22023';
  end if;
  if new.program_id = v_old.program_id then
    raise exception 'Forward the referral to another program than the one that received it' using errcode = '22023';
  end if;
  if new.from_program_id is distinct from v_old.program_id or new.from_site_id is not null then
    raise exception 'A forwarded referral is made from the program that received the original' using errcode = '22023';
  end if;
  if v_old.status <> 'referred_elsewhere' then
    raise exception 'Mark the referral "Referred elsewhere" before forwarding it' using errcode = '22023';
  end if;
  if exists (select 1 from public.referrals r where r.forwarded_from = new.forwarded_from) then
    raise exception 'This referral has already been forwarded' using errcode = '23505';
  end if;
  return new;
end
$$;
revoke all on function private.referrals_forwarded_from() from public, anon, authenticated, service_role;

create trigger referrals_forwarded_from before insert on public.referrals for each row when ((new.forwarded_from is not null)) execute function private.referrals_forwarded_from();

-- Forwarding in one step: the referral becomes "Referred elsewhere" (with the
-- reason) and a new referral of the same person to p_program_id is made from
-- the program that received it, pointing back at it. Runs with the caller's
-- rights: the update and insert policies and the triggers above decide, and
-- either both happen or neither. p_version as with a plain update (someone
-- else's change first: PT409, HTTP 409). The comment is the original's unless one is
-- given. The seeker and the referrer hear of it once (90_notifications.sql).
create or replace function public.forward_referral(p_referral_id uuid, p_version integer, p_program_id uuid, p_status_reason text, p_status_reason_text text default NULL::text, p_comment text default NULL::text)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
  v_old public.referrals%rowtype;
  v_new uuid;
begin
  update public.referrals r
  set status = 'referred_elsewhere',
      status_reason = case when r.status = 'referred_elsewhere' then r.status_reason else p_status_reason end,
      status_reason_text = case when r.status = 'referred_elsewhere' then r.status_reason_text else p_status_reason_text end
  where r.id = p_referral_id and r.version = p_version
  returning * into v_old;
  if not found then
    if exists (select 1 from public.referrals r where r.id = p_referral_id) then
      -- PT409: PostgREST answers 409 (40001 would make it retry the call)
      raise exception 'Someone else changed this referral first. It now shows their change.' using errcode = 'PT409';
    end if;
    raise exception 'You don''t have access to this referral' using errcode = '42501';
  end if;
  if not v_old.program_id in (select private.my_program_ids()) then
    raise exception 'Only a claimer of the program that received a referral can forward it' using errcode = '42501';
  end if;
  insert into public.referrals (seeker_id, program_id, from_program_id, comment, forwarded_from)
  values (v_old.seeker_id, p_program_id, v_old.program_id, coalesce(p_comment, v_old.comment), v_old.id)
  returning id into v_new;
  return v_new;
end
$$;
comment on function public.forward_referral(p_referral_id uuid, p_version integer, p_program_id uuid, p_status_reason text, p_status_reason_text text, p_comment text) is 'A claimer of the receiving program marks the referral "Referred elsewhere" (with a reason) and refers the person on to another program, in one transaction; returns the new referral''s id. Runs with the caller''s rights.';
revoke all on function public.forward_referral(p_referral_id uuid, p_version integer, p_program_id uuid, p_status_reason text, p_status_reason_text text, p_comment text) from public, anon, authenticated, service_role;
grant execute on function public.forward_referral(p_referral_id uuid, p_version integer, p_program_id uuid, p_status_reason text, p_status_reason_text text, p_comment text) to authenticated;

-- Where a referral the caller sees was forwarded to and from: the program's
-- name always (the seeker and the referrer are told it by email), the other
-- referral's id only when the caller may open it.
create or replace function public.referral_forwards(p_referral_id uuid)
returns table(direction text, referral_id uuid, program_id uuid, program_name text, created_at timestamp with time zone)
language plpgsql
stable security definer
set search_path = ''
as $$
declare
  v_scope uuid[] := private.my_outbound_scope();
  v_inbound uuid[] := private.my_inbound_programs();
  v_seekers uuid[] := private.my_seeker_records();
  v_ref public.referrals%rowtype;
begin
  select * into v_ref from public.referrals r where r.id = p_referral_id;
  if not found or not coalesce(
       private.reaches(array[v_ref.program_id], array[v_ref.referred_by, v_ref.from_site_id, v_ref.from_program_id], v_inbound, v_scope)
       or v_ref.seeker_id = any (v_seekers), false) then
    return;
  end if;
  return query
  select x.direction, case when coalesce(
             private.reaches(array[o.program_id], array[o.referred_by, o.from_site_id, o.from_program_id], v_inbound, v_scope)
             or o.seeker_id = any (v_seekers), false) then o.id end,
         o.program_id, p.name, o.created_at
  from (
    select 'to'::text as direction, f.id from public.referrals f where f.forwarded_from = v_ref.id
    union all
    select 'from', v_ref.forwarded_from where v_ref.forwarded_from is not null
  ) x
  join public.referrals o on o.id = x.id
  join public.programs p on p.id = o.program_id;
end
$$;
comment on function public.referral_forwards(p_referral_id uuid) is 'For a referral the caller can see: the referral it was forwarded to (direction to) and from (direction from), with the program''s name; referral_id is empty when the caller cannot open that one.';
revoke all on function public.referral_forwards(p_referral_id uuid) from public, anon, authenticated, service_role;
grant execute on function public.referral_forwards(p_referral_id uuid) to authenticated;

-- 90_notifications.sql ----------------------------------------------------------

comment on column public.notification_jobs.next_attempt_at is 'Not claimed before this time: the grace period of a status change (private.notification_settings), then exponential backoff after a failure.';

create table private.notification_settings (
  id boolean default true not null,
  status_change_grace_seconds integer default 30 not null,
  constraint notification_settings_pkey primary key (id),
  constraint notification_settings_id_check check (id),
  constraint notification_settings_status_change_grace_seconds_check check (((status_change_grace_seconds >= 0) and (status_change_grace_seconds <= 3600)))
);
comment on table private.notification_settings is 'Settings of the outbox, one row. Admins change them here (Studio, or SQL as postgres).';
comment on column private.notification_settings.status_change_grace_seconds is 'How long the messages about a status change wait in the outbox (notification_jobs.next_attempt_at) before they are sent, default 30: a change undone within it (the previous status restored) sends nothing. 0 sends at once.';

revoke all on table private.notification_settings from public, anon, authenticated, service_role;

-- The grace period of status-change messages.
create or replace function private.status_change_grace()
returns interval
language sql
stable security definer
set search_path = ''
as $$
  select make_interval(secs => coalesce((select s.status_change_grace_seconds from private.notification_settings s), 30))
$$;
revoke all on function private.status_change_grace() from public, anon, authenticated, service_role;

insert into private.notification_settings default values;

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
      'seeker_first_name', s.first_name,
      -- the reason of the change, while the referral is still in that status
      'status_reason', case when r.status = c.to_status and r.status_reason is not null then jsonb_build_object(
        'code', r.status_reason,
        'label', case when c.language = 'es' then sr.label_es else sr.label_en end,
        'text', r.status_reason_text) end,
      'forwarded_to', (select jsonb_build_object('program_name', fp.name, 'program_phone', fp.phone)
                       from public.referrals f join public.programs fp on fp.id = f.program_id
                       where f.forwarded_from = r.id),
      'forwarded_from', (select jsonb_build_object('program_name', op.name)
                         from public.referrals o join public.programs op on op.id = o.program_id
                         where o.id = r.forwarded_from)
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
  left join public.status_reasons sr on sr.status = r.status and sr.code = r.status_reason
  left join public.seeker_events e on e.id = c.seeker_event_id
  left join public.seekers s on s.id = coalesce(r.seeker_id, e.seeker_id);
end
$$;
comment on function public.claim_notification_jobs(p_limit integer, p_lease_seconds integer) is 'Sender only (service_role): claims due notification jobs with FOR UPDATE SKIP LOCKED and returns them ready to render.';
revoke all on function public.claim_notification_jobs(p_limit integer, p_lease_seconds integer) from public, anon, authenticated, service_role;
grant execute on function public.claim_notification_jobs(p_limit integer, p_lease_seconds integer) to service_role;

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
    -- the reasons offered with the chosen status (required from staff, optional for the seeker)
    'reason_required', p_link.recipient_kind <> 'seeker' and private.status_needs_reason(p_status),
    'reasons', coalesce((
      select jsonb_agg(jsonb_build_object('code', sr.code,
                                          'label', case when p_link.recipient_kind = 'seeker' and s.preferred_language = 'es'
                                                        then sr.label_es else sr.label_en end)
                       order by sr.sort, sr.code)
      from public.status_reasons sr where sr.status = p_status and sr.active), '[]'::jsonb),
    -- whoever holds a link that no longer speaks for its recipient learns
    -- nothing more about the referral
    'referral', case when p_state not in ('address_changed', 'no_access') then jsonb_build_object(
      'id', r.id,
      'status', r.status,
      'comment', r.comment,
      'created_at', r.created_at,
      'program_name', p.name,
      'seeker_first_name', s.first_name,
      'status_reason', case when r.status_reason is not null then jsonb_build_object(
        'code', r.status_reason,
        'label', case when p_link.recipient_kind = 'seeker' and s.preferred_language = 'es' then cr.label_es else cr.label_en end,
        'text', r.status_reason_text) end
    ) end
  )
  from public.referrals r
  join public.programs p on p.id = r.program_id
  join public.seekers s on s.id = r.seeker_id
  left join public.status_reasons cr on cr.status = r.status and cr.code = r.status_reason
  where r.id = p_link.referral_id
$$;
revoke all on function private.one_click_describe(p_link private.one_click_links, p_status public.referral_status, p_state text) from public, anon, authenticated, service_role;

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
  -- messages say from the first status to this one.
  if tg_op = 'UPDATE' then
    with cancelled as (
      update public.notification_jobs j
      set state = 'not_sent',
          last_error = case when new.status = j.from_status
                            then 'not sent: the change was undone within the grace period'
                            else 'not sent: replaced by a later change within the grace period' end,
          updated_at = now()
      where j.referral_id = new.id and j.event = 'status_changed' and j.state = 'pending' and j.tries = 0
        and j.next_attempt_at > now()
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

  if v_jobs > 0 then
    -- Delivered at commit: the local notifier LISTENs on this channel.
    perform pg_notify('notification_jobs', '');
  end if;
  return null;
end
$$;
revoke all on function private.enqueue_referral_notifications() from public, anon, authenticated, service_role;

drop function public.apply_one_click_link(p_token text);

create or replace function public.apply_one_click_link(p_token text, p_status_reason text default NULL::text, p_status_reason_text text default NULL::text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v record;
  v_link private.one_click_links;
  v_state text;
  v_program_name text;
begin
  select * into v from private.one_click_link_for(p_token);
  if v.status is null then
    return jsonb_build_object('state', 'invalid');
  end if;
  -- Lock the link: two clicks at once apply at most one change.
  select * into v_link from private.one_click_links where id = (v.link).id for update;
  v_state := private.one_click_state(v_link);
  if v_state <> 'ready' then
    return private.one_click_describe(v_link, v.status, v_state);
  end if;
  -- The reason: staff choose one for a status that needs it, a seeker may.
  p_status_reason := nullif(btrim(p_status_reason), '');
  p_status_reason_text := nullif(btrim(p_status_reason_text), '');
  if p_status_reason is null and p_status_reason_text is not null then
    p_status_reason_text := null;
  end if;
  if p_status_reason is not null and not exists (
       select 1 from public.status_reasons sr where sr.status = v.status and sr.code = p_status_reason and sr.active) then
    return private.one_click_describe(v_link, v.status, 'ready') || jsonb_build_object('error', 'unknown_reason');
  end if;
  if p_status_reason is null and v_link.recipient_kind <> 'seeker' and private.status_needs_reason(v.status) then
    return private.one_click_describe(v_link, v.status, 'ready') || jsonb_build_object('error', 'reason_required');
  end if;
  if char_length(p_status_reason_text) > 500 then
    return private.one_click_describe(v_link, v.status, 'ready') || jsonb_build_object('error', 'reason_too_long');
  end if;

  update private.one_click_links set used_at = now(), used_status = v.status where id = v_link.id
  returning * into v_link;

  -- History and notifications see the recipient as the one who acted.
  if v_link.recipient_kind = 'seeker' then
    perform private.set_actor_seeker(v_link.recipient_seeker_id);
    perform set_config('app.actor_seeker_id', v_link.recipient_seeker_id::text, true);
  elsif v_link.recipient_kind = 'program' then
    select name into v_program_name from public.programs where id = v_link.program_id;
    perform private.set_actor(v_link.recipient_user_id, null, v_program_name);
  else
    perform private.set_actor(v_link.recipient_user_id, null, null);
  end if;

  update public.referrals
  set status = v.status,
      status_reason = case when private.status_needs_reason(v.status) then p_status_reason end,
      status_reason_text = case when private.status_needs_reason(v.status) then p_status_reason_text end
  where id = v_link.referral_id;

  perform set_config('app.actor_seeker_id', '', true);
  return private.one_click_describe(v_link, v.status, 'applied');
end
$$;
comment on function public.apply_one_click_link(p_token text, p_status_reason text, p_status_reason_text text) is 'apply-status-link only (service_role): applies a one-click status link once, as its recipient, with the reason chosen on the confirm page (required from staff for a status that needs one: error reason_required; unknown_reason; reason_too_long; the link stays unused).';
revoke all on function public.apply_one_click_link(p_token text, p_status_reason text, p_status_reason_text text) from public, anon, authenticated, service_role;
grant execute on function public.apply_one_click_link(p_token text, p_status_reason text, p_status_reason_text text) to service_role;

