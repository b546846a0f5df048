-- =============================================================================
-- Reports read each referral's first response and last status change from the
-- referral itself (status_changed_at, first_response_at, kept by a trigger as
-- the history records them) instead of joining the history per report: one row
-- per referral under one policy. Filled from the history for the referrals
-- that exist. referral_report counts weeks and time buckets in one pass each.
-- The schema files (50_referrals.sql, 87_reports.sql) describe the result.
-- =============================================================================

drop index public.referral_events_status_changes_idx;

alter table public.referrals
  add column status_changed_at timestamp with time zone,
  add column first_response_at timestamp with time zone;
comment on column public.referrals.status_changed_at is 'When the status last changed (as its latest status_changed history entry); empty while it never has. Kept by a trigger (87_reports.sql).';
comment on column public.referrals.first_response_at is 'When staff other than the referrer first changed the status (a change by the referrer or the seeker is not a response); empty until then. Kept by a trigger (87_reports.sql).';

-- From the history, without the update triggers (no version bump, no history,
-- no notification: nothing about the referrals changes).
set local session_replication_role = replica;
update public.referrals r
set status_changed_at = e.last_change_at,
    first_response_at = e.first_response_at
from (
  select e.referral_id,
         max(e.created_at) as last_change_at,
         min(e.created_at) filter (where e.actor_id is distinct from x.referred_by
                                     and coalesce(e.actor_organization, '') <> '') as first_response_at
  from public.referral_events e
  join public.referrals x on x.id = e.referral_id
  where e.event_type = 'status_changed'
  group by e.referral_id
) e
where r.id = e.referral_id;
set local session_replication_role = origin;

-- Keeps status_changed_at and first_response_at as the history records the change.
create or replace function private.referrals_report_times()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_actor record;
begin
  new.status_changed_at := now();
  if old.first_response_at is null then
    select * into v_actor from private.current_actor();
    if v_actor.actor_id is distinct from old.referred_by and coalesce(v_actor.organization, '') <> '' then
      new.first_response_at := now();
    end if;
  end if;
  return new;
end
$$;
revoke all on function private.referrals_report_times() from public, anon, authenticated, service_role;

create trigger referrals_report_times before update of status on public.referrals for each row when ((old.status is distinct from new.status)) execute function private.referrals_report_times();

create or replace function private.report_scope(p_from timestamp with time zone, p_to timestamp with time zone, p_site_ids uuid[], p_program_ids uuid[])
returns table (
  id uuid,
  seeker_id uuid,
  program_id uuid,
  from_site_id uuid,
  from_program_id uuid,
  status public.referral_status,
  status_group text,
  created_at timestamp with time zone,
  received boolean,
  made boolean,
  first_response_at timestamp with time zone,
  outcome_at timestamp with time zone
)
language sql
stable
as $$
  with me as materialized (
    select
      auth.uid() as uid,
      array(select s.s from private.my_site_ids() s(s) where p_site_ids is null or s.s = any (p_site_ids)) as sites,
      array(select p.p from private.my_program_ids() p(p) where p_program_ids is null or p.p = any (p_program_ids)) as programs,
      private.my_outbound_scope() as scope
  ),
  picked as (
    select r.*,
           r.program_id = any ((select me.programs from me)::uuid[]) as is_received,
           coalesce((r.from_site_id = any ((select me.sites from me)::uuid[])
                     or r.from_program_id = any ((select me.programs from me)::uuid[]))
                    and (r.referred_by = (select me.uid from me)
                         or r.from_site_id = any ((select me.scope from me)::uuid[])
                         or r.from_program_id = any ((select me.scope from me)::uuid[])), false) as is_made
    from public.referrals r
    where r.created_at >= p_from and r.created_at < p_to
      and (r.program_id = any ((select me.programs from me)::uuid[])
           or r.from_site_id = any ((select me.sites from me)::uuid[])
           or r.from_program_id = any ((select me.programs from me)::uuid[]))
  )
  select
    r.id, r.seeker_id, r.program_id, r.from_site_id, r.from_program_id, r.status,
    case when r.status = 'got_help' then 'got_help'
         when r.status in ('couldnt_contact', 'not_eligible', 'no_capacity', 'couldnt_get_help', 'no_longer_interested')
           then 'needs_further_action'
         else 'in_progress' end,
    r.created_at, r.is_received, r.is_made,
    r.first_response_at,
    case when r.status in ('got_help', 'couldnt_contact', 'not_eligible', 'no_capacity', 'couldnt_get_help', 'no_longer_interested')
      then r.status_changed_at end
  from picked r
  where r.is_received or r.is_made
$$;
comment on function private.report_scope(timestamp with time zone, timestamp with time zone, uuid[], uuid[]) is
  'The referrals one report counts, with their first response and outcome times. See the head of supabase/schemas/87_reports.sql.';
revoke all on function private.report_scope(timestamp with time zone, timestamp with time zone, uuid[], uuid[]) from public, anon, authenticated, service_role;
grant execute on function private.report_scope(timestamp with time zone, timestamp with time zone, uuid[], uuid[]) to authenticated, service_role;

