/** Shared steps of the notification tests: ids of the seeded world, waiting for the outbox to settle. */
import { expect } from 'vitest';
import { env, mail, sql, type Mail } from '../support/stack.ts';

export const R1 = '50000000-0000-4000-8000-000000000001';
export const R2 = '50000000-0000-4000-8000-000000000002';
export const R3 = '50000000-0000-4000-8000-000000000003';
export const R4 = '50000000-0000-4000-8000-000000000004';
export const RITA = '40000000-0000-4000-8000-000000000002';
export const SAM = '40000000-0000-4000-8000-000000000001';
export const OMAR = '40000000-0000-4000-8000-000000000003';
export const SAFE_HAVEN = '30000000-0000-4000-8000-000000000002';
export const HARBOR = '30000000-0000-4000-8000-000000000001';
export const EASTSIDE = '20000000-0000-4000-8000-000000000001';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A time zone whose local hour is `hour` right now (Etc/GMT zones keep no summer time): texts respect quiet hours. */
export function zoneAtHour(hour: number): string {
  const off = ((hour - new Date().getUTCHours() + 36) % 24) - 12;
  return off === 0 ? 'Etc/GMT' : `Etc/GMT${off > 0 ? '-' : '+'}${Math.abs(off)}`;
}

/** Every program's clock at midday, so texts go at once whatever the hour of the test run. */
export async function daytimeEverywhere(): Promise<void> {
  await sql('update public.programs set time_zone = $1', [zoneAtHour(13)]);
}

export async function waitUntil<T>(
  what: string,
  fn: () => Promise<T | undefined | false | null>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Waits until no job is waiting or being sent (retries included), then a moment more. */
export async function outboxSettled(timeoutMs = 20_000): Promise<void> {
  try {
    await waitUntil(
      'the outbox to drain',
      async () => {
        const [row] = await sql<{ n: string }>(
          `select count(*) as n from public.notification_jobs where state in ('pending', 'sending')`,
        );
        return Number(row!.n) === 0;
      },
      timeoutMs,
    );
  } catch (err) {
    // say why: the jobs still waiting, the sender's last calls (pg_net) and sweeps (pg_cron)
    const jobs = await sql(
      `select recipient_kind, channel, state, tries, last_error, next_attempt_at, locked_until
         from public.notification_jobs where state in ('pending', 'sending')`,
    );
    const calls = await sql(
      `select id, status_code, error_msg, left(content, 200) as content from net._http_response order by id desc limit 3`,
    );
    const sweeps = await sql(
      `select d.status, d.return_message from cron.job_run_details d join cron.job j using (jobid)
        where j.jobname = 'send-notifications' order by d.runid desc limit 3`,
    );
    const workers = await fetch(`http://127.0.0.1:${env.ports.workers}/health`)
      .then((r) => r.text())
      .catch((e: unknown) => `unreachable: ${String(e)}`);
    throw new Error(
      `${(err as Error).message}\njobs: ${JSON.stringify(jobs)}\nsender calls: ${JSON.stringify(calls)}\n` +
        `sweeps: ${JSON.stringify(sweeps)}\nworkers: ${workers}`,
      { cause: err },
    );
  }
  // a message accepted by SMTP is in the catcher's list almost at once
  await sleep(150);
}

/** The id of the newest pg_net request (0 when none): later ones are calls made after this moment. */
export async function lastRequestId(): Promise<number> {
  const [row] = await sql<{ id: string | null }>(
    `select greatest((select max(id) from net._http_response), (select max(id) from net.http_request_queue)) as id`,
  );
  return Number(row?.id ?? 0);
}

/**
 * Waits until send-notifications has answered a call made after `afterId`
 * (lastRequestId()), and returns its JSON answer: the positive event after
 * which a message that was going to be sent would have been sent.
 */
export async function senderAnswered(afterId: number, timeoutMs = 20_000): Promise<unknown> {
  const [row] = await waitUntil(
    'send-notifications to be called and answer',
    () =>
      sql<{ status_code: number; content: string }>(
        `select status_code, content from net._http_response
          where id > $1 and status_code is not null order by id limit 1`,
        [afterId],
      ).then((rows) => (rows.length ? rows : undefined)),
    timeoutMs,
  );
  expect(row!.status_code).toBe(200);
  return JSON.parse(row!.content) as unknown;
}

/** Waits until a pg_cron run of the send-notifications sweep that started after `t` has finished. */
export async function sweepRanAfter(t: Date, timeoutMs = 20_000): Promise<void> {
  await waitUntil(
    'a send-notifications sweep',
    async () =>
      (
        await sql(
          `select 1 from cron.job_run_details d join cron.job j using (jobid)
            where j.jobname = 'send-notifications' and d.start_time > $1 and d.status = 'succeeded' limit 1`,
          [t],
        )
      ).length > 0,
    timeoutMs,
  );
}

export async function jobsOf(referralId: string) {
  return sql<{
    recipient_kind: string;
    channel: string;
    address: string | null;
    state: string;
    tries: number;
    last_error: string | null;
    provider_message_id: string | null;
    idempotency_key: string;
  }>(
    `select recipient_kind, channel, address, state, tries, last_error, provider_message_id, idempotency_key
       from public.notification_jobs where referral_id = $1 order by created_at, address`,
    [referralId],
  );
}

export function recipients(mails: Mail[]): string[] {
  return mails.flatMap((m) => m.to.map((t) => t.address.toLowerCase())).sort();
}

/** The one-click link for a status in an email's text part. */
export function oneClickLink(m: Mail, status: string): string {
  const match = new RegExp(`(https?://\\S+/r/[0-9a-f]{32}\\.${status}\\.[A-Za-z0-9_-]{43})`).exec(m.text);
  if (!match) throw new Error(`no ${status} link in "${m.subject}"`);
  return match[1]!;
}

export function tokenOf(link: string): string {
  return decodeURIComponent(link.split('/r/')[1]!);
}

/** Resets the data, waits out anything in flight and empties the mail catcher. */
export async function freshWorld(resetDb: () => Promise<void>): Promise<void> {
  await resetDb();
  await outboxSettled();
  await mail.clear();
}
