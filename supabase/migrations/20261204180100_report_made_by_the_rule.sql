-- A report's "made" test is the visibility rule's sent arm itself
-- (private.reaches over the referrer, the sending site and program and the
-- caller's scope), not a restatement of it. Same referrals: the scope holds
-- the caller's own id, and ids never collide across users, sites and
-- programs.

create or replace function private.report_scope(p_from timestamp with time zone, p_to timestamp with time zone, p_site_ids uuid[], p_program_ids uuid[])
returns table (
  id uuid,
  seeker_id uuid,
  program_id uuid,
  from_site_id uuid,
  from_program_id uuid,
  status public.referral_status,
  status_group text,
  status_reason text,
  created_at timestamp with time zone,
  received boolean,
  made boolean,
  responded_at timestamp with time zone,
  response_due_at timestamp with time zone,
  outcome_at timestamp with time zone
)
language sql
stable
as $$
  with me as materialized (
    select
      array(select s.s from private.my_site_ids() s(s) where p_site_ids is null or s.s = any (p_site_ids)) as sites,
      array(select p.p from private.my_program_ids() p(p) where p_program_ids is null or p.p = any (p_program_ids)) as programs,
      private.my_outbound_scope() as scope
  ),
  -- One arm per index (referrals_program_id_idx, referrals_from_site_id_idx,
  -- referrals_from_program_id_idx), each reading its referrals in the
  -- period from that index alone: every column read here and by the
  -- referrals policy is in all three. A referral is read by the first arm
  -- it belongs to only, so whether it was received is known from its arm;
  -- whether it was made is worked out on the received ones only (the other
  -- arms read only referrals the caller's organisations made).
  picked as (
    select r.id, r.seeker_id, r.program_id, r.from_site_id, r.from_program_id, r.status,
           r.status_reason, r.created_at, r.responded_at, r.response_due_at, r.status_changed_at,
           true as received,
           coalesce((r.from_site_id = any ((select me.sites from me)::uuid[])
                     or r.from_program_id = any ((select me.programs from me)::uuid[]))
                    and private.reaches('{}', array[r.referred_by, r.from_site_id, r.from_program_id],
                                        '{}', (select me.scope from me)), false) as made
    from public.referrals r
    where r.program_id = any ((select me.programs from me)::uuid[])
      and r.created_at >= p_from and r.created_at < p_to
    union all
    select r.id, r.seeker_id, r.program_id, r.from_site_id, r.from_program_id, r.status,
           r.status_reason, r.created_at, r.responded_at, r.response_due_at, r.status_changed_at, false, true
    from public.referrals r
    where r.from_site_id = any ((select me.sites from me)::uuid[])
      and not r.program_id = any ((select me.programs from me)::uuid[])
      and private.reaches('{}', array[r.referred_by, r.from_site_id, r.from_program_id], '{}', (select me.scope from me))
      and r.created_at >= p_from and r.created_at < p_to
    union all
    select r.id, r.seeker_id, r.program_id, r.from_site_id, r.from_program_id, r.status,
           r.status_reason, r.created_at, r.responded_at, r.response_due_at, r.status_changed_at, false, true
    from public.referrals r
    where r.from_program_id = any ((select me.programs from me)::uuid[])
      and not r.program_id = any ((select me.programs from me)::uuid[])
      and not coalesce(r.from_site_id = any ((select me.sites from me)::uuid[]), false)
      and private.reaches('{}', array[r.referred_by, r.from_site_id, r.from_program_id], '{}', (select me.scope from me))
      and r.created_at >= p_from and r.created_at < p_to
  )
  select
    r.id, r.seeker_id, r.program_id, r.from_site_id, r.from_program_id, r.status,
    case when r.status = 'got_help' then 'got_help'
         when r.status in ('couldnt_contact', 'not_eligible', 'no_capacity', 'couldnt_get_help', 'no_longer_interested')
           then 'needs_further_action'
         else 'in_progress' end,
    r.status_reason,
    r.created_at, r.received, r.made,
    r.responded_at, r.response_due_at,
    case when r.status in ('got_help', 'couldnt_contact', 'not_eligible', 'no_capacity', 'couldnt_get_help', 'no_longer_interested')
      then r.status_changed_at end
  from picked r
$$;
comment on function private.report_scope(timestamp with time zone, timestamp with time zone, uuid[], uuid[]) is
  'The referrals one report counts, with their status reason, first response (responded_at), response due and outcome times. See the head of supabase/schemas/87_reports.sql.';
revoke all on function private.report_scope(timestamp with time zone, timestamp with time zone, uuid[], uuid[]) from public, anon, authenticated, service_role;
grant execute on function private.report_scope(timestamp with time zone, timestamp with time zone, uuid[], uuid[]) to authenticated, service_role;
