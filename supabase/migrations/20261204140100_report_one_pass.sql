-- A report counts its series in one pass over its referrals (GROUPING SETS:
-- per week made, per week closed, per status and reason, per time to first
-- response) instead of one scan each, and measures times as double precision
-- (date_part) rather than numeric. Same figures; at 10,000,000 referrals a
-- busy program's year is ~100,000 referrals.

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
    -- for the figures (their percentiles sort), once for every series
    rows as materialized (
      select s.status, s.status_group, s.status_reason, s.received, s.made,
             s.responded_at is not null as responded,
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
        count(*) filter (where status_group <> 'in_progress') as with_outcome,
        count(*) filter (where status_group = 'got_help') as got_help,
        count(*) filter (where responded) as responded,
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
