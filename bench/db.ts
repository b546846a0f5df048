/**
 * `npm run bench`: the dashboard queries through the gateway, as the browser
 * calls them (supabase-js, signed in as a seeded person, RLS deciding what
 * they see), and the same rows read with the service role (no RLS, the
 * visibility written out as explicit filters). Prints p50/p95 per query and
 * the RLS/no-RLS ratio. Run against a stack filled with
 * `npm run db:seed:scale -- --referrals 1000000`.
 *
 * Then run_response_clocks (the minute's sweep of reminders and
 * escalations) with --clock-due referrals due at once (default 10,000): each
 * run in a transaction rolled back afterwards, so it can be repeated.
 *
 *   STACK_BASE_PORT=54321 npm run bench -- [--iterations 200] [--warmup 20] [--json out.json] [--only inbound]
 *                                          [--clock-runs 5] [--clock-due 10000]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { SignJWT } from 'jose';
import { REFERRAL_COLUMNS, SEEKER_EMBED } from '../src/features/referrals/api/columns.ts';
import { DEFAULT_BASE_PORT, KEYS, dbUrl, portsFrom } from '../stack/config.ts';
import { percentile } from './support.ts';

const U = {
  helen: '10000000-0000-4000-8000-000000000001',
  clara: '10000000-0000-4000-8000-000000000005',
  carl: '10000000-0000-4000-8000-000000000007',
};
const EASTSIDE = '20000000-0000-4000-8000-000000000001';
const HARBOR = '30000000-0000-4000-8000-000000000001';
const SAFE_HAVEN = '30000000-0000-4000-8000-000000000002';

// what the dashboards select
const LIST = `${REFERRAL_COLUMNS}, ${SEEKER_EMBED}`;

type Client = SupabaseClient;
interface Result {
  data: unknown;
  error: unknown;
}
interface Case {
  name: string;
  persona: string;
  asPersona: (c: Client) => PromiseLike<Result>;
  /** The same rows read with the service role; absent where PostgREST's filters cannot write the rule out. */
  asService?: (c: Client) => PromiseLike<Result>;
  /** The service-role twin's client, when it is not the plain service role. */
  service?: Client;
  /** Without a twin: the ids the persona must get, read beforehand with the rule written out in SQL. */
  expected?: string[];
}

async function time(fn: () => PromiseLike<Result>): Promise<[number, Result]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

const ids = (r: Result): string[] => {
  // a single JSON answer (a report) is compared whole
  if (r.data && typeof r.data === 'object' && !Array.isArray(r.data) && !('id' in r.data)) {
    return [JSON.stringify(r.data)];
  }
  const d = r.data as { id: string }[] | null;
  return (Array.isArray(d) ? d : d ? [d] : []).map((x) => x.id);
};

