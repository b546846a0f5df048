-- A quiet caller's list is sorted before what it embeds: every function a read
-- policy calls may run in a parallel plan's leader (parallel restricted), so
-- the planner may sort the caller's rows under a Gather Merge and join each
-- embed only for the rows of the page; the hook lets it plan so for a quiet
-- caller's read and starts no worker (the leader runs the plan), and keeps
-- every other read of referrals, notes and seekers without parallel workers.
-- (supabase/schemas/06_request_plans.sql, "Sorted before the embeds")

alter function private.my_inbound_programs() parallel restricted;
alter function private.my_outbound_scope() parallel restricted;
alter function private.my_seeker_records() parallel restricted;
alter function private.staff_can_see_seeker(uuid) parallel restricted;
alter function private.my_site_ids() parallel restricted;
alter function private.my_program_ids() parallel restricted;
alter function private.my_colleague_ids() parallel restricted;
alter function private.plan_for_quiet_caller() parallel restricted;
alter function private.plan_for_quiet_list(text) parallel restricted;
alter function private.seekers_of_my_referrals() parallel restricted;
alter function public.my_realtime_topics() parallel restricted;

create or replace function hooks.before_request()
returns void
language plpgsql
as $$
begin
  perform pg_catalog.set_config('plan_cache_mode', 'force_custom_plan', true);
  if current_user <> 'authenticated'
     or coalesce(pg_catalog.current_setting('request.method', true), '') not in ('GET', 'HEAD')
     or coalesce(pg_catalog.current_setting('request.path', true), '') not in ('/referrals', '/referral_notes', '/seekers') then
    return;
  end if;
  if private.caller_is_quiet() then
    if pg_catalog.current_setting('request.path') <> '/referrals' then
      perform pg_catalog.set_config('enable_indexscan', 'off', true);
    end if;
    perform pg_catalog.set_config('enable_hashjoin', 'off', true);
    perform pg_catalog.set_config('enable_mergejoin', 'off', true);
    perform pg_catalog.set_config('enable_seqscan', 'off', true);
    perform pg_catalog.set_config('app.plan_for_quiet_caller',
                                  pg_catalog.ltrim(pg_catalog.current_setting('request.path'), '/'), true);
    -- a Gather Merge sorts the caller's rows before what the request embeds;
    -- it runs in this process alone (no worker is started)
    perform pg_catalog.set_config('max_parallel_workers', '0', true);
  else
    perform pg_catalog.set_config('max_parallel_workers_per_gather', '0', true);
  end if;
end
$$;
