/**
 * `npm run bench:texts`: commit → text in the SMS catcher.
 *
 * Rita asks for texts; 50 status changes of R2, one at a time, each committed
 * as Carl (as PostgREST would: role authenticated, his JWT claims), enqueue a
 * text to her and an email to Wendy in the same transaction; the outbox
 * trigger queues a pg_net call of send-notifications, which the stack's
 * workers send at commit; the function sends the text through Twilio's API to
 * the stack's SMS catcher. Latency = the catcher's receive time of the text −
 * the moment COMMIT returned (same machine clock). Safe Haven's clock is set
 * to midday so quiet hours do not hold the texts, and the grace period of a
 * status change (30 s by default) is set to 0: this measures the path, not
 * the deliberate wait. Prints p50 and p95.
 *
 * Starts its own stack on BENCH_TEXTS_BASE_PORT (default 22821) with a fresh
 * data directory; never touches `npm run dev`.
 */
import { join } from 'node:path';
import pg from 'pg';
import { ROOT } from '../stack/config.ts';
import { startStack } from '../stack/stack.ts';
import { changeStatusAs, percentile, sleep, withoutGracePeriod } from './support.ts';

const base = Number(process.env.BENCH_TEXTS_BASE_PORT ?? 22821);
const dataDir = process.env.STACK_DATA_DIR ?? join(ROOT, `.stack-bench-texts-${base}`);
const R2 = '50000000-0000-4000-8000-000000000002';
const RITA = '40000000-0000-4000-8000-000000000002';
const SAFE_HAVEN = '30000000-0000-4000-8000-000000000002';
const CARL = '10000000-0000-4000-8000-000000000007';
const RITA_PHONE = '+15125550142';
const CHANGES = Number(process.env.BENCH_CHANGES ?? 50);



type Text = { id: string; to: string; date: string; direction: string };

async function main() {
  const stack = await startStack({ basePort: base, dataDir, fresh: true });
  const { ctx } = stack;
  const smsApi = `http://127.0.0.1:${ctx.ports.sms}/api/sms`;
  const textsToRita = async () =>
    ((await (await fetch(smsApi)).json()) as Text[]).filter(
      (t) => t.to === RITA_PHONE && t.direction === 'outbound-api',
    );
  const db = new pg.Client({ connectionString: ctx.dbUrl });
  await db.connect();
  const off = ((13 - new Date().getUTCHours() + 36) % 24) - 12;
  const midday = off === 0 ? 'Etc/GMT' : `Etc/GMT${off > 0 ? '-' : '+'}${Math.abs(off)}`;
  await db.query(`update public.programs set time_zone = $1 where id = $2`, [midday, SAFE_HAVEN]);
  await withoutGracePeriod(db);
  await db.query(`update public.seekers set preferred_contact = 'text', phone = '(512) 555-0142' where id = $1`, [
    RITA,
  ]);

  const changeAsCarl = (status: string) => changeStatusAs(db, CARL, R2, status);
  const waitForText = async (n: number) => {
    for (let i = 0; i < 800; i++) {
      const texts = await textsToRita();
      if (texts.length >= n) return texts[n - 1]!;
      await sleep(10);
    }
    throw new Error(`text ${n} never arrived`);
  };

  try {
    // Warm up: the first call boots the function's Deno worker.
    await changeAsCarl('eligible');
    await waitForText(1);
    const latencies: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const committed = await changeAsCarl(i % 2 === 0 ? 'pending' : 'eligible');
      const text = await waitForText(i + 2);
      latencies.push(Date.parse(text.date) - committed);
      await sleep(50);
    }
    console.log(`commit → text in the SMS catcher, ${CHANGES} changes (one text each):`);
    console.log(
      `  p50 ${percentile(latencies, 50)} ms   p95 ${percentile(latencies, 95)} ms   max ${Math.max(...latencies)} ms`,
    );
  } finally {
    await db.end();
    await stack.stop();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
