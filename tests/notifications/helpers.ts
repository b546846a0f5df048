/** Shared steps of the notification tests: ids of the seeded world, waiting for the outbox to settle. */
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
    // say why: the jobs still waiting and what the notifier last saw
    const jobs = await sql(
      `select recipient_kind, channel, state, tries, last_error, next_attempt_at, locked_until
         from public.notification_jobs where state in ('pending', 'sending')`,
    );
    const notifier = await fetch(`http://127.0.0.1:${env.ports.notifier}/health`)
      .then((r) => r.text())
      .catch((e: unknown) => `unreachable: ${String(e)}`);
    throw new Error(`${(err as Error).message}\njobs: ${JSON.stringify(jobs)}\nnotifier: ${notifier}`, { cause: err });
  }
  // a message accepted by SMTP is in the catcher's list almost at once
  await sleep(150);
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
