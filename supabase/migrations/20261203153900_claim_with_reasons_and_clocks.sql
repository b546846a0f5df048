-- The sender's claim carries both the reason of a change and the response
-- clock of its referral (two changes to this function meet here).

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
      'assigned_to_name', r.assigned_to_name
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
