-- =============================================================================
-- Notifications: the outbox the sender drains, and the signed one-click
-- links in the emails.
-- =============================================================================

create type public.notification_channel as enum ('email', 'sms');
comment on type public.notification_channel is 'How a notification is delivered.';

create type public.notification_state as enum ('pending', 'sending', 'sent', 'dead', 'not_sent');
comment on type public.notification_state is 'pending: waiting to be sent (or to be retried at next_attempt_at); sending: claimed by a sender until locked_until; sent: accepted by the provider; dead: gave up after max_tries (an admin can retry it); not_sent: deliberately not sent (no SMS provider, no address).';

create type public.notification_recipient_kind as enum ('seeker', 'program', 'helper');
comment on type public.notification_recipient_kind is 'Which party a notification goes to; decides the wording and the one-click statuses offered. program: a claimer of the receiving program; helper: the referrer or their team.';

create type public.notification_event as enum ('created', 'status_changed', 'contact_changed', 'reminder', 'escalation', 'assigned');
comment on type public.notification_event is 'What the notification is about: a referral made or its status changed, or (contact_changed) a seeker''s email, phone or preferred contact changed, told to the previous address; reminder: a referral passed its response time unanswered (to the program); escalation: it is still unanswered at twice that time (to the referrer); assigned: it was assigned to the recipient.';

-- The statuses offered as one-click buttons to each kind of recipient.
create or replace function private.one_click_statuses(p_kind public.notification_recipient_kind)
returns public.referral_status[]
language sql
immutable
set search_path = ''
as $$
  select case p_kind
    when 'seeker' then array['got_help', 'couldnt_get_help', 'no_longer_interested']::public.referral_status[]
    when 'program' then array['pending', 'eligible', 'got_help', 'not_eligible', 'no_capacity',
                              'couldnt_contact']::public.referral_status[]
    else enum_range(null::public.referral_status)
  end
$$;
revoke all on function private.one_click_statuses(p_kind public.notification_recipient_kind) from public, anon, authenticated, service_role;

-- notification_jobs ---------------------------------------------------------