-- Everything one Reports screen shows, in one call.
create or replace function public.referral_report(
  p_from timestamp with time zone,
  p_to timestamp with time zone,
  p_site_ids uuid[] default null,
  p_program_ids uuid[] default null,
  p_time_zone text default 'UTC'
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_result jsonb;
begin
  perform private.report_check(p_from, p_to, p_time_zone);
  -- Planned on every call with the values in it (EXECUTE … USING): a plan
  -- cached without the organisations and the period would guess both.
  execute $q$
    with rows as materialized (
      select s.*,
             extract(epoch from s.first_response_at - s.created_at) as response_seconds,
             extract(epoch from s.outcome_at - s.created_at) as outcome_seconds
      from private.report_scope($1, $2, $3, $4) s
    ),
    figures as (
      select
        count(*) as referrals,
        count(*) filter (where received) as received,
        count(*) filter (where made) as made,
        count(*) filter (where status_group <> 'in_progress') as with_outcome,
        count(*) filter (where status_group = 'got_help') as got_help,
        count(*) filter (where first_response_at is not null) as responded,
        percentile_cont(0.5) within group (order by response_seconds) as response_median_seconds,
        percentile_cont(0.9) within group (order by response_seconds) as response_p90_seconds,
        percentile_cont(0.5) within group (order by outcome_seconds) as outcome_median_seconds,
        percentile_cont(0.9) within group (order by outcome_seconds) as outcome_p90_seconds,
        -- Response clocks: null until referrals carry a response due time.
        null::bigint as overdue_now
      from rows
    ),
    -- the Mondays (in the reader's time zone) from the period's first week to its end
    weeks as (
      select array_agg(w order by w) as starts
      from pg_catalog.generate_series(pg_catalog.date_trunc('week', $1, $5), $2 - interval '1 microsecond',
                                      interval '1 week', $5) w
    ),
    -- each referral's week made and week closed (outcomes after the period are not in the series)
    made_weeks as (
      select pg_catalog.width_bucket(created_at, (select starts from weeks)) as week, count(*) as n
      from rows group by 1
    ),
    closed_weeks as (
      select pg_catalog.width_bucket(outcome_at, (select starts from weeks)) as week, count(*) as n
      from rows where outcome_at < $2 group by 1
    ),
    weekly as (
      select w.week_start, coalesce(m.n, 0) as new, coalesce(c.n, 0) as closed
      from unnest((select starts from weeks)) with ordinality w(week_start, i)
      left join made_weeks m on m.week = w.i
      left join closed_weeks c on c.week = w.i
    ),
    -- Top reasons for a negative outcome: by status until referrals carry a reason.
    reasons as (
      select 'status' as kind, status::text as key, count(*) as count
      from rows where status_group = 'needs_further_action'
      group by status
    ),
    by_status as (
      select status, count(*) as count from rows group by status
    ),
    outcome_statuses as (
      select u.status, u.ord
      from unnest(array['got_help', 'couldnt_contact', 'not_eligible', 'no_capacity', 'couldnt_get_help',
                        'no_longer_interested']::public.referral_status[]) with ordinality u(status, ord)
    ),
    buckets as (
      select b.key, b.ord
      from (values ('under_1_day', 1), ('1_to_3_days', 2), ('3_to_7_days', 3), ('1_to_2_weeks', 4),
                   ('2_to_4_weeks', 5), ('over_4_weeks', 6), ('no_response', 7)) b(key, ord)
    ),
    by_bucket as (
      select case when response_seconds is null then 7
                  else pg_catalog.width_bucket(response_seconds, array[0, 86400, 259200, 604800, 1209600, 2419200]::numeric[]) end as ord,
             count(*) as count
      from rows group by 1
    )
    select jsonb_build_object(
      'figures', (select to_jsonb(f) from figures f),
      'weekly', (select coalesce(jsonb_agg(jsonb_build_object(
                     'week_start', to_char(w.week_start at time zone $5, 'YYYY-MM-DD'),
                     'new', w.new, 'closed', w.closed) order by w.week_start), '[]') from weekly w),
      'funnel', jsonb_build_array(
                  jsonb_build_object('stage', 'referred', 'count', (select referrals from figures)),
                  jsonb_build_object('stage', 'responded', 'count', (select responded from figures)),
                  jsonb_build_object('stage', 'outcome', 'count', (select with_outcome from figures)),
                  jsonb_build_object('stage', 'got_help', 'count', (select got_help from figures))),
      'outcomes', (select jsonb_agg(jsonb_build_object('status', o.status, 'count', coalesce(c.count, 0)) order by o.ord)
                   from outcome_statuses o left join by_status c on c.status = o.status),
      'negative_reasons', (select coalesce(jsonb_agg(jsonb_build_object('kind', x.kind, 'key', x.key, 'count', x.count)
                                                     order by x.count desc, x.key), '[]')
                           from (select * from reasons order by count desc, key limit 5) x),
      'response_times', (select jsonb_agg(jsonb_build_object('bucket', b.key, 'count', coalesce(c.count, 0)) order by b.ord)
                         from buckets b left join by_bucket c on c.ord = b.ord)
    )
  $q$ into v_result using p_from, p_to, p_site_ids, p_program_ids, p_time_zone;
  return v_result;
end
$$;
comment on function public.referral_report(p_from timestamp with time zone, p_to timestamp with time zone, p_site_ids uuid[], p_program_ids uuid[], p_time_zone text) is
  'Reports screen: figures (referrals, received, made, with an outcome, got help, responded, median and 90th percentile seconds to first response and to outcome, overdue now), weekly new and closed counts (weeks start on Monday in p_time_zone), the funnel, the outcome mix, the top negative reasons and the time-to-first-response distribution, over the referrals made in [p_from, p_to) that the caller''s chosen sites and programs (default: all of theirs) received or made. Runs with the caller''s rights: counts only what they can see.';
revoke all on function public.referral_report(p_from timestamp with time zone, p_to timestamp with time zone, p_site_ids uuid[], p_program_ids uuid[], p_time_zone text) from public, anon, authenticated, service_role;
grant execute on function public.referral_report(p_from timestamp with time zone, p_to timestamp with time zone, p_site_ids uuid[], p_program_ids uuid[], p_time_zone text) to authenticated, service_role;
