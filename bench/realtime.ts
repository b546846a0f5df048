/**
 * `npm run bench:realtime`: live dashboards through the whole local stack.
 *
 * The load: 50 groups, each a program and a site (team sharing on) with one
 * referral made from the site to the program; subscriber i belongs to group
 * i mod 50, as a claimer of its program (even i / 50) or a member of its
 * site (odd). Each commit changes the status of one group's referral, so it
 * concerns about 1/50 of the subscribers (with 6 subscribers: 1/6, the
 * groups that have one). Subscribers are realtime-js clients, each with its
 * own socket and its own JWT (signed here with the stack's secret: the
 * Realtime service and RLS see exactly what a signed-in person's token
 * carries).
 *
 * Two paths on the same load:
 *   broadcast         what the app does: private topics program:<id> /
 *                     site:<id>, the referral trigger sends each change
 *                     (supabase/schemas/99_realtime.sql), the service reads
 *                     it from the replication stream and fans it out.
 *   postgres_changes  what the app did: every subscriber subscribes to
 *                     UPDATEs of public.referrals; the service authorises
 *                     each change under RLS for each distinct claims set.
 *                     (The broadcast triggers are disabled meanwhile.)
 *
 * Printed per path and size: commit → delivery p50/p95 (time the callback
 * runs − time the writer's COMMIT returned, same process, same clock),
 * database work per commit (transactions and active milliseconds from
 * pg_stat_database over the run, i.e. the writer's statement with its
 * triggers plus whatever the Realtime service asks Postgres), realtime
 * messages written per commit, and CPU of the whole stack (every process of
 * it: Postgres with its backends, the Realtime service, the gateway, ...)
 * per commit, and the same measured over as long without commits. The bench's own
 * clients run in this process and compete for the same two cores; the
 * status-change emails are switched off for the run (both paths alike).
 *
 * Starts its own stack on BENCH_REALTIME_BASE_PORT (default 22321) with a
 * fresh data directory; never touches `npm run dev`.
 * BENCH_SIZES=6,200,1000  BENCH_ROUNDS=100  BENCH_PATHS=broadcast,postgres_changes
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { RealtimeClient } from '@supabase/realtime-js';
import { SignJWT } from 'jose';
import pg from 'pg';
import WebSocket from 'ws';
import { KEYS, ROOT } from '../stack/config.ts';
import { startStack } from '../stack/stack.ts';
import { percentile, sleep } from './support.ts';

const base = Number(process.env.BENCH_REALTIME_BASE_PORT ?? 22321);
const dataDir = process.env.STACK_DATA_DIR ?? join(ROOT, `.stack-bench-realtime-${base}`);
const GROUPS = 50;
const SIZES = (process.env.BENCH_SIZES ?? '6,200,1000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const PATHS = (process.env.BENCH_PATHS ?? 'broadcast,postgres_changes').split(',') as Path[];
const TARGETS: Record<number, number> = { 6: 50, 200: 100, 1000: 150 };
type Path = 'broadcast' | 'postgres_changes';

const now = () => performance.timeOrigin + performance.now();


const CLK_TCK = 100;
/** CPU seconds of `roots` and all their descendants, including those that ended. */
function treeCpu(roots: number[]): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(f[1]));
      // utime + stime, plus cutime + cstime: the CPU of children it has
      // reaped (Postgres backends that ended meanwhile count through the postmaster).
      ticks.set(Number(name), Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
    } catch {
      // gone meanwhile
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, i = 0; p > 1 && i < 20; p = parent.get(p) ?? 0, i++) if (roots.includes(p)) return true;
    return false;
  };
  let total = 0;
  for (const [pid, t] of ticks) if (inTree(pid)) total += t;
  return total / CLK_TCK;
}

interface World {
  users: { id: string; group: number; claimer: boolean }[];
  programs: string[];
  sites: string[];
  referrals: string[];
}