create table public.notification_jobs (
  id uuid default gen_random_uuid() not null,
  referral_id uuid,
  seeker_event_id bigint,
  event public.notification_event not null,
  from_status public.referral_status,
  to_status public.referral_status,
  actor_display_name text default ''::text not null,
  actor_organization text,
  actor_is_seeker boolean default false not null,
  recipient_kind public.notification_recipient_kind not null,
  recipient_user_id uuid,
  recipient_seeker_id uuid,
  recipient_name text default ''::text not null,
  channel public.notification_channel not null,
  address text,
  language public.language_code default 'en'::public.language_code not null,
  state public.notification_state default 'pending'::public.notification_state not null,
  tries integer default 0 not null,
  max_tries integer default 8 not null,
  next_attempt_at timestamp with time zone default now() not null,
  locked_until timestamp with time zone,
  last_error text,
  provider_message_id text,
  idempotency_key text default ('notification-'::text || (gen_random_uuid())::text) not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  sent_at timestamp with time zone,
  delivery_status text,
  delivery_error_code text,
  delivery_updated_at timestamp with time zone,
  constraint notification_jobs_pkey primary key (id),
  constraint notification_jobs_delivery_status_check check ((delivery_status = any (array['accepted'::text, 'scheduled'::text, 'queued'::text, 'sending'::text, 'sent'::text, 'delivered'::text, 'undelivered'::text, 'failed'::text, 'canceled'::text, 'read'::text]))),
  constraint notification_jobs_delivery_error_code_check check ((char_length(delivery_error_code) <= 20)),
  constraint notification_jobs_idempotency_key_key unique (idempotency_key),
  constraint notification_jobs_actor_display_name_check check ((char_length(actor_display_name) <= 120)),
  constraint notification_jobs_actor_organization_check check ((char_length(actor_organization) <= 200)),
  constraint notification_jobs_address_check check ((char_length(address) <= 320)),
  constraint notification_jobs_idempotency_key_check check (((char_length(idempotency_key) >= 1) and (char_length(idempotency_key) <= 200))),
  constraint notification_jobs_last_error_check check ((char_length(last_error) <= 2000)),
  constraint notification_jobs_max_tries_check check (((max_tries >= 1) and (max_tries <= 50))),
  constraint notification_jobs_one_recipient check ((num_nonnulls(recipient_user_id, recipient_seeker_id) = 1)),
  constraint notification_jobs_one_subject check ((num_nonnulls(referral_id, seeker_event_id) = 1)),
  constraint notification_jobs_referral_status check (((referral_id is null) or (to_status is not null))),
  constraint notification_jobs_provider_message_id_check check ((char_length(provider_message_id) <= 500)),
  constraint notification_jobs_recipient_name_check check ((char_length(recipient_name) <= 200)),
  constraint notification_jobs_tries_check check ((tries >= 0)),
  constraint notification_jobs_recipient_seeker_id_fkey foreign key (recipient_seeker_id) references public.seekers(id) on delete cascade,
  constraint notification_jobs_recipient_user_id_fkey foreign key (recipient_user_id) references auth.users(id) on delete cascade,
  constraint notification_jobs_referral_id_fkey foreign key (referral_id) references public.referrals(id) on delete cascade,
  constraint notification_jobs_seeker_event_id_fkey foreign key (seeker_event_id) references public.seeker_events(id) on delete cascade
);
comment on table public.notification_jobs is 'The notification outbox: one row per recipient and channel for every referral created or status changed, and one to the previous address of a seeker whose contact details changed, written by a trigger in the same transaction. Delivery is visible here: state, tries, last error, provider message id. Dead jobs can be retried with select public.retry_notification_jobs(). Staff who can see a referral can read its jobs (e.g. to show that the seeker was not notified), every column but the address.';
comment on column public.notification_jobs.id is 'Job id.';
comment on column public.notification_jobs.referral_id is 'The referral the notification is about (created, status_changed).';
comment on column public.notification_jobs.seeker_event_id is 'The change of contact details the notification is about (contact_changed).';
comment on column public.notification_jobs.event is 'created, status_changed or contact_changed.';
comment on column public.notification_jobs.from_status is 'Status before the change (status_changed).';
comment on column public.notification_jobs.to_status is 'Status after the change, or at creation (empty for contact_changed).';
comment on column public.notification_jobs.actor_display_name is 'Who made the change, as "First L.".';
comment on column public.notification_jobs.actor_organization is 'The organisation they acted for, if any.';
comment on column public.notification_jobs.actor_is_seeker is 'Whether the change was made by the seeker themselves.';
comment on column public.notification_jobs.recipient_kind is 'seeker, program (a claimer of the receiving program) or helper (the referrer or their team).';
comment on column public.notification_jobs.recipient_user_id is 'The staff recipient (auth user), for staff notifications.';
comment on column public.notification_jobs.recipient_seeker_id is 'The seeker recipient, for notifications to the seeker.';
comment on column public.notification_jobs.recipient_name is 'First name of the recipient, for the greeting.';
comment on column public.notification_jobs.channel is 'email or sms.';
comment on column public.notification_jobs.address is 'Email address or phone number at the time of the change. Not readable by signed-in users (a delivery record shows the state, never the address).';
comment on column public.notification_jobs.language is 'Language of the message (the seeker''s preferred language for seekers).';
comment on column public.notification_jobs.state is 'pending, sending, sent, dead or not_sent (see the type).';
comment on column public.notification_jobs.tries is 'How many times a sender has claimed the job.';
comment on column public.notification_jobs.max_tries is 'After this many failed tries the job is dead.';
comment on column public.notification_jobs.next_attempt_at is 'Not claimed before this time: the grace period of a status change (private.notification_settings), then exponential backoff after a failure.';
comment on column public.notification_jobs.locked_until is 'While sending: the claim''s lease. A job still sending after it is claimed again (the sender died).';
comment on column public.notification_jobs.last_error is 'Why the last attempt failed, or why it was not sent (the address, if a provider quoted it, replaced by <address>).';
comment on column public.notification_jobs.provider_message_id is 'The id the provider gave the message (Message-ID for SMTP).';
comment on column public.notification_jobs.idempotency_key is 'Sent with every attempt (Message-ID, Idempotency-Key) so a provider drops repeats.';
comment on column public.notification_jobs.created_at is 'When the job was enqueued (the change''s commit).';
comment on column public.notification_jobs.updated_at is 'When the job last changed.';
comment on column public.notification_jobs.sent_at is 'When the provider accepted it.';
comment on column public.notification_jobs.delivery_status is 'Texts: what the provider last reported of the message (queued, sent, delivered, failed, undelivered, …), from its status callbacks.';
comment on column public.notification_jobs.delivery_error_code is 'Texts: the provider''s error code with failed or undelivered (e.g. 30003: unreachable handset).';
comment on column public.notification_jobs.delivery_updated_at is 'Texts: when the provider last reported on the message.';

