-- =============================================================================
-- Text messages: phone numbers in E.164, opt-outs by STOP / START, quiet
-- hours in the program's time zone, delivery callbacks, and the one-click
-- link a text carries. The outbox (90_notifications.sql) holds the jobs; the
-- sender (supabase/functions/send-notifications) sends them through a
-- Twilio-shaped provider; sms-status and sms-inbound receive its callbacks.
-- =============================================================================

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