/** 50 programs and sites (sharing on), one referral each, and `n` staff users spread over them. */
async function buildWorld(db: pg.Client, n: number): Promise<World> {
  const programs = Array.from({ length: GROUPS }, () => randomUUID());
  const sites = Array.from({ length: GROUPS }, () => randomUUID());
  const users = Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    group: i % GROUPS,
    claimer: Math.floor(i / GROUPS) % 2 === 0,
  }));
  // Who made each group's referral: a member of its site who does not subscribe.
  const referrers = Array.from({ length: GROUPS }, (_, g) => ({ id: randomUUID(), group: g, claimer: false }));
  const everyone = [...users, ...referrers];
  const seekers = Array.from({ length: GROUPS }, () => randomUUID());
  const referrals = Array.from({ length: GROUPS }, () => randomUUID());
  await db.query('begin');
  await db.query(
    `insert into public.sites (id, name, team_sharing) select id, 'Bench site ' || i, true from unnest($1::uuid[]) with ordinality t(id, i)`,
    [sites],
  );
  await db.query(
    `insert into public.programs (id, name, zip, team_sharing) select id, 'Bench program ' || i, '78702', false
       from unnest($1::uuid[]) with ordinality t(id, i)`,
    [programs],
  );
  await db.query(
    `insert into auth.users (instance_id, id, aud, role, email, created_at, updated_at)
     select '00000000-0000-0000-0000-000000000000', id, 'authenticated', 'authenticated', 'bench-' || id || '@bench.example', now(), now()
       from unnest($1::uuid[]) id`,
    [everyone.map((u) => u.id)],
  );
  // (a trigger on auth.users adds each profile)
  await db.query(
    `insert into public.program_members (program_id, user_id) select p, u from unnest($1::uuid[], $2::uuid[]) t(p, u)`,
    [users.filter((u) => u.claimer).map((u) => programs[u.group]), users.filter((u) => u.claimer).map((u) => u.id)],
  );
  await db.query(
    `insert into public.site_members (site_id, user_id) select s, u from unnest($1::uuid[], $2::uuid[]) t(s, u)`,
    [
      everyone.filter((u) => !u.claimer).map((u) => sites[u.group]),
      everyone.filter((u) => !u.claimer).map((u) => u.id),
    ],
  );
  await db.query(
    `insert into public.seekers (id, first_name, last_name, created_from_site_id)
       select id, 'Bench', 'Seeker ' || i, s from unnest($1::uuid[], $2::uuid[]) with ordinality t(id, s, i)`,
    [seekers, sites],
  );
  await db.query(
    `insert into public.referrals (id, seeker_id, program_id, from_site_id, referred_by)
       select r, s, p, f, b from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[]) t(r, s, p, f, b)`,
    [referrals, seekers, programs, sites, referrers.map((u) => u.id)],
  );
  await db.query('commit');
  return { users, programs, sites, referrals };
}

async function tokenFor(userId: string): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({
    sub: userId,
    role: 'authenticated',
    aud: 'authenticated',
    session_id: randomUUID(),
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: iat }],
    is_anonymous: false,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(new TextEncoder().encode(KEYS.jwtSecret));
}

interface Subscriber {
  group: number;
  client: RealtimeClient;
  /** referral id → times heard */
  heard: Map<string, number[]>;
}

async function subscribe(wsUrl: string, world: World, user: World['users'][number], path: Path): Promise<Subscriber> {
  const token = await tokenFor(user.id);
  const client = new RealtimeClient(wsUrl, {
    params: { apikey: KEYS.anonKey },
    transport: WebSocket as unknown as typeof globalThis.WebSocket,
    heartbeatIntervalMs: 25_000,
  });
  await client.setAuth(token);
  const sub: Subscriber = { group: user.group, client, heard: new Map() };
  const note = (id: unknown) => {
    if (typeof id !== 'string') return;
    const t = now();
    const list = sub.heard.get(id);
    if (list) list.push(t);
    else sub.heard.set(id, [t]);
  };
  const channel =
    path === 'broadcast'
      ? client
          .channel(user.claimer ? `program:${world.programs[user.group]}` : `site:${world.sites[user.group]}`, {
            config: { private: true },
          })
          .on('broadcast', { event: 'referrals' }, (m: { payload?: { record?: { id?: unknown } } }) =>
            note(m.payload?.record?.id),
          )
      : client
          .channel(`dashboard-${randomUUID()}`)
          .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'referrals' }, (p) =>
            note((p.new as { id?: unknown }).id),
          );
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`subscriber of group ${user.group} not subscribed`)), 60_000);
    channel.subscribe((s, err) => {
      if (s === 'SUBSCRIBED') {
        clearTimeout(t);
        resolve();
      } else if (s === 'CHANNEL_ERROR') {
        clearTimeout(t);
        reject(new Error(`join refused: ${err?.message}`));
      }
    });
  });
  return sub;
}

const REALTIME_FUNCTIONS = [
  'realtime_referral_changed',
  'realtime_note_changed',
  'realtime_history_added',
  'realtime_goal_changed',
  'realtime_seeker_changed',
  'realtime_visible',
]
  .map((f) => `'${f}'`)
  .join(', ');

