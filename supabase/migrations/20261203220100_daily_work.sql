-- =============================================================================
-- The daily work of staff:
--   * a seeker's preferred contact matches what was entered: email needs an
--     email address, text a phone number (seekers_contact_has_address, with a
--     plain sentence from the trigger); left out, it is the channel that has
--     an address. Existing records that broke the rule (email without an
--     email address, text without a phone) become "phone", which sends the
--     seeker nothing and tells staff, as those records already behaved (their
--     message could not be sent); the change is in each seeker's history;
--   * how to reach an organisation: sites.phone, email, address; and for the
--     printed referral summary, programs.hours and what_to_bring;
--   * the note for the program only (referral_program_notes), never readable
--     by the seeker, written with the referral by create_referral;
--   * the worklist's "last looked" markers (referral_reads, mark_referral_seen)
--     and changed_referrals;
--   * program emails carry how to reach the person and the note for the
--     program (claim_notification_jobs).
-- The schema files (supabase/schemas/) describe the result.
-- =============================================================================

-- 30_seekers.sql -----------------------------------------------------------------

alter table public.seekers alter column preferred_contact drop default;

do $$
begin
  perform set_config('app.actor_display_name', 'Contact preference check', true);
  update public.seekers
  set preferred_contact = 'phone'
  where (preferred_contact = 'email' and email is null)
     or (preferred_contact = 'text' and nullif(btrim(phone), '') is null);
  perform set_config('app.actor_display_name', '', true);
end
$$;

alter table public.seekers add constraint seekers_contact_has_address check ((((preferred_contact <> 'email'::public.contact_preference) or (email is not null)) and ((preferred_contact <> 'text'::public.contact_preference) or (NULLIF(btrim(phone), ''::text) IS NOT NULL))));

comment on column public.seekers.preferred_contact is 'email / text: messages go to the seeker that way; phone: no message to the seeker; none: no message to anyone about their referrals. Email needs an email address and text a phone number (seekers_contact_has_address); left out on insert, it is the channel that has an address: email, else text, else phone.';

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
  if tg_op = 'INSERT' and new.preferred_contact is null then
    -- not chosen: the channel that has an address
    new.preferred_contact := case
      when new.email is not null then 'email'
      when nullif(btrim(new.phone), '') is not null then 'text'
      else 'phone' end;
  end if;
  -- the rule of seekers_contact_has_address, in words a person can act on
  if new.preferred_contact = 'email' and new.email is null then
    raise exception 'Email cannot be the way to reach % without an email address', private.display_name(new.first_name, new.last_name)
      using errcode = '23514', constraint = 'seekers_contact_has_address',
            hint = 'Add an email address, or choose text message, phone call or don''t reach out.';
  end if;
  if new.preferred_contact = 'text' and nullif(btrim(new.phone), '') is null then
    raise exception 'Text message cannot be the way to reach % without a phone number', private.display_name(new.first_name, new.last_name)
      using errcode = '23514', constraint = 'seekers_contact_has_address',
            hint = 'Add a phone number, or choose email, phone call or don''t reach out.';
  end if;
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

-- 10_organisations.sql -----------------------------------------------------------

alter table public.sites add column phone text;
alter table public.sites add column email text;
alter table public.sites add column address text;
alter table public.sites add constraint sites_address_check check ((char_length(address) <= 300));
alter table public.sites add constraint sites_email_check check (((char_length(email) <= 320) and (email ~~ '%_@_%'::text)));
alter table public.sites add constraint sites_phone_check check ((char_length(phone) <= 40));

alter table public.programs add column hours text;
alter table public.programs add column what_to_bring text;
alter table public.programs add constraint programs_hours_check check ((char_length(hours) <= 500));
alter table public.programs add constraint programs_what_to_bring_check check ((char_length(what_to_bring) <= 1000));

comment on column public.sites.phone is 'Public phone number: shown to the people this site refers (portal, printed summary) so they can reach it.';
comment on column public.sites.email is 'Public contact email, shown like the phone.';
comment on column public.sites.address is 'Street address, shown like the phone.';
comment on column public.programs.hours is 'Opening hours in plain words ("Mon-Fri 9am-5pm"), on the printed referral summary.';
comment on column public.programs.what_to_bring is 'What a person should bring (ID, proof of address), on the printed referral summary.';

