-- =============================================================================
-- Notifications on hosted Supabase: call the sender on a schedule.
--
-- Locally the stack's notifier LISTENs on `notification_jobs` and calls the
-- edge function at once (and on a sweep). Hosted Supabase has no such process,
-- so pg_cron calls the edge function every 10 seconds through pg_net, and the
-- enqueue trigger's NOTIFY is simply unheard.
--
-- Guarded: where pg_cron or pg_net are not available (the embedded local
-- database, plain Postgres), this migration only creates the function and
-- schedules nothing, so the same migrations apply everywhere.
--
-- To turn it on for a hosted project, store two secrets in Vault once (SQL
-- editor), and the schedule starts working on its next run:
--   select vault.create_secret('https://<project-ref>.supabase.co', 'notifications_project_url');
--   select vault.create_secret('<service_role key>', 'notifications_service_role_key');
-- To stop it: select cron.unschedule('send-notifications');
-- =============================================================================

-- Calls the send-notifications edge function once, if the project URL and key
-- are in Vault and there is something due. pg_net sends the request after the
-- transaction commits, in the background.
create function private.invoke_notification_sender()
returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_url text;
  v_key text;
begin
  if not exists (
    select 1 from public.notification_jobs
    where (state = 'pending' and next_attempt_at <= now()) or (state = 'sending' and locked_until < now())
  ) then
    return;
  end if;
  if to_regclass('vault.decrypted_secrets') is null or not exists (
    select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'net' and p.proname = 'http_post'
  ) then
    return;
  end if;
  execute $q$select decrypted_secret from vault.decrypted_secrets where name = 'notifications_project_url'$q$ into v_url;
  execute $q$select decrypted_secret from vault.decrypted_secrets where name = 'notifications_service_role_key'$q$ into v_key;
  if v_url is null or v_key is null then
    return;
  end if;
  execute $q$select net.http_post(url := $1, body := '{}'::jsonb, headers := $2, timeout_milliseconds := 30000)$q$
    using rtrim(v_url, '/') || '/functions/v1/send-notifications',
          jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || v_key);
end
$$;
comment on function private.invoke_notification_sender() is
  'Hosted only: called by pg_cron every 10 seconds; asks the send-notifications edge function to drain the outbox when something is due.';
revoke all on function private.invoke_notification_sender() from public, anon, authenticated, service_role;

do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'pg_cron')
     and exists (select 1 from pg_available_extensions where name = 'pg_net') then
    begin
      create extension if not exists pg_net with schema extensions;
      create extension if not exists pg_cron with schema pg_catalog;
      -- cron.schedule replaces a job of the same name, so re-running is safe.
      perform cron.schedule('send-notifications', '10 seconds', 'select private.invoke_notification_sender()');
    exception when others then
      -- e.g. pg_cron installed but not in shared_preload_libraries
      raise notice 'notifications schedule not created: %', sqlerrm;
    end;
  else
    raise notice 'pg_cron / pg_net not available: notifications are sent by the local notifier only';
  end if;
end
$$;