async function dbStats(db: pg.Client) {
  // Backends report their statistics at most every second, idle ones within
  // ten: wait for them, then read.
  await sleep(11_000);
  await db.query('select pg_stat_clear_snapshot()');
  // Realtime's share of the database work: the broadcast triggers (with
  // realtime.send inside) or the service's authorisation statement
  // (pg_temp.realtime_visible, with the policies it evaluates inside), and the
  // calls of the caller's visibility facts that row level security makes.
  const r = await db.query<{ xacts: string; calls: string; fn_ms: number; msgs: string; rls: string }>(
    `select (select xact_commit + xact_rollback from pg_stat_database where datname = current_database()) as xacts,
            (select coalesce(sum(calls), 0) from pg_stat_user_functions where funcname in (${REALTIME_FUNCTIONS})) as calls,
            (select coalesce(sum(total_time), 0) from pg_stat_user_functions where funcname in (${REALTIME_FUNCTIONS})) as fn_ms,
            (select coalesce(sum(calls), 0) from pg_stat_user_functions
              where schemaname = 'private' and funcname in ('my_inbound_programs', 'my_outbound_scope', 'my_seeker_records')) as rls,
            (select coalesce(sum(n_tup_ins), 0) from pg_stat_all_tables where schemaname = 'realtime' and relname like 'messages_%') as msgs`,
  );
  const row = r.rows[0]!;
  const byFn = await db.query<{ f: string; calls: string }>(
    `select funcname as f, sum(calls) as calls from pg_stat_user_functions
      where funcname in (${REALTIME_FUNCTIONS}) group by funcname`,
  );
  return {
    byFn: new Map(byFn.rows.map((x) => [x.f, Number(x.calls)])),
    xacts: Number(row.xacts),
    calls: Number(row.calls),
    fnMs: Number(row.fn_ms),
    rls: Number(row.rls),
    msgs: Number(row.msgs),
  };
}

interface Result {
  path: Path;
  n: number;
  p50: number;
  p95: number;
  xactsPerCommit: number;
  callsPerCommit: number;
  fnMsPerCommit: number;
  rlsPerCommit: number;
  msgsPerCommit: number;
  cpuMsPerCommit: number;
  /** The stack's CPU over the same time without commits (heartbeats, polling), per commit's share. */
  idleCpuMsPerCommit: number;
  missing: number;
  leaked: number;
}

async function run(
  path: Path,
  n: number,
  wsUrl: string,
  world: World,
  db: pg.Client,
  stackPids: number[],
): Promise<Result> {
  process.stdout.write(`\n${path}, ${n} subscribers: subscribing...\n`);
  for (const table of ['referrals', 'referral_events']) {
    await db.query(
      `alter table public.${table} ${path === 'broadcast' ? 'enable' : 'disable'} trigger realtime_broadcast`,
    );
  }
  const subs: Subscriber[] = [];
  const users = world.users.slice(0, n);
  for (let i = 0; i < users.length; i += 25) {
    subs.push(...(await Promise.all(users.slice(i, i + 25).map((u) => subscribe(wsUrl, world, u, path)))));
  }
  await sleep(1000);
  const groups = Math.min(GROUPS, n);
  const before = await dbStats(db);
  const cpu0 = treeCpu(stackPids);
  const t0 = now();
  const latencies: number[] = [];
  let missing = 0;
  for (let k = 0; k < ROUNDS; k++) {
    const g = k % groups;
    const id = world.referrals[g]!;
    const expected = subs.filter((s) => s.group === g);
    const seenBefore = expected.map((s) => s.heard.get(id)?.length ?? 0);
    // Always a real status change (the history trigger writes an event).
    await db.query(
      `update public.referrals set status = case when status = 'pending' then 'eligible' else 'pending' end::public.referral_status where id = $1`,
      [id],
    );
    const committed = now();
    const deadline = committed + 5000;
    while (expected.some((s, i) => (s.heard.get(id)?.length ?? 0) <= seenBefore[i]!) && now() < deadline)
      await sleep(1);
    expected.forEach((s, i) => {
      const t = s.heard.get(id)?.[seenBefore[i]!];
      if (t === undefined) missing++;
      else latencies.push(t - committed);
    });
    await sleep(10);
  }
  const cpu = treeCpu(stackPids) - cpu0;
  const took = now() - t0;
  const after = await dbStats(db);
  // The same time without commits: what the stack does anyway (its services'
  // polling, the subscribers' heartbeats), subtracted below.
  const cpuIdle0 = treeCpu(stackPids);
  await sleep(took);
  const cpuIdle = treeCpu(stackPids) - cpuIdle0;
  const idle = await dbStats(db);
  // Deliveries to subscribers of other groups (none may see those referrals).
  let leaked = 0;
  for (const s of subs) for (const [id, times] of s.heard) if (id !== world.referrals[s.group]) leaked += times.length;
  for (const s of subs) {
    s.client.removeAllChannels();
    s.client.disconnect();
  }
  const r: Result = {
    path,
    n,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    xactsPerCommit: (after.xacts - before.xacts - (idle.xacts - after.xacts)) / ROUNDS,
    callsPerCommit: (after.calls - before.calls - (idle.calls - after.calls)) / ROUNDS,
    fnMsPerCommit: (after.fnMs - before.fnMs - (idle.fnMs - after.fnMs)) / ROUNDS,
    rlsPerCommit: (after.rls - before.rls - (idle.rls - after.rls)) / ROUNDS,
    msgsPerCommit: (after.msgs - before.msgs) / ROUNDS,
    cpuMsPerCommit: (cpu * 1000) / ROUNDS,
    idleCpuMsPerCommit: (cpuIdle * 1000) / ROUNDS,
    missing,
    leaked,
  };
  const f = (x: number) => x.toFixed(1);
  const perFn = [...after.byFn]
    .map(([name, calls]) => [name, (calls - (before.byFn.get(name) ?? 0)) / ROUNDS] as const)
    .filter(([, c]) => c > 0)
    .map(([name, c]) => `${name} ×${c.toFixed(1)}`)
    .join(', ');
  process.stdout.write(
    `${path}, ${n} subscribers, ${ROUNDS} commits, each for the ${n >= GROUPS ? n / GROUPS : 1} subscriber(s) of one group:\n` +
      `  commit → delivery  p50 ${f(r.p50)} ms  p95 ${f(r.p95)} ms  (${latencies.length} deliveries)\n` +
      `  database per commit (all of it): ${f(r.xactsPerCommit)} transactions\n` +
      `  realtime's part: ${f(r.callsPerCommit)} trigger/authorisation statements taking ${r.fnMsPerCommit.toFixed(2)} ms, ` +
      `${f(r.rlsPerCommit)} RLS evaluations of the caller's visibility facts, ${f(r.msgsPerCommit)} realtime.messages rows\n` +
      `  (per commit: ${perFn || 'none'})\n` +
      `  stack CPU per commit: ${f(r.cpuMsPerCommit)} ms (the same time without commits: ${f(r.idleCpuMsPerCommit)} ms)\n` +
      `  missing deliveries: ${missing}, deliveries to subscribers who may not see the change: ${leaked}\n`,
  );
  await sleep(2000);
  return r;
}