-- 60_notes.sql -------------------------------------------------------------------

create table public.referral_program_notes (
  referral_id uuid not null,
  body text not null,
  created_at timestamp with time zone default now() not null,
  constraint referral_program_notes_pkey primary key (referral_id),
  constraint referral_program_notes_body_check check (((char_length(body) >= 1) and (char_length(body) <= 2000))),
  constraint referral_program_notes_referral_id_fkey foreign key (referral_id) references public.referrals(id) on delete cascade
);
comment on table public.referral_program_notes is 'The note for the program only, written with a referral (create_referral): read by the referral''s staff (rules 1-3) and in their emails, never by the seeker. Written once by the referrer, never changed.';
comment on column public.referral_program_notes.referral_id is 'The referral (one note each).';
comment on column public.referral_program_notes.body is 'The note.';
comment on column public.referral_program_notes.created_at is 'When it was written.';

alter table public.referral_program_notes enable row level security;

revoke all on table public.referral_program_notes from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.referral_program_notes to service_role;
grant select on table public.referral_program_notes to authenticated;
grant insert (referral_id, body) on public.referral_program_notes to authenticated;

create policy "Staff with access can view the note for the program" on public.referral_program_notes for select to authenticated
  using (
    exists (
      select 1 from public.referrals r
      where r.id = referral_program_notes.referral_id
        and private.reaches(array[r.program_id], array[r.referred_by, r.from_site_id, r.from_program_id], (select private.my_inbound_programs()), (select private.my_outbound_scope()))));

create policy "The referrer writes the note for the program" on public.referral_program_notes for insert to authenticated
  with check (
    exists (
      select 1 from public.referrals r
      where r.id = referral_program_notes.referral_id
        and r.referred_by = (select auth.uid())));

-- Making a referral with its note for the program in one transaction: the
-- insert the Connect form would make, plus the note. Runs with the caller's
-- rights, so the referrals and notes policies decide as for a plain insert.
create or replace function public.create_referral(seeker_id uuid, program_id uuid, comment text default ''::text, program_note text default NULL::text, from_site_id uuid default NULL::uuid, from_program_id uuid default NULL::uuid)
returns public.referrals
language plpgsql
set search_path = ''
as $$
declare
  v_referral public.referrals;
begin
  insert into public.referrals (seeker_id, program_id, comment, from_site_id, from_program_id)
  values (create_referral.seeker_id, create_referral.program_id, coalesce(create_referral.comment, ''),
          create_referral.from_site_id, create_referral.from_program_id)
  returning * into v_referral;
  if nullif(btrim(create_referral.program_note), '') is not null then
    insert into public.referral_program_notes (referral_id, body)
    values (v_referral.id, btrim(create_referral.program_note));
  end if;
  return v_referral;
end
$$;
comment on function public.create_referral(seeker_id uuid, program_id uuid, comment text, program_note text, from_site_id uuid, from_program_id uuid) is 'Makes a referral as the caller (as an insert into referrals would) and, when program_note is given, its note for the program only (referral_program_notes), in one transaction.';
revoke all on function public.create_referral(seeker_id uuid, program_id uuid, comment text, program_note text, from_site_id uuid, from_program_id uuid) from public, anon, authenticated, service_role;
grant execute on function public.create_referral(seeker_id uuid, program_id uuid, comment text, program_note text, from_site_id uuid, from_program_id uuid) to authenticated;

-- 75_worklist.sql ----------------------------------------------------------------

create table public.referral_reads (
  user_id uuid default auth.uid() not null,
  referral_id uuid not null,
  seen_at timestamp with time zone default now() not null,
  constraint referral_reads_pkey primary key (user_id, referral_id),
  constraint referral_reads_referral_id_fkey foreign key (referral_id) references public.referrals(id) on delete cascade,
  constraint referral_reads_user_id_fkey foreign key (user_id) references public.profiles(id) on delete cascade
);
comment on table public.referral_reads is 'When each person last looked at a referral (opened it): the worklist shows what others changed since. Each person reads and writes only their own markers, and only for referrals they see as staff. Written by mark_referral_seen.';
comment on column public.referral_reads.user_id is 'Whose marker (always the signed-in user).';
comment on column public.referral_reads.referral_id is 'The referral.';
comment on column public.referral_reads.seen_at is 'When they last looked (set by the database).';

