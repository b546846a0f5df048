-- =============================================================================
-- Text messages (see supabase/schemas/92_text_messages.sql):
--   * no texts between 21:00 and 08:00 on the program's clock
--     (programs.time_zone; jobs wait through notification_jobs.next_attempt_at,
--     for the later of that and a status change's grace period);
--   * the provider's delivery state of each text (status callbacks);
--   * replies of STOP / START opt a number out of texts and back in;
--   * phone numbers in E.164; a text to a seeker carries one one-click link
--     to a page that offers the statuses.
-- =============================================================================

comment on column public.programs.time_zone is 'The program''s IANA time zone (e.g. America/Chicago), in which business days and due times are counted; no texts go to its seekers between 21:00 and 08:00 on that clock.';

alter table public.notification_jobs
  add column delivery_status text,
  add column delivery_error_code text,
  add column delivery_updated_at timestamp with time zone,
  add constraint notification_jobs_delivery_status_check check ((delivery_status = any (array['accepted'::text, 'scheduled'::text, 'queued'::text, 'sending'::text, 'sent'::text, 'delivered'::text, 'undelivered'::text, 'failed'::text, 'canceled'::text, 'read'::text]))),
  add constraint notification_jobs_delivery_error_code_check check ((char_length(delivery_error_code) <= 20));
comment on column public.notification_jobs.delivery_status is 'Texts: what the provider last reported of the message (queued, sent, delivered, failed, undelivered, …), from its status callbacks.';
comment on column public.notification_jobs.delivery_error_code is 'Texts: the provider''s error code with failed or undelivered (e.g. 30003: unreachable handset).';
comment on column public.notification_jobs.delivery_updated_at is 'Texts: when the provider last reported on the message.';
grant select (delivery_status, delivery_error_code, delivery_updated_at) on public.notification_jobs to authenticated;

alter table private.one_click_links add column channel public.notification_channel not null default 'email';
comment on column private.one_click_links.address is 'The email address (or, for a text, the phone number) the link was sent to: the link acts only while it is still the recipient''s address (seekers.email or seekers.phone, or the staff member''s auth email).';
comment on column private.one_click_links.channel is 'email: one link per status (the email''s buttons); sms: the text''s one link, to a page that offers the statuses (public.inspect_one_click_choice).';

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

-- sms_opt_outs ------------------------------------------------------------------

create table private.sms_opt_outs (
  phone text not null,
  opted_out_at timestamp with time zone default now() not null,
  keyword text not null,
  constraint sms_opt_outs_pkey primary key (phone),
  constraint sms_opt_outs_phone_check check ((phone ~ '^\+[1-9][0-9]{7,14}$'::text)),
  constraint sms_opt_outs_keyword_check check ((char_length(keyword) <= 20))
);
comment on table private.sms_opt_outs is 'Phone numbers (E.164) that replied STOP (or a synonym) to a text: no text goes to them until they reply START. Written only by public.record_inbound_text (the sms-inbound webhook).';

revoke all on table private.sms_opt_outs from public, anon, authenticated, service_role;

-- Whether a number has opted out of texts.
create or replace function private.phone_opted_out(p_phone text)
returns boolean
language sql
stable security definer
set search_path = ''
as $$
  select exists (select 1 from private.sms_opt_outs o where o.phone = private.e164(p_phone))
$$;
revoke all on function private.phone_opted_out(p_phone text) from public, anon, authenticated, service_role;
grant execute on function private.phone_opted_out(p_phone text) to authenticated, service_role;

-- For staff: whether this seeker's phone replied STOP ("opted out by text").
-- A computed field: .select('id, phone, text_opted_out'). It reads the seeker
-- again as the caller, so it answers only for a seeker the caller may see.
create or replace function public.text_opted_out(public.seekers)
returns boolean
language sql
stable
set search_path = ''
as $$
  select coalesce((select private.phone_opted_out(s.phone) from public.seekers s where s.id = $1.id), false)
$$;
comment on function public.text_opted_out(public.seekers) is 'Computed field of seekers: whether the seeker''s phone number replied STOP to a text (no texts go to it until it replies START).';
revoke all on function public.text_opted_out(public.seekers) from public, anon, authenticated, service_role;
grant execute on function public.text_opted_out(public.seekers) to authenticated, service_role;

-- quiet hours -------------------------------------------------------------------

-- The time zone whose clock decides a text's quiet hours: the referral's
-- program's; for a change of contact details, the program of the seeker's
-- latest referral; else the seeded city's.
create or replace function private.text_time_zone(p_referral_id uuid, p_seeker_event_id bigint)
returns text
language sql
stable security definer
set search_path = ''
as $$
  select coalesce(
    (select p.time_zone from public.referrals r join public.programs p on p.id = r.program_id where r.id = p_referral_id),
    (select p.time_zone from public.seeker_events e
       join public.referrals r on r.seeker_id = e.seeker_id
       join public.programs p on p.id = r.program_id
      where e.id = p_seeker_event_id
      order by r.created_at desc limit 1),
    'America/Chicago')
$$;
revoke all on function private.text_time_zone(p_referral_id uuid, p_seeker_event_id bigint) from public, anon, authenticated, service_role;

-- No texts from 21:00 to 08:00 on the local clock: the next 08:00 when p_at
-- falls in that window, null when a text may go at p_at.
create or replace function private.text_quiet_until(p_time_zone text, p_at timestamp with time zone)
returns timestamp with time zone
language sql
stable
set search_path = ''
as $$
  select case
    when extract(hour from l) >= 21 then ((l::date + 1) + time '08:00') at time zone p_time_zone
    when extract(hour from l) < 8 then (l::date + time '08:00') at time zone p_time_zone
  end
  from (select p_at at time zone p_time_zone as l) x
$$;
revoke all on function private.text_quiet_until(p_time_zone text, p_at timestamp with time zone) from public, anon, authenticated, service_role;

-- The sweep: pending texts due at p_now that p_now puts in quiet hours wait
-- (next_attempt_at) until 08:00 local. The sender runs it before each claim
-- with the current time; tests give it any moment. Returns how many it held.
create or replace function public.hold_quiet_texts(p_now timestamp with time zone default now())
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  update public.notification_jobs j
  set next_attempt_at = q.until, updated_at = now()
  from (
    select j2.id, private.text_quiet_until(private.text_time_zone(j2.referral_id, j2.seeker_event_id), p_now) as until
    from public.notification_jobs j2
    where j2.state = 'pending' and j2.channel = 'sms' and j2.next_attempt_at <= p_now
  ) q
  where j.id = q.id and q.until is not null and j.state = 'pending';
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
comment on function public.hold_quiet_texts(p_now timestamp with time zone) is 'Sender only (service_role): texts due at p_now that fall between 21:00 and 08:00 in their program''s time zone wait until 08:00 (next_attempt_at).';
revoke all on function public.hold_quiet_texts(p_now timestamp with time zone) from public, anon, authenticated, service_role;
grant execute on function public.hold_quiet_texts(p_now timestamp with time zone) to service_role;

-- rules every text job follows when it is enqueued ------------------------------------

-- Before a text is queued: its number in E.164 (or not sent: not a valid
-- number), not to a number that replied STOP, and not in quiet hours.
create or replace function private.text_job_rules()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_phone text;
  v_until timestamp with time zone;
begin
  if new.channel <> 'sms' or new.state <> 'pending' then
    return new;
  end if;
  v_phone := private.e164(new.address);
  if v_phone is null then
    new.state := 'not_sent';
    new.last_error := 'not sent: not a valid phone number';
    return new;
  end if;
  new.address := v_phone;
  if private.phone_opted_out(v_phone) then
    new.state := 'not_sent';
    new.last_error := 'not sent: opted out by text';
    return new;
  end if;
  v_until := private.text_quiet_until(private.text_time_zone(new.referral_id, new.seeker_event_id), new.next_attempt_at);
  if v_until is not null then
    new.next_attempt_at := v_until;
  end if;
  return new;
end
$$;
revoke all on function private.text_job_rules() from public, anon, authenticated, service_role;

create trigger notification_jobs_text_rules before insert on public.notification_jobs for each row execute function private.text_job_rules();

-- A text to a seeker about a referral carries one link: the one-click page
-- where they choose their referral's new status (the email has one button
-- per status; a text has room for one link).
create or replace function private.text_job_link()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.channel = 'sms' and new.state = 'pending' and new.recipient_kind = 'seeker' and new.referral_id is not null then
    insert into private.one_click_links (job_id, referral_id, recipient_kind, recipient_seeker_id, address, channel)
    values (new.id, new.referral_id, 'seeker', new.recipient_seeker_id, new.address, 'sms');
  end if;
  return null;