async function main() {
  rmSync(dataDir, { recursive: true, force: true });
  const stack = await startStack({ basePort: base, dataDir, fresh: true, log: () => undefined });
  const db = new pg.Client({ connectionString: stack.ctx.dbUrl });
  const results: Result[] = [];
  try {
    await db.connect();
    // Time spent in every SQL and PL/pgSQL function (triggers, realtime.send,
    // the visibility helpers the policies call, the service's check).
    await db.query(`alter system set track_functions = 'all'`);
    await db.query('select pg_reload_conf()');
    const world = await buildWorld(db, Math.max(...SIZES));
    // Status changes also queue emails; their sending would run during the
    // measurements of both paths alike. Off: the figures are realtime's.
    await db.query('alter table public.referrals disable trigger referrals_notify_status_changed');
    const wsUrl = `${stack.ctx.apiUrl.replace(/^http/, 'ws')}/realtime/v1`;
    for (const n of SIZES) for (const path of PATHS) results.push(await run(path, n, wsUrl, world, db, stack.pids()));
    process.stdout.write(
      `\nload average during the run: ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')} on ${cpus().length} cores\n\nsummary\n` +
        `| path | subscribers | p50 ms | p95 ms | target p95 | DB transactions / commit | realtime statements / commit | realtime DB ms / commit | RLS evaluations / commit | messages / commit | stack CPU ms / commit (idle) |\n` +
        `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n` +
        results
          .map(
            (r) =>
              `| ${r.path} | ${r.n} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.path === 'broadcast' ? `≤ ${TARGETS[r.n] ?? '–'}` : ''} | ` +
              `${r.xactsPerCommit.toFixed(1)} | ${r.callsPerCommit.toFixed(1)} | ${r.fnMsPerCommit.toFixed(2)} | ${r.rlsPerCommit.toFixed(1)} | ${r.msgsPerCommit.toFixed(1)} | ${r.cpuMsPerCommit.toFixed(1)} (${r.idleCpuMsPerCommit.toFixed(1)}) |`,
          )
          .join('\n') +
        '\n',
    );
    if (results.some((r) => r.leaked || r.missing)) process.exitCode = 1;
  } finally {
    await db.end().catch(() => undefined);
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