create index notification_jobs_dead_idx on public.notification_jobs (updated_at) where (state = 'dead'::public.notification_state);
create index notification_jobs_due_idx on public.notification_jobs (next_attempt_at) where (state = 'pending'::public.notification_state);
create index notification_jobs_recipient_seeker_id_idx on public.notification_jobs (recipient_seeker_id) where (recipient_seeker_id is not null);
create index notification_jobs_recipient_user_id_idx on public.notification_jobs (recipient_user_id) where (recipient_user_id is not null);
create index notification_jobs_referral_id_idx on public.notification_jobs (referral_id, created_at);
create index notification_jobs_seeker_event_id_idx on public.notification_jobs (seeker_event_id) where (seeker_event_id is not null);
create index notification_jobs_sending_idx on public.notification_jobs (locked_until) where (state = 'sending'::public.notification_state);

alter table public.notification_jobs enable row level security;

revoke all on table public.notification_jobs from public, anon, authenticated, service_role;
grant select on table public.notification_jobs to service_role;
-- Delivery records: every column but the address. The people who may know an
-- address read it where it lives (seekers, their own account).
grant select (id, referral_id, seeker_event_id, event, from_status, to_status, actor_display_name, actor_organization,
              actor_is_seeker, recipient_kind, recipient_user_id, recipient_seeker_id, recipient_name, channel, language,
              state, tries, max_tries, next_attempt_at, locked_until, last_error, provider_message_id, idempotency_key,
              created_at, updated_at, sent_at, delivery_status, delivery_error_code, delivery_updated_at)
  on public.notification_jobs to authenticated;

create policy "Staff with access to a referral can view its notifications" on public.notification_jobs for select to authenticated
  using (
    exists (
      select 1 from public.referrals r
      where r.id = notification_jobs.referral_id
        and private.reaches(array[r.program_id], array[r.referred_by, r.from_site_id, r.from_program_id], (select private.my_inbound_programs()), (select private.my_outbound_scope()))));

-- one_click_links -----------------------------------------------------------

create table private.one_click_links (
  id uuid default gen_random_uuid() not null,
  job_id uuid not null,
  referral_id uuid not null,
  recipient_kind public.notification_recipient_kind not null,
  recipient_user_id uuid,
  recipient_seeker_id uuid,
  program_id uuid,
  address text not null,
  created_at timestamp with time zone default now() not null,
  expires_at timestamp with time zone default (now() + '14 days'::interval) not null,
  used_at timestamp with time zone,
  used_status public.referral_status,
  superseded_at timestamp with time zone,
  channel public.notification_channel default 'email'::public.notification_channel not null,
  constraint one_click_links_pkey primary key (id),
  constraint one_click_links_one_recipient check ((num_nonnulls(recipient_user_id, recipient_seeker_id) = 1)),
  constraint one_click_links_job_id_fkey foreign key (job_id) references public.notification_jobs(id) on delete cascade,
  constraint one_click_links_program_id_fkey foreign key (program_id) references public.programs(id) on delete cascade,
  constraint one_click_links_recipient_seeker_id_fkey foreign key (recipient_seeker_id) references public.seekers(id) on delete cascade,
  constraint one_click_links_recipient_user_id_fkey foreign key (recipient_user_id) references auth.users(id) on delete cascade,
  constraint one_click_links_referral_id_fkey foreign key (referral_id) references public.referrals(id) on delete cascade
);
comment on table private.one_click_links is 'One row per emailed recipient of a notification: their one-click status buttons. Single use (used_at), expire after 14 days, superseded by a later status change, and act only while address is still the recipient''s email. The token in the email is signed with private.one_click_secret; nothing here is a usable token by itself.';
comment on column private.one_click_links.address is 'The email address (or, for a text, the phone number) the link was sent to: the link acts only while it is still the recipient''s address (seekers.email or seekers.phone, or the staff member''s auth email).';
comment on column private.one_click_links.channel is 'email: one link per status (the email''s buttons); sms: the text''s one link, to a page that offers the statuses (public.inspect_one_click_choice).';

create index one_click_links_active_idx on private.one_click_links (referral_id) where ((used_at is null) and (superseded_at is null));
create index one_click_links_job_id_idx on private.one_click_links (job_id);

revoke all on table private.one_click_links from public, anon, authenticated, service_role;

-- one_click_secret ----------------------------------------------------------

