-- Notifications are sent the hosted way everywhere (the local stack provides
-- pg_cron, pg_net and Vault too): a trigger on the outbox calls the
-- send-notifications edge function through pg_net right after the commit
-- that queued due jobs, and a pg_cron sweep every 5 seconds calls it when
-- retries, held messages (next_attempt_at in the future) or expired leases
-- are due. URL and key come from Vault; a missing secret is an error.
create extension if not exists pg_net with schema extensions;
create extension if not exists pg_cron with schema pg_catalog;

-- The send-notifications request, through pg_net, with the URL and key from
-- Vault. A missing secret is an error that names it (never a silent no-op).
create or replace function private.request_notification_sender()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_url text;
  v_key text;
begin
  select decrypted_secret into v_url from vault.decrypted_secrets where name = 'notifications_project_url';
  select decrypted_secret into v_key from vault.decrypted_secrets where name = 'notifications_service_role_key';
  if v_url is null or v_key is null then
    raise exception 'notifications are not being sent: the Vault secret % is missing',
      case when v_url is null then 'notifications_project_url' else 'notifications_service_role_key' end
      using hint = 'select vault.create_secret(''<value>'', ''<name>''); see supabase/functions/send-notifications/README.md';
  end if;
  return net.http_post(
    url := rtrim(v_url, '/') || '/functions/v1/send-notifications',
    body := '{}'::jsonb,
    headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || v_key),
    timeout_milliseconds := 30000);
end
$$;
comment on function private.request_notification_sender() is 'Queues one pg_net call of the send-notifications edge function (URL and key from Vault); raises, naming the secret, when one is missing. Returns the pg_net request id.';
revoke all on function private.request_notification_sender() from public, anon, authenticated, service_role;

-- The sweep pg_cron runs every 5 seconds: calls the sender when a job is due
-- (a retry, a message held until next_attempt_at, an expired lease). Fails
-- the cron run, visibly in cron.job_run_details, when a secret is missing.
create or replace function private.invoke_notification_sender()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (
    select 1 from public.notification_jobs
    where (state = 'pending' and next_attempt_at <= now()) or (state = 'sending' and locked_until < now())
  ) then
    perform private.request_notification_sender();
  end if;
end
$$;
comment on function private.invoke_notification_sender() is 'pg_cron, every 5 seconds: asks the send-notifications edge function to drain the outbox when something is due (retries, held messages, expired leases).';
revoke all on function private.invoke_notification_sender() from public, anon, authenticated, service_role;

-- As a Database Webhook: jobs that are due at once call the sender right
-- after the commit that queued them (pg_net sends after commit; a rollback
-- sends nothing). A missing secret must not undo the change that queued the
-- jobs: it is a WARNING here, and the sweep's failed runs keep saying it.
create or replace function private.wake_notification_sender()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from queued where state = 'pending' and next_attempt_at <= now()) then
    begin
      perform private.request_notification_sender();
    exception when others then
      raise warning '%', sqlerrm using hint = 'the notification_jobs rows are kept and sent once the secret exists';
    end;
  end if;
  return null;
end
$$;
comment on function private.wake_notification_sender() is 'Trigger: after a statement queues notification jobs that are due now, calls the send-notifications edge function through pg_net (a Database Webhook).';
revoke all on function private.wake_notification_sender() from public, anon, authenticated, service_role;

create trigger notification_jobs_wake_sender after insert on public.notification_jobs
  referencing new table as queued for each statement execute function private.wake_notification_sender();

-- cron.schedule replaces a job of the same name: the 10-second schedule the
-- baseline made where pg_cron existed becomes the 5-second sweep.
select cron.schedule('send-notifications', '5 seconds', 'select private.invoke_notification_sender()');
-- pg_cron keeps a row per run: a week is enough to see what happened.
select cron.schedule('cron-history-cleanup', '17 3 * * *',
  $$delete from cron.job_run_details where end_time < now() - interval '7 days'$$);
