-- =============================================================================
-- Status changes: the reason a change to a status that needs one carries
-- (status_reasons, 45_status_reasons.sql), and forwarding a referral to
-- another program in the same step as marking it "Referred elsewhere".
-- =============================================================================

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
create or replace function private.referral_forwards(p_referral_id uuid)
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
revoke all on function private.referral_forwards(p_referral_id uuid) from public, anon, authenticated, service_role;
grant execute on function private.referral_forwards(p_referral_id uuid) to authenticated;

create or replace function public.referral_forwards(p_referral_id uuid)
returns table(direction text, referral_id uuid, program_id uuid, program_name text, created_at timestamp with time zone)
language sql
stable
set search_path = ''
as $$
  select f.direction, f.referral_id, f.program_id, f.program_name, f.created_at
  from private.referral_forwards(p_referral_id) f
$$;
comment on function public.referral_forwards(p_referral_id uuid) is 'For a referral the caller can see: the referral it was forwarded to (direction to) and from (direction from), with the program''s name; referral_id is empty when the caller cannot open that one. Runs with the caller''s rights over private.referral_forwards, which checks what the caller sees.';
revoke all on function public.referral_forwards(p_referral_id uuid) from public, anon, authenticated, service_role;
grant execute on function public.referral_forwards(p_referral_id uuid) to authenticated;