create table private.one_click_secret (
  id boolean default true not null,
  secret bytea default extensions.gen_random_bytes(32) not null,
  constraint one_click_secret_pkey primary key (id),
  constraint one_click_secret_id_check check (id)
);
comment on table private.one_click_secret is 'The HMAC key that signs one-click links. Replace the row to invalidate every link ever sent.';

revoke all on table private.one_click_secret from public, anon, authenticated, service_role;

-- notification_settings -------------------------------------------------------

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

-- The signature of a one-click link: base64url(HMAC-SHA256(id:status)).
create or replace function private.one_click_signature(p_link_id uuid, p_status public.referral_status)
returns text
language sql
stable security definer
set search_path = ''
as $$
  select translate(rtrim(encode(extensions.hmac(
           convert_to(p_link_id::text || ':' || p_status::text, 'UTF8'),
           (select s.secret from private.one_click_secret s), 'sha256'), 'base64'), '='), '+/', '-_')
$$;
revoke all on function private.one_click_signature(p_link_id uuid, p_status public.referral_status) from public, anon, authenticated, service_role;

-- The token put in an email: <id as 32 hex>.<status>.<signature>.
create or replace function private.one_click_token(p_link_id uuid, p_status public.referral_status)
returns text
language sql
stable security definer
set search_path = ''
as $$
  select replace(p_link_id::text, '-', '') || '.' || p_status::text || '.'
         || private.one_click_signature(p_link_id, p_status)
$$;
revoke all on function private.one_click_token(p_link_id uuid, p_status public.referral_status) from public, anon, authenticated, service_role;

-- Who is acting now, for "never notify the person who made the change":
-- the signed-in user, or the user / seeker a trusted function named.
create or replace function private.notification_actor(OUT user_id uuid, OUT seeker_id uuid)
returns record
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  if auth.role() = 'authenticated' and auth.uid() is not null then
    user_id := auth.uid();
  else
    user_id := nullif(current_setting('app.actor_id', true), '')::uuid;
  end if;
  seeker_id := nullif(current_setting('app.actor_seeker_id', true), '')::uuid;
end
$$;
revoke all on function private.notification_actor(OUT user_id uuid, OUT seeker_id uuid) from public, anon, authenticated, service_role;

