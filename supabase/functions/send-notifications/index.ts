// send-notifications: drains the notification outbox.
//
// Called with the service-role key only, the same way locally and on hosted
// Supabase (supabase/schemas/90_notifications.sql): a trigger on the outbox calls
// it through pg_net when a message is queued, and a pg_cron job sweeps for
// messages that are due later or are retried. Each call claims due jobs in batches
// (claim_notification_jobs: FOR UPDATE SKIP LOCKED, leased), renders them in
// the recipient's language, sends them and reports each outcome at once
// (finish_notification_job), until nothing is due or the time budget is spent.
// Several calls at once are safe: they never claim the same job.
//
// The service-role key is needed here, and only here, because the claim and
// finish functions are executable by service_role alone.
import { createClient } from 'npm:@supabase/supabase-js@2.119.0';
import { renderEmail, renderSms, type ClaimedJob } from '../_shared/render.ts';
import {
  NO_SMS_PROVIDER,
  PermanentSendError,
  emailTransportFromEnv,
  smsProviderFromEnv,
} from '../_shared/transports.ts';
import { isServiceRole } from '../_shared/service-role.ts';

const env = (k: string) => Deno.env.get(k);
const SERVICE_ROLE_KEY = env('SUPABASE_SERVICE_ROLE_KEY')!;
const SITE_URL = env('SB_SITE_URL') || env('SITE_URL') || 'http://127.0.0.1:5173';
const BATCH = Number(env('NOTIFICATIONS_BATCH') || 50);
const CONCURRENCY = Number(env('NOTIFICATIONS_CONCURRENCY') || 20);
const BUDGET_MS = Number(env('NOTIFICATIONS_BUDGET_MS') || 20000);
const LEASE_SECONDS = 60;

const supabase = createClient(env('SUPABASE_URL')!, SERVICE_ROLE_KEY, {
  auth: { persistSession: false, autoRefreshToken: false },
});
// Created once per worker so the SMTP connection pool outlives a request.
const emailTransport = emailTransportFromEnv(env);
const smsProvider = smsProviderFromEnv(env);

type Outcome = 'sent' | 'not_sent' | 'failed' | 'rejected';

async function finish(job: ClaimedJob, outcome: Outcome, messageId?: string, error?: string) {
  const { data, error: rpcError } = await supabase.rpc('finish_notification_job', {
    p_job_id: job.id,
    p_outcome: outcome,
    p_provider_message_id: messageId ?? null,
    p_error: error ?? null,
  });
  if (rpcError) {
    // The job stays claimed; its lease expires and it is claimed again.
    console.error(`could not record ${outcome} for job ${job.id}: ${rpcError.message}`);
    return 'unrecorded';
  }
  return String(data);
}

/** Where the provider reports a text's delivery state: sms-status, naming the job. */
function statusCallbackUrl(jobId: string): string {
  const base = env('SMS_STATUS_CALLBACK_URL') || `${env('SUPABASE_URL')!.replace(/\/+$/, '')}/functions/v1/sms-status`;
  return `${base}?job=${encodeURIComponent(jobId)}`;
}

/**
 * A text: asks the database first whether it may go now (the number may
 * have replied STOP since it was queued; quiet hours may have begun: then the
 * job waits until 08:00 without counting a try) and for the one-click token
 * it carries; sends it; records the provider's first delivery state.
 */
async function deliverText(job: ClaimedJob): Promise<string> {
  if (!smsProvider) return await finish(job, 'not_sent', undefined, NO_SMS_PROVIDER);
  const { data, error } = await supabase.rpc('prepare_text_job', { p_job_id: job.id });
  if (error) return await finish(job, 'failed', undefined, `could not prepare the text: ${error.message}`);
  const prep = data as { skip?: string; held_until?: string; link?: string | null };
  if (prep.skip === 'not claimed') return 'skipped';
  if (prep.skip) return await finish(job, 'not_sent', undefined, prep.skip);
  if (prep.held_until) return 'held';
  const res = await smsProvider.send(job.address ?? '', renderSms(job, SITE_URL, prep.link), job.idempotency_key, {
    statusCallback: statusCallbackUrl(job.id),
  });
  const state = await finish(job, 'sent', res.providerMessageId);
  if (res.status) {
    await supabase.rpc('record_text_delivery', {
      p_job_id: job.id,
      p_message_sid: res.providerMessageId,
      p_status: res.status,
    });
  }
  return state;
}

async function deliver(job: ClaimedJob): Promise<string> {
  try {
    if (job.channel === 'sms') return await deliverText(job);
    if (!emailTransport) return await finish(job, 'failed', undefined, 'no email transport configured');
    const email = renderEmail(job, SITE_URL);
    const res = await emailTransport.send({
      to: job.address ?? '',
      subject: email.subject,
      text: email.text,
      html: email.html,
      idempotencyKey: job.idempotency_key,
      language: job.language,
    });
    // Marked right after the provider accepted it: the window for a repeat
    // is this one round trip, and the repeat carries the same key.
    return await finish(job, 'sent', res.providerMessageId);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return await finish(job, err instanceof PermanentSendError ? 'rejected' : 'failed', undefined, message);
  }
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

Deno.serve(async (req: Request) => {
  if (req.method !== 'POST') return Response.json({ error: 'Use POST' }, { status: 405 });
  if (!isServiceRole(req, SERVICE_ROLE_KEY)) {
    return Response.json({ error: 'Only the service role may send notifications' }, { status: 403 });
  }
  const started = Date.now();
  const counts: Record<string, number> = { claimed: 0 };
  while (Date.now() - started < BUDGET_MS) {
    // Texts due in quiet hours (21:00–08:00, the program's clock) wait until 08:00.
    const held = await supabase.rpc('hold_quiet_texts');
    if (held.error) console.error(`quiet hours not applied: ${held.error.message}`);
    const { data, error } = await supabase.rpc('claim_notification_jobs', {
      p_limit: BATCH,
      p_lease_seconds: LEASE_SECONDS,
    });
    if (error) {
      console.error(`claim failed: ${error.message}`);
      return Response.json({ error: error.message, ...counts }, { status: 500 });
    }
    const jobs = (data ?? []) as ClaimedJob[];
    if (jobs.length === 0) break;
    counts.claimed += jobs.length;
    const states = await mapLimit(jobs, CONCURRENCY, deliver);
    for (const s of states) counts[s] = (counts[s] ?? 0) + 1;
    if (jobs.length < BATCH) break;
  }
  return Response.json({ ...counts, ms: Date.now() - started, transport: emailTransport?.name ?? null });
});