async function main() {
  const { values } = parseArgs({
    options: {
      iterations: { type: 'string', default: '200' },
      warmup: { type: 'string', default: '20' },
      json: { type: 'string' },
      only: { type: 'string' },
      'clock-runs': { type: 'string', default: '5' },
      'clock-due': { type: 'string', default: '10000' },
    },
  });
  const iterations = Number(values.iterations);
  const warmup = Number(values.warmup);
  const base = process.env.STACK_BASE_PORT ? Number(process.env.STACK_BASE_PORT) : DEFAULT_BASE_PORT;
  const ports = portsFrom(base);
  const apiUrl = `http://127.0.0.1:${ports.api}`;
  const opts = {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
  };

  const db = new pg.Client({ connectionString: dbUrl(ports.db) });
  await db.connect();
  const [{ n: referralCount }] = (await db.query('select count(*)::int as n from public.referrals')).rows;
  // a seeker Helen helps (through Eastside's shared referrals) with several referrals
  const [{ seeker_id: profileSeeker }] = (
    await db.query(
      `select seeker_id from public.referrals where from_site_id = $1
        group by seeker_id order by count(*) desc, seeker_id limit 1`,
      [EASTSIDE],
    )
  ).rows;
  // a phone number as someone would type it, of a person Helen helps
  const [{ phone: helenPhone }] = (
    await db.query(
      `select s.phone from public.referrals r join public.seekers s on s.id = r.seeker_id
        where r.from_site_id = $1 and s.phone is not null order by r.created_at desc limit 1`,
      [EASTSIDE],
    )
  ).rows;
  const phoneDigits = String(helenPhone).replace(/\D/g, '').slice(-7);
  // What each persona reaches (05_visibility.sql), read as the superuser, so
  // the service role's twin of an unfiltered list can write it out as filters.
  const reach: Record<string, { inbound: string[]; scope: string[] }> = {};
  for (const [name, uid] of Object.entries(U)) {
    const [r] = (
      await db.query(
        'select private.inbound_programs($1)::text[] as inbound, private.outbound_scope($1)::text[] as scope',
        [uid],
      )
    ).rows;
    reach[name] = r;
  }
  // Newest 50 seekers each persona sees, the rule written out (05_visibility.sql):
  // their own account, added by them or a sharing organisation of theirs, or
  // one of the seeker's referrals reaches them.
  const seekersSeen: Record<string, string[]> = {};
  for (const [name, uid] of Object.entries(U)) {
    const { inbound, scope } = reach[name]!;
    seekersSeen[name] = (
      await db.query<{ id: string }>(
        `select s.id from public.seekers s
          where s.user_id = $1
             or array[s.created_by, s.created_from_site_id, s.created_from_program_id] && $3::uuid[]
             or exists (select 1 from public.referrals r where r.seeker_id = s.id
                          and (r.program_id = any($2::uuid[])
                               or array[r.referred_by, r.from_site_id, r.from_program_id] && $3::uuid[]))
          order by s.created_at desc, s.id desc limit 50`,
        [uid, inbound, scope],
      )
    ).rows.map((r) => r.id);
  }
  await db.end();

  const signIn = async (email: string) => {
    const c = createClient(apiUrl, KEYS.anonKey, opts);
    const { error } = await c.auth.signInWithPassword({ email, password: 'password123' });
    if (error) throw new Error(`sign-in as ${email} failed: ${error.message}`);
    return c;
  };
  const personas: Record<string, Client> = {
    helen: await signIn('helen@eastside.example'),
    clara: await signIn('clara@harbor.example'),
    carl: await signIn('carl@safehaven.example'),
  };
  const plainService = createClient(apiUrl, KEYS.serviceRoleKey, opts);

  // The service role as a given person: their memberships (auth.uid()) without
  // RLS, for the twins of functions that read the caller's organisations.
  const serviceAs = async (uid: string) => {
    const token = await new SignJWT({ role: 'service_role', sub: uid })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime('2h')
      .sign(new TextEncoder().encode(KEYS.jwtSecret));
    return createClient(apiUrl, KEYS.serviceRoleKey, {
      ...opts,
      global: { headers: { Authorization: `Bearer ${token}` } },
    });
  };
  // Reports: twelve months up to now, fixed for the run so every call counts the same rows.
  const reportTo = new Date().toISOString();
  const reportFrom = new Date(Date.now() - 365 * 86_400_000).toISOString();
  const report = (sitesArg?: string[], programsArg?: string[]) => (c: Client) =>
    c.rpc('referral_report', {
      p_from: reportFrom,
      p_to: reportTo,
      p_site_ids: sitesArg,
      p_program_ids: programsArg,
      p_time_zone: 'UTC',
    });

  const helenVisible = `referred_by.eq.${U.helen},from_site_id.eq.${EASTSIDE}`;
  const peopleSearch = (fragment: string): Case => ({
    name: fragment ? `People I'm Helping: search "${fragment}"` : "People I'm Helping: everyone, by name",
    persona: 'helen',
    // persona: the search_people RPC (starts from the seekers they can see);
    // service: a plain select with the visibility written out
    // as the People screen asks (src/features/seekers/api/list-seekers.ts: 20 a page, name order)
    // (21: a page of 20 and one more, to know whether another page follows)
    asPersona: (c) => c.rpc('search_people', { query: fragment, sort: 'name', max_results: 21, skip: 0 }),
    asService: (c) =>
      c
        .from('seekers')
        .select('id, first_name, last_name, email, phone, referrals!inner()')
        .or(helenVisible, { referencedTable: 'referrals' })
        .or(
          `first_name.ilike.*${fragment}*,last_name.ilike.*${fragment}*,email.ilike.*${fragment}*,phone.ilike.*${fragment}*`,
        )
        .order('last_name')
        .order('first_name')
        .order('id')
        .limit(21),
  });

  // Inbound visibility is the program itself (rule 3), so the service role's
  // twin of an inbound list is the very same query.
  const inbound =
    (programId: string, status?: string, needsResponse = false) =>
    (c: Client) => {
      // as the SPA asks (src/features/referrals/api/list-referrals.ts): counted exactly up to max_rows
      // (count=estimated), a page of 20 and one row more to know whether another follows
      let q = c.from('referrals').select(LIST, { count: 'estimated' }).eq('program_id', programId);
      if (status) q = q.eq('status', status);
      // "Needs a response": not answered by the program yet
      if (needsResponse) q = q.is('responded_at', null);
      return q.order('created_at', { ascending: false }).limit(21);
    };
  // the count beside "not updated": past due and unanswered, as of the viewer's now
  const overdueCount = (programId: string) => (c: Client) =>
    c
      .from('referrals')
      .select('id', { count: 'estimated', head: true })
      .is('responded_at', null)
      .lt('response_due_at', new Date().toISOString())
      .in('program_id', [programId]);

  // No filter from the client: the policy alone decides, newest first, as an
  // API client or integration would ask. The service role's twin names the
  // caller's reach (rules 1-5) as explicit routing filters.
  const reachFilter = (persona: keyof typeof U, column: (c: string) => string) => {
    const { inbound, scope } = reach[persona]!;
    const inList = (ids: string[]) => `(${ids.length ? ids.join(',') : '00000000-0000-0000-0000-000000000000'})`;
    return [
      `${column('program_id')}.in.${inList(inbound)}`,
      ...['referred_by', 'from_site_id', 'from_program_id'].map((c) => `${column(c)}.in.${inList(scope)}`),
    ].join(',');
  };
  const unfiltered = (persona: keyof typeof U): Case => ({
    name: `Unfiltered referrals, newest 50 (${persona})`,
    persona,
    asPersona: (c) => c.from('referrals').select(LIST).order('created_at', { ascending: false }).limit(50),
    asService: (c) =>
      c
        .from('referrals')
        .select(LIST)
        .or(reachFilter(persona, (c) => c))
        // a time range (any) lets a client without the policy walk referrals_created_at_idx newest first
        .gt('created_at', '-infinity')
        .order('created_at', { ascending: false })
        .limit(50),
  });
  const NOTE = 'id, referral_id, body, author_display_name, author_organization, created_at';
  const unfilteredNotes = (persona: keyof typeof U): Case => ({
    name: `Unfiltered notes, newest 50 (${persona})`,
    persona,
    asPersona: (c) =>
      c.from('referral_notes').select(NOTE).order('created_at', { ascending: false }).order('id').limit(50),
    asService: (c) =>
      c
        .from('referral_notes')
        .select(NOTE)
        .or(reachFilter(persona, (c) => `referral_${c}`))
        .order('created_at', { ascending: false })
        .order('id')
        .limit(50),
  });
  const unfilteredSeekers = (persona: keyof typeof U): Case => ({
    name: `Unfiltered seekers, newest 50 (${persona})`,
    persona,
    asPersona: (c) =>
      c
        .from('seekers')
        .select('id, first_name, last_name, phone, created_at')
        .order('created_at', { ascending: false })
        .order('id', { ascending: false })
        .limit(50),
    expected: seekersSeen[persona],
  });
  const cases: Case[] = [
    unfiltered('clara'),
    unfiltered('helen'),
    unfiltered('carl'),
    unfilteredNotes('clara'),
    unfilteredNotes('helen'),
    unfilteredNotes('carl'),
    unfilteredSeekers('clara'),
    unfilteredSeekers('helen'),
    unfilteredSeekers('carl'),
    {
      name: 'Inbound, busy program (Harbor, ~2%)',
      persona: 'clara',
      asPersona: inbound(HARBOR),
      asService: inbound(HARBOR),
    },
    {
      name: 'Inbound, busy program, filtered by status',
      persona: 'clara',
      asPersona: inbound(HARBOR, 'pending'),
      asService: inbound(HARBOR, 'pending'),
    },
    {
      name: 'Inbound, busy program, Needs a response',
      persona: 'clara',
      asPersona: inbound(HARBOR, undefined, true),
      asService: inbound(HARBOR, undefined, true),
    },
    {
      name: 'Inbound, busy program, overdue count',
      persona: 'clara',
      asPersona: overdueCount(HARBOR),
      asService: overdueCount(HARBOR),
    },
    {
      name: 'Inbound, quiet program (Safe Haven, ~0.01%)',
      persona: 'carl',
      asPersona: inbound(SAFE_HAVEN),
      asService: inbound(SAFE_HAVEN),
    },
    {
      name: 'My referrals (Helen + shared Eastside, ~1%)',
      persona: 'helen',
      // persona: the outbound_referrals RPC (one index walk per rule); service: the plain OR
      asPersona: (c) =>
        c
          .rpc('outbound_referrals', { max_results: 25 })
          .select(LIST)
          .order('created_at', { ascending: false })
          .order('id', { ascending: false }),
      asService: (c) =>
        c
          .from('referrals')
          .select(LIST)
          .or(helenVisible)
          .gt('created_at', '-infinity')
          .order('created_at', { ascending: false })
          .order('id', { ascending: false })
          .limit(25),
    },
    peopleSearch(''),
    peopleSearch('m'),
    peopleSearch('ma'),
    peopleSearch('mart'),
    // a whole surname: every one of its pieces, intersected with the caller's reach
    peopleSearch('johnson'),
    // a common ending: thousands of matches, found by walking the list in name order
    peopleSearch('son'),
    peopleSearch(phoneDigits),
    {
      name: 'Seeker profile with referrals and history',
      persona: 'helen',
      asPersona: (c) =>
        c
          .from('seekers')
          .select(
            'id, first_name, last_name, email, phone, zip, preferred_contact, referrals(id, status, comment, goal_id, created_at, referral_events(id, event_type, actor_display_name, actor_organization, from_status, to_status, created_at))',
          )
          .eq('id', profileSeeker)
          .single(),
      asService: (c) =>
        c
          .from('seekers')
          .select(
            'id, first_name, last_name, email, phone, zip, preferred_contact, referrals(id, status, comment, goal_id, created_at, referral_events(id, event_type, actor_display_name, actor_organization, from_status, to_status, created_at))',
          )
          .eq('id', profileSeeker)
          .or(helenVisible, { referencedTable: 'referrals' })
          .single(),
    },
    {
      name: 'search_programs("78702", "food")',
      persona: 'helen',
      asPersona: (c) => c.rpc('search_programs', { zip: '78702', query: 'food', max_results: 25 }),
      asService: (c) => c.rpc('search_programs', { zip: '78702', query: 'food', max_results: 25 }),
    },
    {
      name: 'search_programs("78702")',
      persona: 'helen',
      asPersona: (c) => c.rpc('search_programs', { zip: '78702', max_results: 25 }),
      asService: (c) => c.rpc('search_programs', { zip: '78702', max_results: 25 }),
    },
    {
      // everything one Reports screen shows: figures (overdue now included), weekly series, funnel, outcome mix,
      // top negative reasons, response times
      name: 'Report, 12 months (Harbor, all figures and series)',
      persona: 'clara',
      asPersona: report(),
      asService: report(),
      service: await serviceAs(U.clara),
    },
    {
      name: 'Report, 12 months (Eastside, site lead)',
      persona: 'helen',
      asPersona: report([EASTSIDE], []),
      asService: report([EASTSIDE], []),
      service: await serviceAs(U.helen),
    },
  ];

  console.log(
    `Benchmark at ${referralCount.toLocaleString()} referrals, ${iterations} runs each after ${warmup} warm-up, through ${apiUrl}\n`,
  );
  const rows: Record<string, unknown>[] = [];
  let failed = 0;
  const selected = values.only ? cases.filter((c) => c.name.toLowerCase().includes(values.only!.toLowerCase())) : cases;
  for (const c of selected) {
    const client = personas[c.persona]!;
    const service = c.service ?? plainService;
    // same rows both ways, or the comparison means nothing
    const twin = c.asService;
    const [, a] = await time(() => c.asPersona(client));
    const [, b] = twin
      ? await time(() => twin(service))
      : [0, { data: c.expected?.map((id) => ({ id })), error: null }];
    if (a.error || b.error) {
      // reported, and the other cases still run (a statement timeout at 10M is a figure too)
      const error = (a.error ?? b.error) as { code?: string; message?: string };
      console.log(
        `${c.name.padEnd(52)} ${c.persona.padEnd(6)} FAILED ${a.error ? 'as the persona' : 'as the service role'}: ${error.code ?? ''} ${error.message ?? JSON.stringify(error)}`,
      );
      rows.push({ query: c.name, as: c.persona, error });
      failed++;
      continue;
    }
    const same = JSON.stringify(ids(a)) === JSON.stringify(ids(b));
    // Each side warmed up and timed in a block of its own: interleaved, one
    // side's reads evicted the other's pages from shared buffers (the service
    // role's twin of a people search reads every seeker), which timed the
    // cache rather than the query.
    const timed = async (run: () => PromiseLike<Result>) => {
      for (let i = 0; i < warmup; i++) await run();
      const ms: number[] = [];
      for (let i = 0; i < iterations; i++) ms.push((await time(run))[0]);
      return ms;
    };
    const tp = await timed(() => c.asPersona(client));
    const ts = twin ? await timed(() => twin(service)) : [];
    tp.sort((x, y) => x - y);
    ts.sort((x, y) => x - y);
    // no twin: the service columns stay empty ("-")
    const fmt = (n: number, digits: number) => (Number.isNaN(n) ? '-' : n.toFixed(digits));
    const row = {
      query: c.name,
      as: c.persona,
      rows: ids(a).length,
      sameRows: same,
      p50: +percentile(tp, 50).toFixed(1),
      p95: +percentile(tp, 95).toFixed(1),
      serviceP50: +percentile(ts, 50).toFixed(1),
      serviceP95: +percentile(ts, 95).toFixed(1),
      ratioP50: +(percentile(tp, 50) / percentile(ts, 50)).toFixed(2),
      ratioP95: +(percentile(tp, 95) / percentile(ts, 95)).toFixed(2),
    };
    rows.push(row);
    console.log(
      `${c.name.padEnd(52)} ${c.persona.padEnd(6)} rows ${String(row.rows).padStart(3)}${same ? '' : ' (DIFFERENT ROWS)'}  ` +
        `RLS p50 ${row.p50.toFixed(1).padStart(6)} p95 ${row.p95.toFixed(1).padStart(6)} ms | ` +
        `service p50 ${fmt(row.serviceP50, 1).padStart(6)} p95 ${fmt(row.serviceP95, 1).padStart(6)} ms | ` +
        `ratio p50 ${fmt(row.ratioP50, 2)} p95 ${fmt(row.ratioP95, 2)}`,
    );
  }
  for (const c of Object.values(personas)) await c.auth.signOut().catch(() => undefined);

  const clockRuns = Number(values['clock-runs']);
  const clock =
    clockRuns <= 0 || (values.only && !'run_response_clocks'.includes(values.only))
      ? null
      : await benchResponseClocks(ports.db, clockRuns, Number(values['clock-due']));
  if (values.json) {
    writeFileSync(
      values.json,
      JSON.stringify({ referrals: referralCount, iterations, rows, responseClocks: clock }, null, 2),
    );
  }
  if (failed) {
    console.log(`\n${failed} case(s) failed (above).`);
    process.exitCode = 1;
  }
}

