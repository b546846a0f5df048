/**
 * `npm run bench:notifications`: how fast notification emails leave.
 *
 *   1. Latency: 50 status changes of R2, one at a time, each committed as Carl
 *      (with no grace period, so the figure is the path's own, not the wait)
 *      (as PostgREST would: role authenticated, his JWT claims). Each enqueues
 *      two emails (Rita, Wendy) in the same transaction; the outbox trigger
 *      queues a pg_net call of send-notifications, which the stack's pg_net
 *      worker sends at commit; the function sends by SMTP to the mail catcher. Latency = the catcher's receive time of the
 *      change's last email − the moment COMMIT returned (same machine clock).
 *   2. Throughput: with the workers (pg_cron, pg_net) stopped, 500 changes enqueue a backlog of
 *      1,000 jobs; then send-notifications is called until the outbox is
 *      empty. Emails per second = 1,000 / (time until the 1,000th email is in
 *      the catcher).
 *
 * Starts its own stack on BENCH_NOTIFICATIONS_BASE_PORT (default 23321) with
 * a fresh data directory; never touches `npm run dev`.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { KEYS, ROOT } from '../stack/config.ts';
import { startStack } from '../stack/stack.ts';
import { changeStatusAs, percentile, sleep, withoutGracePeriod } from './support.ts';

const base = Number(process.env.BENCH_NOTIFICATIONS_BASE_PORT ?? 23321);
const dataDir = join(ROOT, `.stack-bench-notifications-${base}`);
const R2 = '50000000-0000-4000-8000-000000000002';
const CARL = '10000000-0000-4000-8000-000000000007';
const CHANGES = Number(process.env.BENCH_CHANGES ?? 50);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 1000);



type CaughtMail = { id: string };

async function main() {
  const stack = await startStack({ basePort: base, dataDir, fresh: true });
  const { ctx } = stack;
  const mailApi = `http://127.0.0.1:${ctx.ports.mailWeb}/api/email`;
  const listMail = async () => (await (await fetch(mailApi)).json()) as CaughtMail[];
  const clearMail = () => fetch(`${mailApi}/all`, { method: 'DELETE' });
  const db = new pg.Client({ connectionString: ctx.dbUrl });
  await db.connect();
  await withoutGracePeriod(db);

  /** One status change as Carl, through the same path PostgREST takes; resolves when COMMIT returns. */
  const changeAsCarl = (status: string) => changeStatusAs(db, CARL, R2, status);

  const outboxEmpty = async () =>
    Number(
      (await db.query(`select count(*) as n from public.notification_jobs where state in ('pending', 'sending')`)).rows[0]
        .n,
    ) === 0;

  try {
    // Warm up: the first call boots the function's Deno worker.
    await changeAsCarl('eligible');
    for (let i = 0; i < 400 && (!(await outboxEmpty()) || (await listMail()).length < 2); i++) await sleep(25);
    await sleep(200);

    // 1. commit → email in the catcher
    const latencies: number[] = [];
    const firstLatencies: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      await clearMail();
      const committed = await changeAsCarl(i % 2 === 0 ? 'pending' : 'eligible');
      // The catcher's own timestamps have whole-second precision, so its list
      // is polled (every ~2 ms) and arrival is when an email is first seen.
      let first = 0;
      let count = 0;
      const deadline = Date.now() + 15_000;
      while (count < 2 && Date.now() < deadline) {
        await sleep(2);
        count = (await listMail()).length;
        if (count >= 1 && !first) first = Date.now();
      }
      if (count < 2) throw new Error(`change ${i}: only ${count} of 2 emails arrived`);
      latencies.push(Date.now() - committed);
      firstLatencies.push(first - committed);
    }

    // 2. throughput on a backlog
    await stack.stopService('workers');
    for (let i = 0; i < 400 && !(await outboxEmpty()); i++) await sleep(25);
    await clearMail();
    const changes = Math.ceil(BACKLOG / 2);
    await db.query('begin');
    await db.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: CARL, role: 'authenticated' })]);
    await db.query('set local role authenticated');
    for (let i = 0; i < changes; i++) {
      await db.query(`update public.referrals set status = $1 where id = $2`, [i % 2 === 0 ? 'pending' : 'eligible', R2]);
    }
    await db.query('commit');
    const backlog = Number(
      (await db.query(`select count(*) as n from public.notification_jobs where state = 'pending'`)).rows[0].n,
    );

    const started = Date.now();
    let calls = 0;
    while (!(await outboxEmpty())) {
      calls++;
      const res = await fetch(`${ctx.apiUrl}/functions/v1/send-notifications`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${KEYS.serviceRoleKey}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      if (!res.ok) throw new Error(`send-notifications answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
    let caught = (await listMail()).length;
    while (caught < backlog && Date.now() - started < 120_000) {
      await sleep(20);
      caught = (await listMail()).length;
    }
    const drainedMs = Date.now() - started;
    const failed = Number(
      (await db.query(`select count(*) as n from public.notification_jobs where state <> 'sent'`)).rows[0].n,
    );

    // For scale: how fast the mail catcher itself accepts mail over SMTP
    // (same pool size, no database, no rendering).
    await clearMail();
    const raw = nodemailer.createTransport({
      host: '127.0.0.1',
      port: ctx.ports.smtp,
      ignoreTLS: true,
      pool: true,
      maxConnections: 10,
      maxMessages: Infinity,
    });
    const RAW = 300;
    const rawStarted = Date.now();
    let sentRaw = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (sentRaw < RAW) {
          sentRaw++;
          await raw.sendMail({ from: 'bench@referrals.localhost', to: 'sink@referrals.localhost', subject: 'bench', text: 'x'.repeat(1500), html: `<p>${'x'.repeat(3000)}</p>` });
        }
      }),
    );
    raw.close();
    const rawPerSecond = RAW / ((Date.now() - rawStarted) / 1000);

    const r = (n: number) => Math.round(n);
    console.log(`\nNotifications benchmark (stack on ${ctx.apiUrl})`);
    console.log(`  commit → email in the catcher, ${CHANGES} changes (2 recipients each):`);
    console.log(`    every recipient's email: p50 ${r(percentile(latencies, 50))} ms, p95 ${r(percentile(latencies, 95))} ms, max ${r(Math.max(...latencies))} ms`);
    console.log(`    first email:             p50 ${r(percentile(firstLatencies, 50))} ms, p95 ${r(percentile(firstLatencies, 95))} ms`);
    console.log(`  sender throughput on a backlog of ${backlog} jobs:`);
    console.log(`    ${caught} emails in the catcher in ${drainedMs} ms = ${(caught / (drainedMs / 1000)).toFixed(0)} emails/s (${calls} call(s) of send-notifications; ${failed} job(s) not sent)`);
    console.log(`    (the mail catcher alone accepts about ${rawPerSecond.toFixed(0)} emails/s over SMTP from Node with the same pool)`);
    console.log(
      JSON.stringify({
        catcherAlonePerSecond: Number(rawPerSecond.toFixed(1)),
        latencyMs: { p50: r(percentile(latencies, 50)), p95: r(percentile(latencies, 95)), max: r(Math.max(...latencies)) },
        firstEmailMs: { p50: r(percentile(firstLatencies, 50)), p95: r(percentile(firstLatencies, 95)) },
        throughput: { jobs: backlog, emails: caught, ms: drainedMs, perSecond: Number((caught / (drainedMs / 1000)).toFixed(1)) },
      }),
    );
  } finally {
    await db.end().catch(() => undefined);
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
