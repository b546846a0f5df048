-- The response-clock sweep every minute, through pg_cron (enabled with the
-- notification sender's schedule), the same job locally and on hosted Supabase.
select cron.schedule('response-clocks', '* * * * *', $$select public.run_response_clocks()$$);
