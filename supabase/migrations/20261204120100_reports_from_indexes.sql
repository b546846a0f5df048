-- Reports read their referrals from three indexes alone (program, site and
-- sender program by time), never the table: the indexes now carry every
-- column a report counts, and private.report_scope reads one arm per index.
-- At 10,000,000 referrals a busy program's year is ~100,000 referrals
-- scattered over the table; reading them from the table cost about a second.

drop index public.referrals_from_program_id_idx;
drop index public.referrals_from_site_id_idx;
drop index public.referrals_program_id_idx;
create index referrals_from_program_id_idx on public.referrals (from_program_id, created_at desc) include (seeker_id, program_id, referred_by, from_site_id, status, status_reason, responded_at, response_due_at, status_changed_at) where (from_program_id is not null);
create index referrals_from_site_id_idx on public.referrals (from_site_id, created_at desc) include (seeker_id, program_id, referred_by, from_program_id, status, status_reason, responded_at, response_due_at, status_changed_at) where (from_site_id is not null);
create index referrals_program_id_idx on public.referrals (program_id, created_at desc) include (status, seeker_id, referred_by, from_site_id, from_program_id, status_reason, responded_at, response_due_at, status_changed_at);

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
      auth.uid() as uid,
      array(select s.s from private.my_site_ids() s(s) where p_site_ids is null or s.s = any (p_site_ids)) as sites,
      array(select p.p from private.my_program_ids() p(p) where p_program_ids is null or p.p = any (p_program_ids)) as programs,
      private.my_outbound_scope() as scope
  ),
  -- One arm per index (referrals_program_id_idx, referrals_from_site_id_idx,
  -- referrals_from_program_id_idx), each reading its referrals in the
  -- period from that index alone: every column read here and by the
  -- referrals policy is in all three. A referral is read by the first arm
  -- it belongs to only.
  picked as (
    select r.id, r.seeker_id, r.program_id, r.from_site_id, r.from_program_id, r.referred_by, r.status,
           r.status_reason, r.created_at, r.responded_at, r.response_due_at, r.status_changed_at
    from public.referrals r
    where r.program_id = any ((select me.programs from me)::uuid[])
      and r.created_at >= p_from and r.created_at < p_to
    union all
    select r.id, r.seeker_id, r.program_id, r.from_site_id, r.from_program_id, r.referred_by, r.status,
           r.status_reason, r.created_at, r.responded_at, r.response_due_at, r.status_changed_at
    from public.referrals r
    where r.from_site_id = any ((select me.sites from me)::uuid[])
      and not r.program_id = any ((select me.programs from me)::uuid[])
      and r.created_at >= p_from and r.created_at < p_to
    union all
    select r.id, r.seeker_id, r.program_id, r.from_site_id, r.from_program_id, r.referred_by, r.status,
           r.status_reason, r.created_at, r.responded_at, r.response_due_at, r.status_changed_at
    from public.referrals r
    where r.from_program_id = any ((select me.programs from me)::uuid[])
      and not r.program_id = any ((select me.programs from me)::uuid[])
      and not coalesce(r.from_site_id = any ((select me.sites from me)::uuid[]), false)
      and r.created_at >= p_from and r.created_at < p_to
  ),
  marked as (
    select r.*,
           r.program_id = any ((select me.programs from me)::uuid[]) as is_received,
           coalesce((r.from_site_id = any ((select me.sites from me)::uuid[])
                     or r.from_program_id = any ((select me.programs from me)::uuid[]))
                    and (r.referred_by = (select me.uid from me)
                         or r.from_site_id = any ((select me.scope from me)::uuid[])
                         or r.from_program_id = any ((select me.scope from me)::uuid[])), false) as is_made
    from picked r
  )
  select
    r.id, r.seeker_id, r.program_id, r.from_site_id, r.from_program_id, r.status,
    case when r.status = 'got_help' then 'got_help'
         when r.status in ('couldnt_contact', 'not_eligible', 'no_capacity', 'couldnt_get_help', 'no_longer_interested')
           then 'needs_further_action'
         else 'in_progress' end,
    r.status_reason,
    r.created_at, r.is_received, r.is_made,
    r.responded_at, r.response_due_at,
    case when r.status in ('got_help', 'couldnt_contact', 'not_eligible', 'no_capacity', 'couldnt_get_help', 'no_longer_interested')
      then r.status_changed_at end
  from marked r
  where r.is_received or r.is_made
$$;

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
    with rows as materialized (
      select s.status, s.status_group, s.status_reason, s.created_at, s.received, s.made,
             s.responded_at, s.response_due_at, s.outcome_at,
             extract(epoch from s.responded_at - s.created_at) as response_seconds,
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
        count(*) filter (where responded_at is not null) as responded,
        percentile_cont(0.5) within group (order by response_seconds) as response_median_seconds,
        percentile_cont(0.9) within group (order by response_seconds) as response_p90_seconds,
        percentile_cont(0.5) within group (order by outcome_seconds) as outcome_median_seconds,
        percentile_cont(0.9) within group (order by outcome_seconds) as outcome_p90_seconds,
        -- as Inbound's "N overdue": not answered by the program, past its due time
        count(*) filter (where responded_at is null and response_due_at < now()) as overdue_now
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
    -- Top reasons for a negative outcome: the status and its recorded reason;
    -- a referral without one (older data) counts under its status (reason null).
    reasons as (
      select status, status_reason as reason, count(*) as count
      from rows where status_group = 'needs_further_action'
      group by status, status_reason
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