-- Claims up to p_limit due jobs (pending and due, or sending with an expired
-- lease: the sender that claimed it died), leasing them for p_lease_seconds,
-- and returns what the sender needs to render each, one-click tokens included.
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
                         where o.id = r.forwarded_from),
      'response_due_at', r.response_due_at,
      'response_days', p.response_days,
      'program_time_zone', p.time_zone,
      'assigned_to_name', r.assigned_to_name,
      -- staff only: the note for the program, and for the program how to
      -- reach the person (never in a seeker's message)
      'program_note', case when c.recipient_kind <> 'seeker' then
        (select n.body from public.referral_program_notes n where n.referral_id = r.id) end,
      'seeker_contact', case when c.recipient_kind = 'program' and s.preferred_contact <> 'none' then
        jsonb_build_object('name', btrim(s.first_name || ' ' || s.last_name), 'email', s.email,
                           'phone', s.phone, 'preferred_contact', s.preferred_contact) end
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

-- Reports the outcome of one attempt:
--   sent      the provider accepted it (p_provider_message_id)
--   not_sent  deliberately not sent (p_error says why, e.g. no SMS provider)
--   failed    try again later (exponential backoff), dead after max_tries
--   rejected  the provider refused it for good: dead now
-- Only a job still claimed (sending) changes; returns its new state.
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

-- Puts dead (or the given) jobs back in the queue with fresh tries.
-- Admins: select public.retry_notification_jobs();  -- every dead job
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
comment on function public.retry_notification_jobs(p_job_ids uuid[]) is 'Admins and service_role: queue dead notification jobs (all, or the given ids) again with fresh tries.';
revoke all on function public.retry_notification_jobs(p_job_ids uuid[]) from public, anon, authenticated, service_role;
grant execute on function public.retry_notification_jobs(p_job_ids uuid[]) to service_role;

-- The link a token names, if its signature is right; null otherwise.
create or replace function private.one_click_link_for(p_token text, OUT link private.one_click_links, OUT status public.referral_status)
returns record
language plpgsql
stable security definer
set search_path = ''
as $$
declare
  m text[];
  v_id uuid;
begin
  m := regexp_match(coalesce(p_token, ''), '^([0-9a-f]{32})\.([a-z_]{1,40})\.([A-Za-z0-9_-]{43})$');
  if m is null or not (m[2] = any (enum_range(null::public.referral_status)::text[])) then
    return;
  end if;
  v_id := m[1]::uuid;
  if private.one_click_signature(v_id, m[2]::public.referral_status) <> m[3] then
    return;
  end if;
  select * into link from private.one_click_links l where l.id = v_id;
  if found and m[2]::public.referral_status = any (private.one_click_statuses(link.recipient_kind)) then
    status := m[2]::public.referral_status;
  else
    link := null;
  end if;
end
$$;
revoke all on function private.one_click_link_for(p_token text, OUT link private.one_click_links, OUT status public.referral_status) from public, anon, authenticated, service_role;

-- What the confirm page shows. state: ready | used | expired | superseded |
-- address_changed | no_access | invalid (the last three without the referral).
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

-- A phone number as E.164 (+15125550177), or null when it cannot be one.
-- Ten digits are a US number (the seeded world is in Texas); eleven starting
-- with 1 too; anything else must be written with its + and country code.
create or replace function private.e164(p_phone text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when d ~ '^[0-9]{10}$' and not p_phone ~ '^\s*\+' then '+1' || d
    when d ~ '^1[0-9]{10}$' then '+' || d
    when p_phone ~ '^\s*\+' and d ~ '^[1-9][0-9]{7,14}$' then '+' || d
  end
  from (select regexp_replace(coalesce(p_phone, ''), '[^0-9]', '', 'g') as d) x
$$;
revoke all on function private.e164(p_phone text) from public, anon, authenticated, service_role;
grant execute on function private.e164(p_phone text) to authenticated, service_role;

-- A link acts only while the address it was sent to is still the
-- recipient's: a seeker's email (a text's link: their phone), or a staff member's sign-in email. After a
-- change of address the old mailbox's buttons do nothing (address_changed).
create or replace function private.one_click_address_current(p_link private.one_click_links)
returns boolean
language sql
stable security definer
set search_path = ''
as $$
  select coalesce(case when p_link.channel = 'sms'
    then private.e164(p_link.address) = (select private.e164(s.phone) from public.seekers s where s.id = p_link.recipient_seeker_id)
    else lower(p_link.address) = lower(
      case when p_link.recipient_seeker_id is not null
        then (select s.email from public.seekers s where s.id = p_link.recipient_seeker_id)
        else (select u.email from auth.users u where u.id = p_link.recipient_user_id)
      end) end, false)
$$;
revoke all on function private.one_click_address_current(p_link private.one_click_links) from public, anon, authenticated, service_role;

-- A staff member's link acts only while they may still update the referral
-- (the rule, 05_visibility.sql, applied to the recipient): someone who has
-- left the program or site since the email keeps no power through it. A
-- seeker's link is theirs for as long as the referral is.
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

create or replace function public.inspect_one_click_link(p_token text)
returns jsonb
language plpgsql
stable security definer
set search_path = ''
as $$
declare
  v record;
begin
  select * into v from private.one_click_link_for(p_token);
  if v.status is null then
    return jsonb_build_object('state', 'invalid');
  end if;
  return private.one_click_describe(v.link, v.status, private.one_click_state(v.link));
end
$$;
comment on function public.inspect_one_click_link(p_token text) is 'apply-status-link only (service_role): what a one-click token would do, without doing it.';
revoke all on function public.inspect_one_click_link(p_token text) from public, anon, authenticated, service_role;
grant execute on function public.inspect_one_click_link(p_token text) to service_role;

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

-- The send-notifications request, through pg_net, with the URL and key from
-- Vault. A missing secret is an error that names it (never a silent no-op).
create or replace function private.request_notification_sender()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_url text;
  v_key text;
begin
  select decrypted_secret into v_url from vault.decrypted_secrets where name = 'notifications_project_url';
  select decrypted_secret into v_key from vault.decrypted_secrets where name = 'notifications_service_role_key';
  if v_url is null or v_key is null then
    raise exception 'notifications are not being sent: the Vault secret % is missing',
      case when v_url is null then 'notifications_project_url' else 'notifications_service_role_key' end
      using hint = 'select vault.create_secret(''<value>'', ''<name>''); see supabase/functions/send-notifications/README.md';
  end if;
  return net.http_post(
    url := rtrim(v_url, '/') || '/functions/v1/send-notifications',
    body := '{}'::jsonb,
    headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || v_key),
    timeout_milliseconds := 30000);
end
$$;
comment on function private.request_notification_sender() is 'Queues one pg_net call of the send-notifications edge function (URL and key from Vault); raises, naming the secret, when one is missing. Returns the pg_net request id.';
revoke all on function private.request_notification_sender() from public, anon, authenticated, service_role;

-- The sweep pg_cron runs every 5 seconds: calls the sender when a job is due
-- (a retry, a message held until next_attempt_at, an expired lease). Fails
-- the cron run, visibly in cron.job_run_details, when a secret is missing.
create or replace function private.invoke_notification_sender()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (
    select 1 from public.notification_jobs
    where (state = 'pending' and next_attempt_at <= now()) or (state = 'sending' and locked_until < now())
  ) then
    perform private.request_notification_sender();
  end if;
end
$$;
comment on function private.invoke_notification_sender() is 'pg_cron, every 5 seconds: asks the send-notifications edge function to drain the outbox when something is due (retries, held messages, expired leases).';
revoke all on function private.invoke_notification_sender() from public, anon, authenticated, service_role;

-- As a Database Webhook: jobs that are due at once call the sender right
-- after the commit that queued them (pg_net sends after commit; a rollback
-- sends nothing). A missing secret must not undo the change that queued the
-- jobs: it is a WARNING here, and the sweep's failed runs keep saying it.
create or replace function private.wake_notification_sender()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from queued where state = 'pending' and next_attempt_at <= now()) then
    begin
      perform private.request_notification_sender();
    exception when others then
      raise warning '%', sqlerrm using hint = 'the notification_jobs rows are kept and sent once the secret exists';
    end;
  end if;
  return null;
end
$$;
comment on function private.wake_notification_sender() is 'Trigger: after a statement queues notification jobs that are due now, calls the send-notifications edge function through pg_net (a Database Webhook).';
revoke all on function private.wake_notification_sender() from public, anon, authenticated, service_role;

-- triggers on other domains' tables ------------------------------------------

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
revoke all on function private.enqueue_referral_notifications() from public, anon, authenticated, service_role;

create trigger referrals_notify_created after insert on public.referrals for each row execute function private.enqueue_referral_notifications();

create trigger referrals_notify_status_changed after update of status on public.referrals for each row when ((old.status is distinct from new.status)) execute function private.enqueue_referral_notifications();

-- A seeker's contact details changed (seeker_events, 70_history.sql): tell
-- the previous address. A changed email is told at the old email, a changed
-- phone at the old phone (a text message); a change of preferred contact
-- alone at the address of the old preference (email or text; phone and none
-- ask for no messages). Sent whoever made the change, the seeker included,
-- as long as someone did: a change made by an administrator (SQL, Studio, the
-- service role without a named actor) is recorded but told to nobody, as
-- Supabase Auth sends no change notice for its admin API.
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
revoke all on function private.enqueue_contact_change_notifications() from public, anon, authenticated, service_role;

create trigger seeker_events_notify_contact_changed after insert on public.seeker_events for each row execute function private.enqueue_contact_change_notifications();

-- The key that signs one-click links, made once per database.
insert into private.one_click_secret default values;

-- The outbox settings, one row.
insert into private.notification_settings default values;

-- The sender runs the hosted way everywhere (the local stack provides pg_cron,
-- pg_net and Vault as the platform does): the trigger below calls it right
-- after a commit that queued due jobs, and pg_cron sweeps every 5 seconds for
-- retries, held messages and expired leases. The two Vault secrets it needs:
-- supabase/functions/send-notifications/README.md (the local seed stores them).
create extension if not exists pg_net with schema extensions;
create extension if not exists pg_cron with schema pg_catalog;

create trigger notification_jobs_wake_sender after insert on public.notification_jobs
  referencing new table as queued for each statement execute function private.wake_notification_sender();

-- cron.schedule replaces a job of the same name, so re-running is safe.
select cron.schedule('send-notifications', '5 seconds', 'select private.invoke_notification_sender()');
-- pg_cron keeps a row per run: a week is enough to see what happened.
select cron.schedule('cron-history-cleanup', '17 3 * * *',
  $$delete from cron.job_run_details where end_time < now() - interval '7 days'$$);
-- How often each key occurs among referrals, for each request's plans
-- (06_request_plans.sql): copied from the statistics autovacuum refreshes.
select cron.schedule('reach-shares', '*/10 * * * *', 'select private.refresh_reach_shares()');
