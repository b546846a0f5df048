/**
 * `npm run bench:realtime`: commit → delivery latency of postgres_changes
 * through the whole local stack (Postgres → logical slot → RLS check → WebSocket
 * → supabase-js callback), with 6 and with 200 subscribed clients signed in as
 * different seeded personas (each client its own session, so each has its own
 * JWT claims), and the CPU the Realtime service uses meanwhile.
 *
 * Starts its own stack on BENCH_REALTIME_BASE_PORT (default 22321) with a
 * fresh data directory; never touches `npm run dev`.
 * Latency = time the subscriber's callback runs − time the writer's COMMIT
 * returned (same process, same clock).
 */
import { readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { KEYS, ROOT } from '../stack/config.ts';
import { startStack } from '../stack/stack.ts';

const base = Number(process.env.BENCH_REALTIME_BASE_PORT ?? 22321);
const dataDir = join(ROOT, `.stack-bench-realtime-${base}`);
const R1 = '50000000-0000-4000-8000-000000000001';
const PERSONAS = [
  'helen@eastside.example',
  'clara@harbor.example',
  'sam@seeker.example',
  'walter@westside.example',
  'henry@eastside.example',
  'carl@safehaven.example',
  'cody@harbor.example',
];
/** Who may read R1 (and so must hear each change). */
const HEARS_R1 = new Set([
  'helen@eastside.example',
  'henry@eastside.example',
  'clara@harbor.example',
  'cody@harbor.example',
  'sam@seeker.example',
]);

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}
const CLK_TCK = 100;

interface Subscriber {
  email: string;
  client: SupabaseClient;
  received: number[];
}

async function subscribe(apiUrl: string, email: string): Promise<Subscriber> {
  const client = createClient(apiUrl, KEYS.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
  });
  const { error } = await client.auth.signInWithPassword({ email, password: 'password123' });
  if (error) throw new Error(`sign-in ${email}: ${error.message}`);
  const sub: Subscriber = { email, client, received: [] };
  const ch = client
    .channel(`bench-${Math.random().toString(36).slice(2)}`)
    .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'referrals' }, (p) => {
      if ((p.new as { id?: string }).id === R1) sub.received.push(now());
    });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${email} not subscribed`)), 20_000);
    ch.subscribe((s) => {
      if (s === 'SUBSCRIBED') {
        clearTimeout(t);
        resolve();
      }
    });
  });
  return sub;
}

async function run(label: string, apiUrl: string, db: pg.Client, realtimePid: number, n: number, rounds: number) {
  process.stdout.write(`\n${label}: signing in and subscribing ${n} clients...\n`);
  const subs: Subscriber[] = [];
  const batch = 10;
  for (let i = 0; i < n; i += batch) {
    const emails = Array.from({ length: Math.min(batch, n - i) }, (_, j) => PERSONAS[(i + j) % PERSONAS.length]!);
    subs.push(...(await Promise.all(emails.map((e) => subscribe(apiUrl, e)))));
  }
  const hearers = subs.filter((s) => HEARS_R1.has(s.email));
  const others = subs.filter((s) => !HEARS_R1.has(s.email));
  await sleep(500);

  const latencies: number[] = [];
  const statuses = ['pending', 'eligible'];
  const ticks0 = cpuTicks(realtimePid);
  const wall0 = now();
  let missing = 0;
  for (let k = 0; k < rounds; k++) {
    await db.query('update public.referrals set status = $1 where id = $2', [statuses[k % 2], R1]);
    const committed = now();
    const deadline = committed + 5000;
    while (hearers.some((s) => s.received.length <= k) && now() < deadline) await sleep(1);
    for (const s of hearers) {
      const t = s.received[k];
      if (t === undefined) {
        missing++;
        s.received[k] = NaN;
      } else latencies.push(t - committed);
    }
    if (process.env.BENCH_DEBUG)
      process.stdout.write(`  round ${k}: ${hearers.map((s) => s.received.length).join(',')}\n`);
    await sleep(20);
  }
  const wall = (now() - wall0) / 1000;
  const cpu = (cpuTicks(realtimePid) - ticks0) / CLK_TCK;
  const leaked = others.reduce((a, s) => a + s.received.length, 0);

  const f = (x: number) => `${x.toFixed(1)} ms`;
  process.stdout.write(
    `${label}: ${rounds} commits × ${hearers.length} entitled subscribers (${others.length} others not entitled)\n` +
      `  commit → delivery  p50 ${f(percentile(latencies, 50))}  p95 ${f(percentile(latencies, 95))}  max ${f(Math.max(...latencies))}\n` +
      `  realtime service CPU: ${cpu.toFixed(2)} s over ${wall.toFixed(1)} s = ${((cpu / wall) * 100).toFixed(1)}% of one core ` +
      `(${((cpu * 1000) / rounds).toFixed(1)} ms per commit)\n` +
      `  missing deliveries: ${missing}, deliveries to people without access: ${leaked}\n`,
  );
  await Promise.all(subs.map((s) => s.client.removeAllChannels()));
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), cpu, wall, missing, leaked };
}

async function main() {
  rmSync(dataDir, { recursive: true, force: true });
  const stack = await startStack({ basePort: base, dataDir, fresh: true, log: () => undefined });
  const db = new pg.Client({ connectionString: stack.ctx.dbUrl });
  try {
    await db.connect();
    // BENCH_SYNC_COMMIT=1: the writer commits synchronously (as hosted Postgres does).
    if (process.env.BENCH_SYNC_COMMIT) await db.query('set synchronous_commit = on');
    const realtimePid = stack.pids().find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('realtime/main.ts');
      } catch {
        return false;
      }
    });
    if (!realtimePid) throw new Error('realtime service process not found');
    const small = await run(
      '6 subscribers',
      stack.ctx.apiUrl,
      db,
      realtimePid,
      6,
      Number(process.env.BENCH_ROUNDS_SMALL ?? 100),
    );
    const large = await run(
      '200 subscribers',
      stack.ctx.apiUrl,
      db,
      realtimePid,
      200,
      Number(process.env.BENCH_ROUNDS_LARGE ?? 50),
    );
    process.stdout.write(
      `\nload average during the run: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')} on ${cpus().length} cores\n`,
    );
    process.stdout.write(
      `\nsummary: 6 subscribers p50 ${small.p50.toFixed(1)} ms / p95 ${small.p95.toFixed(1)} ms (target ≤ 50); ` +
        `200 subscribers p50 ${large.p50.toFixed(1)} ms / p95 ${large.p95.toFixed(1)} ms (target ≤ 200)\n`,
    );
    if (small.leaked || large.leaked || small.missing || large.missing) process.exitCode = 1;
  } finally {
    await db.end().catch(() => undefined);
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  // supabase-js clients keep timers; the figures are printed.
  setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