end
$$;
revoke all on function private.text_job_link() from public, anon, authenticated, service_role;

create trigger notification_jobs_text_link after insert on public.notification_jobs for each row execute function private.text_job_link();

-- the link in a text: choose a status ----------------------------------------------

create or replace function private.one_click_choice_signature(p_link_id uuid)
returns text
language sql
stable security definer
set search_path = ''
as $$
  select translate(rtrim(encode(extensions.hmac(
           convert_to(p_link_id::text || ':choose', 'UTF8'),
           (select s.secret from private.one_click_secret s), 'sha256'), 'base64'), '='), '+/', '-_')
$$;
revoke all on function private.one_click_choice_signature(p_link_id uuid) from public, anon, authenticated, service_role;

-- The token in a text: <id as 32 hex>.<signature> (no status: the page offers them).
create or replace function private.one_click_choice_token(p_link_id uuid)
returns text
language sql
stable security definer
set search_path = ''
as $$
  select replace(p_link_id::text, '-', '') || '.' || private.one_click_choice_signature(p_link_id)
$$;
revoke all on function private.one_click_choice_token(p_link_id uuid) from public, anon, authenticated, service_role;

-- What the page of a text's link shows: the link's state and referral as for
-- a status link, and while it is ready, the statuses to choose from, each
-- with the status link (token) that applies it after the person confirms.
create or replace function public.inspect_one_click_choice(p_token text)
returns jsonb
language plpgsql
stable security definer
set search_path = ''
as $$
declare
  m text[];
  v_link private.one_click_links;
  v_state text;
  v_current public.referral_status;
