-- A quiet caller's API reads also look up what their embeds add row by row:
-- the planner estimates their reach at ~2% of all referrals and hashed every
-- program for Carl's 50 rows at 10,000,000 referrals; and they read no big
-- table whole (head of supabase/schemas/06_request_plans.sql).

-- No SET clause on purpose: Postgres ends the local settings a function with
-- a SET clause makes together with the function, and these must last for the
-- request. Every name is schema-qualified; it runs with the caller's rights.
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
    perform pg_catalog.set_config('enable_indexscan', 'off', true);
    perform pg_catalog.set_config('enable_hashjoin', 'off', true);
    perform pg_catalog.set_config('enable_mergejoin', 'off', true);
    perform pg_catalog.set_config('enable_seqscan', 'off', true);
    perform pg_catalog.set_config('app.plan_for_quiet_caller', 'on', true);
  end if;
end
$$;
comment on function hooks.before_request() is 'PostgREST''s db-pre-request: plans the request for itself, and a quiet caller''s reads through the reach indexes (head of supabase/schemas/06_request_plans.sql).';