/**
 * run_response_clocks with `due` unanswered referrals whose reminder falls
 * due at once (the rest of the table as it is), timed from one call; each
 * run rolled back so the next starts from the same state.
 */
async function benchResponseClocks(port: number, runs: number, due: number) {
  const db = new pg.Client({ connectionString: dbUrl(port) });
  await db.connect();
  // The CPU time the Postgres backend spends in the call (user + system, from
  // /proc: the stack runs on this machine), which waiting for a CPU on a busy
  // machine does not inflate as it does the wall-clock time.
  const [{ pid }] = (await db.query<{ pid: number }>('select pg_backend_pid() as pid')).rows;
  const cpuMs = (): number | null => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in 1/100 s
    } catch {
      return null;
    }
  };
  const cpu: number[] = [];
  const ms: number[] = [];
  let last: { reminded: number; escalated: number; messages: number } | undefined;
  for (let i = 0; i < runs; i++) {
    await db.query('begin');
    try {
      await db.query(
        `insert into private.response_clock_alarms (referral_id, kind, due_at)
         select id, 'reminder', now() - interval '1 minute' from public.referrals
          where responded_at is null order by id limit $1
         on conflict (referral_id, kind) do update set due_at = excluded.due_at`,
        [due],
      );
      await db.query('analyze private.response_clock_alarms');
      // timed around one round trip to Postgres (no gateway: the sweep is pg_cron's, inside the database)
      const c0 = cpuMs();
      const t = performance.now();
      const { rows } = await db.query<{ result: typeof last }>('select public.run_response_clocks(now()) as result');
      ms.push(performance.now() - t);
      const c1 = cpuMs();
      if (c0 !== null && c1 !== null) cpu.push(c1 - c0);
      last = rows[0]!.result;
    } finally {
      await db.query('rollback');
    }
  }
  await db.end();
  ms.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const result = {
    due,
    runs,
    p50: +percentile(ms, 50).toFixed(1),
    max: +ms[ms.length - 1]!.toFixed(1),
    cpuP50: cpu.length ? +percentile(cpu, 50).toFixed(0) : null,
    cpuMax: cpu.length ? +cpu[cpu.length - 1]!.toFixed(0) : null,
    last,
  };
  console.log(
    `\nrun_response_clocks, ${due.toLocaleString()} due at once, ${runs} runs: p50 ${result.p50} ms, max ${result.max} ms; ` +
      `backend CPU p50 ${result.cpuP50 ?? '?'} ms, max ${result.cpuMax ?? '?'} ms ` +
      `(${last?.reminded.toLocaleString()} reminded, ${last?.messages.toLocaleString()} messages queued)`,
  );
  return result;
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
