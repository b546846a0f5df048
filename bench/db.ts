/**
 * `npm run bench`: the dashboard queries through the gateway, as the browser
 * calls them (supabase-js, signed in as a seeded person, RLS deciding what
 * they see), and the same rows read with the service role (no RLS, the
 * visibility written out as explicit filters). Prints p50/p95 per query and
 * the RLS/no-RLS ratio. Run against a stack filled with
 * `npm run db:seed:scale -- --referrals 1000000`.
 *
 *   STACK_BASE_PORT=54321 npm run bench -- [--iterations 200] [--warmup 20] [--json out.json] [--only inbound]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { REFERRAL_COLUMNS, SEEKER_EMBED } from '../src/features/referrals/api/columns.ts';
import { DEFAULT_BASE_PORT, KEYS, dbUrl, portsFrom } from '../stack/config.ts';

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
  asService: (c: Client) => PromiseLike<Result>;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

async function time(fn: () => PromiseLike<Result>): Promise<[number, Result]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

const ids = (r: Result): string[] => {
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
  const service = createClient(apiUrl, KEYS.serviceRoleKey, opts);

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
  const inbound = (programId: string, status?: string) => (c: Client) => {
    let q = c.from('referrals').select(LIST, { count: 'exact' }).eq('program_id', programId);
    if (status) q = q.eq('status', status);
    return q.order('created_at', { ascending: false }).limit(25);
  };

  // No filter from the client: the policy alone decides, newest first, as an
  // API client or integration would ask.
  const unfiltered = (persona: keyof typeof U): Case => {
    const { inbound, scope } = reach[persona]!;
    const inList = (ids: string[]) => `(${ids.length ? ids.join(',') : '00000000-0000-0000-0000-000000000000'})`;
    return {
      name: `Unfiltered referrals, newest 50 (${persona})`,
      persona,
      asPersona: (c) => c.from('referrals').select(LIST).order('created_at', { ascending: false }).limit(50),
      asService: (c) =>
        c
          .from('referrals')
          .select(LIST)
          .or(
            `program_id.in.${inList(inbound)},referred_by.in.${inList(scope)},from_site_id.in.${inList(scope)},from_program_id.in.${inList(scope)}`,
          )
          .order('created_at', { ascending: false })
          .limit(50),
    };
  };
  const cases: Case[] = [
    unfiltered('clara'),
    unfiltered('helen'),
    unfiltered('carl'),
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
          .order('created_at', { ascending: false })
          .order('id', { ascending: false })
          .limit(25),
    },
    peopleSearch(''),
    peopleSearch('m'),
    peopleSearch('ma'),
    peopleSearch('mart'),
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
  ];

  console.log(
    `Benchmark at ${referralCount.toLocaleString()} referrals, ${iterations} runs each after ${warmup} warm-up, through ${apiUrl}\n`,
  );
  const rows: Record<string, unknown>[] = [];
  const selected = values.only ? cases.filter((c) => c.name.toLowerCase().includes(values.only!.toLowerCase())) : cases;
  for (const c of selected) {
    const client = personas[c.persona]!;
    // same rows both ways, or the comparison means nothing
    const [, a] = await time(() => c.asPersona(client));
    const [, b] = await time(() => c.asService(service));
    if (a.error || b.error) throw new Error(`${c.name}: ${JSON.stringify(a.error ?? b.error)}`);
    const same = JSON.stringify(ids(a)) === JSON.stringify(ids(b));
    for (let i = 0; i < warmup; i++) {
      await c.asPersona(client);
      await c.asService(service);
    }
    const tp: number[] = [];
    const ts: number[] = [];
    for (let i = 0; i < iterations; i++) {
      // interleaved so both see the same machine load
      tp.push((await time(() => c.asPersona(client)))[0]);
      ts.push((await time(() => c.asService(service)))[0]);
    }
    tp.sort((x, y) => x - y);
    ts.sort((x, y) => x - y);
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
        `service p50 ${row.serviceP50.toFixed(1).padStart(6)} p95 ${row.serviceP95.toFixed(1).padStart(6)} ms | ` +
        `ratio p50 ${row.ratioP50.toFixed(2)} p95 ${row.ratioP95.toFixed(2)}`,
    );
  }
  if (values.json) writeFileSync(values.json, JSON.stringify({ referrals: referralCount, iterations, rows }, null, 2));
  for (const c of Object.values(personas)) await c.auth.signOut().catch(() => undefined);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