create index referral_reads_referral_id_idx on public.referral_reads (referral_id);

alter table public.referral_reads enable row level security;

revoke all on table public.referral_reads from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.referral_reads to service_role;
grant select, delete on table public.referral_reads to authenticated;
grant insert (referral_id) on public.referral_reads to authenticated;
grant update (seen_at) on public.referral_reads to authenticated;

-- The marker's time is the database's, never the client's.
create or replace function private.referral_reads_stamp()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.seen_at := now();
  return new;
end
$$;
revoke all on function private.referral_reads_stamp() from public, anon, authenticated, service_role;

create trigger referral_reads_stamp before insert or update on public.referral_reads for each row execute function private.referral_reads_stamp();

create policy "People read their own markers" on public.referral_reads for select to authenticated
  using ((user_id = (select auth.uid())));

create policy "People remove their own markers" on public.referral_reads for delete to authenticated
  using ((user_id = (select auth.uid())));

-- Only for a referral the caller sees as staff: a marker on any other id
-- would tell them whether it exists.
create policy "Staff mark referrals they see as looked at" on public.referral_reads for insert to authenticated
  with check (((user_id = (select auth.uid())) and private.staff_can_access_referral(referral_id)));

create policy "People move their own markers" on public.referral_reads for update to authenticated
  using ((user_id = (select auth.uid())))
  with check (((user_id = (select auth.uid())) and private.staff_can_access_referral(referral_id)));

-- Marks a referral as looked at now (the caller's own marker).
create or replace function public.mark_referral_seen(referral_id uuid)
returns timestamp with time zone
language plpgsql
set search_path = ''
as $$
declare
  v_seen timestamp with time zone;
begin
  insert into public.referral_reads as rr (referral_id) values (mark_referral_seen.referral_id)
  on conflict on constraint referral_reads_pkey do update set seen_at = now()
  returning rr.seen_at into v_seen;
  return v_seen;
end
$$;
comment on function public.mark_referral_seen(referral_id uuid) is 'Records that the caller looked at this referral now (referral_reads), for the worklist. Refused (42501) for a referral they do not see as staff.';
revoke all on function public.mark_referral_seen(referral_id uuid) from public, anon, authenticated, service_role;
grant execute on function public.mark_referral_seen(referral_id uuid) to authenticated;

-- The worklist of someone who refers: referrals they sent, or an organisation
-- of theirs that shares sent (rules 1-2), where someone else changed the
-- status or the goal, or added a note, in the last 30 days and after they last
-- looked. Most recently changed first. Runs with the caller's rights: the
-- referrals and history policies apply.
create or replace function public.changed_referrals(max_results integer default 20, skip integer default 0)
returns setof public.referrals
language sql
stable
set search_path = ''
as $$
  select r.*
  from public.referrals r
  left join public.referral_reads rr on rr.referral_id = r.id and rr.user_id = (select auth.uid())
  where (r.referred_by = any ((select private.my_outbound_scope())::uuid[])
         or r.from_site_id = any ((select private.my_outbound_scope())::uuid[])
         or r.from_program_id = any ((select private.my_outbound_scope())::uuid[]))
    and exists (
      select 1 from public.referral_events e
      where e.referral_id = r.id
        and e.event_type <> 'created'
        and e.created_at > greatest(coalesce(rr.seen_at, '-infinity'::timestamptz), now() - interval '30 days')
        and e.actor_id is distinct from (select auth.uid()))
  order by r.updated_at desc, r.id desc
  limit least(greatest(coalesce(max_results, 20), 1), 200)
  offset greatest(coalesce(skip, 0), 0)
$$;
comment on function public.changed_referrals(max_results integer, skip integer) is 'Worklist: the referrals the caller (or an organisation of theirs that shares) sent that someone else changed (status, goal, a note) in the last 30 days since the caller last looked (mark_referral_seen). max_results (1-200, default 20) and skip page them; embed related rows with .select(). Subject to the referrals policies.';
revoke all on function public.changed_referrals(max_results integer, skip integer) from public, anon, authenticated, service_role;
grant execute on function public.changed_referrals(max_results integer, skip integer) to authenticated, service_role;

-- 90_notifications.sql -----------------------------------------------------------

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