begin
  m := regexp_match(coalesce(p_token, ''), '^([0-9a-f]{32})\.([A-Za-z0-9_-]{43})$');
  if m is null or private.one_click_choice_signature(m[1]::uuid) <> m[2] then
    return jsonb_build_object('state', 'invalid');
  end if;
  select * into v_link from private.one_click_links l where l.id = m[1]::uuid;
  if not found then
    return jsonb_build_object('state', 'invalid');
  end if;
  v_state := private.one_click_state(v_link);
  select r.status into v_current from public.referrals r where r.id = v_link.referral_id;
  return private.one_click_describe(v_link, null, v_state)
    || jsonb_build_object('choices', case when v_state = 'ready' then coalesce((
         select jsonb_agg(jsonb_build_object('status', st, 'token', private.one_click_token(v_link.id, st))
                          order by array_position(private.one_click_statuses(v_link.recipient_kind), st))
         from unnest(private.one_click_statuses(v_link.recipient_kind)) st
         where st is distinct from v_current), '[]'::jsonb) else '[]'::jsonb end);
end
$$;
comment on function public.inspect_one_click_choice(p_token text) is 'apply-status-link only (service_role): what the link in a text offers (the statuses to choose, each with its one-click token), without doing anything.';
revoke all on function public.inspect_one_click_choice(p_token text) from public, anon, authenticated, service_role;
grant execute on function public.inspect_one_click_choice(p_token text) to service_role;

-- the sender's transport layer ------------------------------------------------------

