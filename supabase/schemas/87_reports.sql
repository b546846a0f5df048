-- =============================================================================
-- Reports: what happened to the referrals of the caller's own programs and
-- sites over a period (the Reports screen, docs/product.md "Reports").
--
-- Every function here runs with the caller's rights (security invoker): the
-- referrals and seekers policies apply to every row they read, so a report
-- counts nothing its reader could not list themselves.
--
-- The referrals a report counts (private.report_scope), for the organisations
-- chosen (default: all the caller belongs to; any other id is ignored):
--   received  referrals sent to one of the chosen programs (rule 3);
--   made      referrals made from one of the chosen sites or programs, by the
--             caller, or by anyone when that organisation shares (rules 1-2);
-- and made in [from, to).
--
-- Per referral, what the report reads from the referral itself (one row per
-- referral under one policy; through the history's own policy a busy
-- program's year cost 1.3-1.4 times the service role's). Each of these
-- columns is also in the three indexes the report reads (program, site and
-- sender program by time, 50_referrals.sql), so a report reads its period from
-- those indexes alone: a busy program's year at 10,000,000 referrals is some
-- 100,000 referrals spread over the whole table.
--
--   responded_at       the first response: the program's first answer, the
--                      first status change by a claimer of the receiving
--                      program (the response clock's, 95_response_clocks.sql;
--                      a change by the referrer, their team or the seeker is
--                      not one);
--   response_due_at    overdue now: responded_at is null and response_due_at
--                      has passed (as Inbound's "N overdue");
--   status_changed_at  the last status change (the trigger below). A referral
--                      has an outcome when its status is in Got help or Needs
--                      further action; its outcome time is then
--                      status_changed_at;
--   status_reason      why a negative outcome happened (45_status_reasons.sql);
--                      a referral with a negative status and no reason (older
--                      data) is counted under its status.
-- =============================================================================

-- triggers on other domains' tables ------------------------------------------

-- Keeps status_changed_at as the history records the change.
create or replace function private.referrals_report_times()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.status_changed_at := now();
  return new;
end
$$;
revoke all on function private.referrals_report_times() from public, anon, authenticated, service_role;

create trigger referrals_report_times before update of status on public.referrals for each row when ((old.status is distinct from new.status)) execute function private.referrals_report_times();

-- The referrals of one report, one row each, with their times and reason.
-- Plain SQL without SET, so it is inlined into the callers below.
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

-- A report's period must be a real one: start before end, at most five years,
-- in a time zone Postgres knows.
create or replace function private.report_check(p_from timestamp with time zone, p_to timestamp with time zone, p_time_zone text)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_from is null or p_to is null then
    raise exception 'A report needs a start and an end date' using errcode = '22023';
  end if;
  if p_from >= p_to then
    raise exception 'A report''s start must be before its end' using errcode = '22023';
  end if;
  if p_to - p_from > interval '1830 days' then
    raise exception 'A report covers at most five years' using errcode = '22023';
  end if;
  if p_time_zone is null then
    raise exception 'A report needs a time zone' using errcode = '22023';
  end if;
  begin
    perform pg_catalog.timezone(p_time_zone, p_from);
  exception when invalid_parameter_value then
    raise exception 'Unknown time zone: %', p_time_zone using errcode = '22023';
  end;
end
$$;
revoke all on function private.report_check(timestamp with time zone, timestamp with time zone, text) from public, anon, authenticated, service_role;
grant execute on function private.report_check(timestamp with time zone, timestamp with time zone, text) to authenticated, service_role;

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
-- a busy program's year (~100,000 referrals at 10,000,000) is aggregated in
-- memory rather than through temporary files (4 MB, the default, spilled)
set work_mem = '32MB'
set search_path = ''
as $$
declare
  v_result jsonb;
begin
  perform private.report_check(p_from, p_to, p_time_zone);
  -- Planned on every call with the values in it (EXECUTE … USING): a plan
  -- cached without the organisations and the period would guess both.
  execute $q$
    -- the Mondays (in the reader's time zone) from the period's first week to its end
    with weeks as (
      select array_agg(w order by w) as starts
      from pg_catalog.generate_series(pg_catalog.date_trunc('week', $1, $5), $2 - interval '1 microsecond',
                                      interval '1 week', $5) w
    ),
    -- one row per referral with everything counted below, read twice: once
    -- for the figures (their percentiles sort), once for every series. What
    -- the series give already (answered or not, the outcome mix) is not
    -- worked out again per referral.
    rows as materialized (
      select s.status, s.status_reason, s.received, s.made,
             -- as Inbound's "N overdue": not answered by the program, past its due time
             s.responded_at is null and s.response_due_at < now() as overdue,
             pg_catalog.width_bucket(s.created_at, (select starts from weeks)) as made_week,
             -- outcomes after the period are not in the series
             case when s.outcome_at < $2 then pg_catalog.width_bucket(s.outcome_at, (select starts from weeks)) end
               as closed_week,
             pg_catalog.date_part('epoch', s.responded_at - s.created_at) as response_seconds,
             pg_catalog.date_part('epoch', s.outcome_at - s.created_at) as outcome_seconds
      from private.report_scope($1, $2, $3, $4) s
    ),
    figures as (
      select
        count(*) as referrals,
        count(*) filter (where received) as received,
        count(*) filter (where made) as made,
        count(response_seconds) as responded,
        percentile_cont(0.5) within group (order by response_seconds) as response_median_seconds,
        percentile_cont(0.9) within group (order by response_seconds) as response_p90_seconds,
        percentile_cont(0.5) within group (order by outcome_seconds) as outcome_median_seconds,
        percentile_cont(0.9) within group (order by outcome_seconds) as outcome_p90_seconds,
        count(*) filter (where overdue) as overdue_now
      from rows
    ),
    -- Every series in one pass over the rows: referrals per week made, per
    -- week closed, per status and recorded reason, per time to first
    -- response. grouping(column) is 0 in the sets that column is in (so a
    -- null there is a value, not the mark of another set).
    counts as (
      select grouping(made_week) as not_made, grouping(closed_week) as not_closed,
             grouping(status) as not_status, grouping(bucket) as not_bucket,
             made_week, closed_week, status, status_reason, bucket, count(*) as n
      from (
        select r.made_week, r.closed_week, r.status, r.status_reason,
               case when r.response_seconds is null then 7
                    else pg_catalog.width_bucket(r.response_seconds,
                                                 array[0, 86400, 259200, 604800, 1209600, 2419200]::float8[]) end
                 as bucket
        from rows r
      ) r
      group by grouping sets ((made_week), (closed_week), (status, status_reason), (bucket))
    ),
    -- the funnel's last two stages, from the referrals per status
    outcome_totals as (
      select coalesce(sum(n) filter (where status in ('got_help', 'couldnt_contact', 'not_eligible', 'no_capacity',
                                                      'couldnt_get_help', 'no_longer_interested')), 0)::bigint
               as with_outcome,
             coalesce(sum(n) filter (where status = 'got_help'), 0)::bigint as got_help
      from counts where not_status = 0
    ),
    made_weeks as (select made_week as week, n from counts where not_made = 0),
    closed_weeks as (select closed_week as week, n from counts where not_closed = 0 and closed_week is not null),
    by_reason as (select status, status_reason as reason, n from counts where not_status = 0),
    by_bucket as (select bucket as ord, n as count from counts where not_bucket = 0),
    weekly as (
      select w.week_start, coalesce(m.n, 0) as new, coalesce(c.n, 0) as closed
      from unnest((select starts from weeks)) with ordinality w(week_start, i)
      left join made_weeks m on m.week = w.i
      left join closed_weeks c on c.week = w.i
    ),
    -- Top reasons for a negative outcome: the status and its recorded reason;
    -- a referral without one (older data) counts under its status (reason null).
    reasons as (
      select status, reason, n as count
      from by_reason
      where status in ('couldnt_contact', 'not_eligible', 'no_capacity', 'couldnt_get_help', 'no_longer_interested')
    ),
    by_status as (
      select status, sum(n)::bigint as count from by_reason group by status
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
    )
    select jsonb_build_object(
      'figures', (select to_jsonb(f) || to_jsonb(o) from figures f, outcome_totals o),
      'weekly', (select coalesce(jsonb_agg(jsonb_build_object(
                     'week_start', to_char(w.week_start at time zone $5, 'YYYY-MM-DD'),
                     'new', w.new, 'closed', w.closed) order by w.week_start), '[]') from weekly w),
      'funnel', jsonb_build_array(
                  jsonb_build_object('stage', 'referred', 'count', (select referrals from figures)),
                  jsonb_build_object('stage', 'responded', 'count', (select responded from figures)),
                  jsonb_build_object('stage', 'outcome', 'count', (select with_outcome from outcome_totals)),
                  jsonb_build_object('stage', 'got_help', 'count', (select got_help from outcome_totals))),
      'outcomes', (select jsonb_agg(jsonb_build_object('status', o.status, 'count', coalesce(c.count, 0)) order by o.ord)
                   from outcome_statuses o left join by_status c on c.status = o.status),
      'negative_reasons', (select coalesce(jsonb_agg(jsonb_build_object('status', x.status, 'reason', x.reason,
                                                                        'count', x.count)
                                                     order by x.count desc, x.status::text collate "C", x.reason collate "C" nulls first), '[]')
                           from (select * from reasons order by count desc, status::text collate "C", reason collate "C" nulls first limit 5) x),
      'response_times', (select jsonb_agg(jsonb_build_object('bucket', b.key, 'count', coalesce(c.count, 0)) order by b.ord)
                         from buckets b left join by_bucket c on c.ord = b.ord)
    )
  $q$ into v_result using p_from, p_to, p_site_ids, p_program_ids, p_time_zone;
  return v_result;
end
$$;
comment on function public.referral_report(p_from timestamp with time zone, p_to timestamp with time zone, p_site_ids uuid[], p_program_ids uuid[], p_time_zone text) is
  'Reports screen: figures (referrals, received, made, with an outcome, got help, responded, median and 90th percentile seconds to the program''s first answer (responded_at) and to outcome, overdue now: not answered and past response_due_at), weekly new and closed counts (weeks start on Monday in p_time_zone), the funnel, the outcome mix, the five most frequent negative outcomes by status and recorded reason (reason null: none recorded) and the time-to-first-response distribution, over the referrals made in [p_from, p_to) that the caller''s chosen sites and programs (default: all of theirs) received or made. Runs with the caller''s rights: counts only what they can see.';
revoke all on function public.referral_report(p_from timestamp with time zone, p_to timestamp with time zone, p_site_ids uuid[], p_program_ids uuid[], p_time_zone text) from public, anon, authenticated, service_role;
grant execute on function public.referral_report(p_from timestamp with time zone, p_to timestamp with time zone, p_site_ids uuid[], p_program_ids uuid[], p_time_zone text) to authenticated, service_role;

-- The referrals of a report, one row each (the Reports screen's CSV). Page it
-- with .range(): ordered by made time, then id. The seeker's name only for a
-- referral of one of the caller's own organisations (received by a program of
-- theirs, or made from one of their sites or programs), and only where the
-- seekers policy shows it.
create or replace function public.report_referral_rows(
  p_from timestamp with time zone,
  p_to timestamp with time zone,
  p_site_ids uuid[] default null,
  p_program_ids uuid[] default null
)
returns table (
  id uuid,
  created_at timestamp with time zone,
  program_id uuid,
  program_name text,
  made_from_name text,
  received boolean,
  made boolean,
  status public.referral_status,
  status_group text,
  reason text,
  responded_at timestamp with time zone,
  outcome_at timestamp with time zone,
  response_due_at timestamp with time zone,
  overdue boolean,
  seeker_name text
)
language plpgsql
stable
set search_path = ''
as $$
begin
  perform private.report_check(p_from, p_to, 'UTC');
  return query execute $q$
    select s.id, s.created_at, s.program_id, p.name, coalesce(fs.name, fp.name),
           s.received, s.made, s.status, s.status_group, s.status_reason,
           s.responded_at, s.outcome_at, s.response_due_at,
           -- as the report's overdue_now
           s.responded_at is null and s.response_due_at < now(),
           case when s.program_id in (select private.my_program_ids())
                  or s.from_site_id in (select private.my_site_ids())
                  or s.from_program_id in (select private.my_program_ids())
                then sk.first_name || ' ' || sk.last_name end
    from private.report_scope($1, $2, $3, $4) s
    join public.programs p on p.id = s.program_id
    left join public.sites fs on fs.id = s.from_site_id
    left join public.programs fp on fp.id = s.from_program_id
    left join public.seekers sk on sk.id = s.seeker_id
    order by s.created_at, s.id
  $q$ using p_from, p_to, p_site_ids, p_program_ids;
end
$$;
comment on function public.report_referral_rows(p_from timestamp with time zone, p_to timestamp with time zone, p_site_ids uuid[], p_program_ids uuid[]) is
  'Reports screen CSV: the referrals referral_report counts, one row each, oldest first (page with .range()): made time, receiving program, where it was made from, status and its group, reason (a code of public.status_reasons for the status), the program''s first answer (responded_at), outcome and response due times, whether it is overdue now, and the seeker''s name for referrals of the caller''s own organisations. Runs with the caller''s rights.';
revoke all on function public.report_referral_rows(p_from timestamp with time zone, p_to timestamp with time zone, p_site_ids uuid[], p_program_ids uuid[]) from public, anon, authenticated, service_role;
grant execute on function public.report_referral_rows(p_from timestamp with time zone, p_to timestamp with time zone, p_site_ids uuid[], p_program_ids uuid[]) to authenticated, service_role;