-- Called by the sender for each claimed text just before it goes out:
--   {"skip": reason}      not sent (the number replied STOP since it was queued)
--   {"held_until": t}     quiet hours now: the job is pending again until t, the try not counted
--   {"link": token|null}  send it, with this one-click token in it
create or replace function public.prepare_text_job(p_job_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_job public.notification_jobs;
  v_until timestamp with time zone;
  v_link uuid;
begin
  select * into v_job from public.notification_jobs where id = p_job_id and state = 'sending' and channel = 'sms';
  if not found then
    return jsonb_build_object('skip', 'not claimed');
  end if;
  if private.phone_opted_out(v_job.address) then
    return jsonb_build_object('skip', 'not sent: opted out by text');
  end if;
  v_until := private.text_quiet_until(private.text_time_zone(v_job.referral_id, v_job.seeker_event_id), now());
  if v_until is not null then
    update public.notification_jobs
    set state = 'pending', tries = greatest(tries - 1, 0), next_attempt_at = v_until, locked_until = null, updated_at = now()
    where id = p_job_id;
    return jsonb_build_object('held_until', v_until);
  end if;
  select l.id into v_link from private.one_click_links l where l.job_id = p_job_id and l.channel = 'sms' limit 1;
  return jsonb_build_object('link', case when v_link is not null then private.one_click_choice_token(v_link) end);
end
$$;
comment on function public.prepare_text_job(p_job_id uuid) is 'Sender only (service_role): for a claimed text, whether it may go now (opt-out, quiet hours: held until 08:00 without counting a try) and the one-click token it carries.';
revoke all on function public.prepare_text_job(p_job_id uuid) from public, anon, authenticated, service_role;
grant execute on function public.prepare_text_job(p_job_id uuid) to service_role;

-- delivery callbacks ---------------------------------------------------------------

-- How far along a provider's delivery state is: a late "sent" never
-- overwrites "delivered" (callbacks may arrive out of order).
create or replace function private.text_delivery_rank(p_status text)
returns integer
language sql
immutable
set search_path = ''
as $$
  select case p_status
    when 'accepted' then 0 when 'scheduled' then 0 when 'queued' then 1 when 'sending' then 2 when 'sent' then 3
    when 'delivered' then 4 when 'undelivered' then 4 when 'failed' then 4 when 'canceled' then 4 when 'read' then 5
    else -1 end
$$;
revoke all on function private.text_delivery_rank(p_status text) from public, anon, authenticated, service_role;

-- A status callback from the provider (sms-status webhook, after checking its
-- signature): the job it names (the callback URL carries the job id, so a
-- callback that overtakes the sender's own record still lands) and the
-- provider's message id must agree. Returns whether a job changed.
create or replace function public.record_text_delivery(p_job_id uuid, p_message_sid text, p_status text, p_error_code text default NULL::text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  if private.text_delivery_rank(p_status) < 0 then
    raise exception 'Unknown delivery status %', left(p_status, 40) using errcode = '22023';
  end if;
  update public.notification_jobs j
  set delivery_status = p_status,
      delivery_error_code = nullif(left(p_error_code, 20), ''),
      delivery_updated_at = now(),
      provider_message_id = coalesce(j.provider_message_id, left(p_message_sid, 500)),
      updated_at = now()
  where j.id = p_job_id and j.channel = 'sms'
    and (j.provider_message_id is null or j.provider_message_id = p_message_sid)
    and private.text_delivery_rank(p_status) >= coalesce(private.text_delivery_rank(j.delivery_status), -1);
  get diagnostics v_count = row_count;
  return v_count > 0;
end
$$;
comment on function public.record_text_delivery(p_job_id uuid, p_message_sid text, p_status text, p_error_code text) is 'sms-status webhook only (service_role): records the provider''s delivery state of a text (queued, sent, delivered, failed, undelivered with its error code).';
revoke all on function public.record_text_delivery(p_job_id uuid, p_message_sid text, p_status text, p_error_code text) from public, anon, authenticated, service_role;
grant execute on function public.record_text_delivery(p_job_id uuid, p_message_sid text, p_status text, p_error_code text) to service_role;

-- replies: STOP and START --------------------------------------------------------

-- A text a seeker sent us (sms-inbound webhook, after checking its signature).
-- The whole message, trimmed and without trailing punctuation, is the keyword,
-- as carriers read it: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT,
-- REVOKE opt the number out (pending texts to it are not sent, and none are
-- queued); START, UNSTOP, YES opt it back in; HELP, INFO ask for help.
-- Returns {"action": opted_out | opted_in | help | other, "language": the
-- preferred language of the seeker with that number, for the reply}.
create or replace function public.record_inbound_text(p_from text, p_body text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_phone text := private.e164(p_from);
  v_word text := upper(regexp_replace(btrim(coalesce(p_body, '')), '[[:space:][:punct:]]+$', ''));
  v_action text := 'other';
  v_language public.language_code;
begin
  if v_phone is null then
    raise exception 'Not a phone number' using errcode = '22023';
  end if;
  if v_word in ('STOP', 'STOPALL', 'STOP ALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'OPT OUT', 'REVOKE') then
    insert into private.sms_opt_outs (phone, keyword) values (v_phone, left(v_word, 20))
    on conflict (phone) do nothing;
    update public.notification_jobs
    set state = 'not_sent', last_error = 'not sent: opted out by text', updated_at = now()
    where channel = 'sms' and state = 'pending' and address = v_phone;
    v_action := 'opted_out';
  elsif v_word in ('START', 'UNSTOP', 'YES') then
    delete from private.sms_opt_outs where phone = v_phone;
    v_action := 'opted_in';
  elsif v_word in ('HELP', 'INFO') then
    v_action := 'help';
  end if;
  select s.preferred_language into v_language from public.seekers s
  where private.e164(s.phone) = v_phone order by s.updated_at desc limit 1;
  return jsonb_build_object('action', v_action, 'language', v_language);
end
$$;
comment on function public.record_inbound_text(p_from text, p_body text) is 'sms-inbound webhook only (service_role): a reply of STOP (and synonyms) opts the number out of texts, START opts it back in.';
revoke all on function public.record_inbound_text(p_from text, p_body text) from public, anon, authenticated, service_role;
grant execute on function public.record_inbound_text(p_from text, p_body text) to service_role;

-- the grace period and quiet hours ------------------------------------------------

-- A later change cancels only the messages still inside their grace period
-- (an undo sends nothing), not a text held until 08:00 after its grace
-- period has passed.
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

  if v_jobs > 0 then
    -- Delivered at commit: the local notifier LISTENs on this channel.
    perform pg_notify('notification_jobs', '');
  end if;
  return null;
end
$$;
revoke all on function private.enqueue_referral_notifications() from public, anon, authenticated, service_role;
