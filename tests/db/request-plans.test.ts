/**
 * Plans per caller (supabase/schemas/06_request_plans.sql): PostgREST's
 * pre-request hook, the reach shares it reads, the seekers policy's two
 * forms, which must give every caller the same rows, and the parallel plan
 * that sorts a quiet caller's list before its embeds, which must too.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, env, sql } from '../support/stack.ts';
import { personas, programs, users, type Persona } from './world.ts';

interface Request {
  role?: 'authenticated' | 'anon' | 'service_role';
  persona?: Persona;
  method?: string;
  path?: string;
}

/** One transaction as PostgREST opens it: role, claims, method and path, then the hook. */
async function inRequest<T>(req: Request, body: (c: pg.Client) => Promise<T>, before?: string): Promise<T> {
  const c = new pg.Client({ connectionString: env.dbUrl });
  await c.connect();
  try {
    await c.query('begin');
    if (before) await c.query(before);
    const role = req.role ?? 'authenticated';
    await c.query(`set local role ${role}`);
    const claims = req.persona ? { sub: users[req.persona].id, role } : { role };
    await c.query(
      `select set_config('request.jwt.claims', $1, true), set_config('request.method', $2, true),
              set_config('request.path', $3, true)`,
      [JSON.stringify(claims), req.method ?? 'GET', req.path ?? '/referrals'],
    );
    await c.query('select hooks.before_request()');
    return await body(c);
  } finally {
    await c.query('rollback').catch(() => undefined);
    await c.end();
  }
}

const settings = async (c: pg.Client) =>
  (
    await c.query<{ plan: string; indexscan: string; joins: string; quiet: string; parallel: string }>(
      `select current_setting('plan_cache_mode') as plan, current_setting('enable_indexscan') as indexscan,
              current_setting('enable_hashjoin') || ' ' || current_setting('enable_mergejoin') || ' ' ||
                current_setting('enable_seqscan') as joins,
              coalesce(current_setting('app.plan_for_quiet_caller', true), '') as quiet,
              -- workers a Gather may plan for, and workers that may be started
              current_setting('max_parallel_workers_per_gather') || ' ' ||
                current_setting('max_parallel_workers') as parallel`,
    )
  ).rows[0]!;

/** The server's own parallel settings, outside any request (as "per gather, started"). */
let serverParallel = '';
/** Planned for workers, none started: a Gather Merge runs in the leader alone. */
const plannedNoneStarted = () => `${serverParallel.split(' ')[0]} 0`;
/** No parallel plan at all. */
const serial = () => `0 ${serverParallel.split(' ')[1]}`;

beforeAll(async () => {
  // the statistics the shares are copied from, as autovacuum would keep them
  await sql('analyze public.referrals');
  await sql('select private.refresh_reach_shares()');
  const [row] = await sql<{ parallel: string }>(
    `select current_setting('max_parallel_workers_per_gather') || ' ' || current_setting('max_parallel_workers') as parallel`,
  );
  serverParallel = row!.parallel;
  // the server lets a Gather plan for workers, or a quiet list could never be sorted under one
  expect(Number(serverParallel.split(' ')[0])).toBeGreaterThan(0);
});
afterAll(closeDb);

describe('PostgREST calls the hook', () => {
  it('is the db-pre-request of the role PostgREST signs in as', async () => {
    const [row] = await sql<{ config: string[] }>(
      `select setconfig as config from pg_db_role_setting
        where setrole = 'authenticator'::regrole and setdatabase = 0`,
    );
    expect(row?.config).toContain('pgrst.db_pre_request=hooks.before_request');
  });

  it('may be called by every role PostgREST switches to, and by nobody else', async () => {
    const [row] = await sql<Record<string, boolean>>(
      `select has_function_privilege('anon', 'hooks.before_request()', 'execute') as anon,
              has_function_privilege('authenticated', 'hooks.before_request()', 'execute') as authenticated,
              has_function_privilege('service_role', 'hooks.before_request()', 'execute') as service,
              has_function_privilege('public', 'hooks.before_request()', 'execute') as public,
              has_schema_privilege('anon', 'private', 'usage') as anon_private`,
    );
    expect(row).toEqual({ anon: true, authenticated: true, service: true, public: false, anon_private: false });
  });
});

describe('the hook', () => {
  it('plans every request for itself', async () => {
    for (const req of [
      { persona: 'clara' },
      { role: 'anon' },
      { role: 'service_role' },
      { persona: 'carl', method: 'POST' },
    ] as Request[]) {
      expect((await inRequest(req, settings)).plan).toBe('force_custom_plan');
    }
  });

  it("sends a quiet caller's table reads through the reach indexes", async () => {
    // the seeded world is tiny: every signed-in caller is below sqrt(50 / N)
    for (const path of ['/referral_notes', '/seekers']) {
      expect(await inRequest({ persona: 'carl', path }, settings)).toEqual({
        plan: 'force_custom_plan',
        indexscan: 'off',
        // what embeds add, looked up row by row; no big table read whole
        joins: 'off off off',
        quiet: path.slice(1),
        parallel: plannedNoneStarted(),
      });
    }
    // referrals: the policy's quiet form steers, and a filtered list keeps its ordered walk
    expect(await inRequest({ persona: 'carl' }, settings)).toEqual({
      plan: 'force_custom_plan',
      indexscan: 'on',
      joins: 'off off off',
      quiet: 'referrals',
      parallel: plannedNoneStarted(),
    });
    expect((await inRequest({ persona: 'carl', method: 'HEAD', path: '/seekers' }, settings)).quiet).toBe('seekers');
  });

  it('leaves writes, functions, other tables, anonymous and service-role requests to the default plans', async () => {
    for (const req of [
      { persona: 'carl', method: 'POST' },
      { persona: 'carl', method: 'PATCH' },
      { persona: 'carl', path: '/rpc/search_people' },
      // other tables keep their ordered index scans (the directory is large for everyone)
      { persona: 'carl', path: '/programs' },
      { role: 'anon' },
      { role: 'service_role', persona: 'carl' },
    ] as Request[]) {
      const s = await inRequest(req, settings);
      expect({ req, indexscan: s.indexscan, joins: s.joins, quiet: s.quiet, parallel: s.parallel }).toEqual({
        req,
        indexscan: 'on',
        joins: 'on on on',
        quiet: '',
        parallel: serverParallel,
      });
    }
  });

  it('leaves a busy caller on the default plans: their share is at or above sqrt(50 / N)', async () => {
    // As if referrals held a million rows (the threshold is then 0.7%), all of
    // them received by Harbor: Clara, its claimer, is as busy as can be.
    // Rolled back with the request.
    const busy = `update pg_class set reltuples = 1000000 where oid = 'public.referrals'::regclass;
                  delete from private.reach_shares;
                  insert into private.reach_shares (arm, key, share) values ('received', '${programs.harbor}', 1)`;
    expect(await inRequest({ persona: 'clara' }, settings, busy)).toEqual({
      plan: 'force_custom_plan',
      indexscan: 'on',
      joins: 'on on on',
      quiet: '',
      // her lists walk an index in order and stop after a page
      parallel: serial(),
    });
    // …and only her: Carl's program is not among the common keys
    expect((await inRequest({ persona: 'carl' }, settings, busy)).quiet).toBe('referrals');
  });
});

describe('the reach shares', () => {
  it("are the statistics' most common keys of each arm, with their part of all referrals", async () => {
    const rows = await sql<{ arm: string; key: string; share: number }>(
      'select arm, key, share from private.reach_shares',
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.share).toBeGreaterThan(0);
    // the seed: R2 and R3 are received by Harbor; both arms are present
    const harbor = rows.find((r) => r.arm === 'received' && r.key === programs.harbor);
    expect(harbor?.share).toBeGreaterThan(0);
    expect(rows.some((r) => r.arm === 'sent' && r.key === users.helen.id)).toBe(true);
  });

  it('are not readable or refreshable by signed-in callers', async () => {
    await expect(inRequest({ persona: 'clara' }, (c) => c.query('select * from private.reach_shares'))).rejects.toThrow(
      /permission denied/,
    );
    await expect(
      inRequest({ persona: 'clara' }, (c) => c.query('select private.refresh_reach_shares()')),
    ).rejects.toThrow(/permission denied/);
  });
});

describe("the referrals and seekers policies' forms", () => {
  // The same statement planned each way: the flag is read while planning.
  const seen = (persona: Persona, quiet: '' | 'referrals' | 'seekers') =>
    inRequest({ persona, method: 'POST' }, async (c) => {
      await c.query(`select set_config('app.plan_for_quiet_caller', $1, true)`, [quiet]);
      const ids = (await c.query<{ id: string }>('select id from public.seekers order by id')).rows.map((r) => r.id);
      const embedded = (
        await c.query<{ id: string }>(
          'select s.id from public.referrals r join public.seekers s on s.id = r.seeker_id order by s.id',
        )
      ).rows.map((r) => r.id);
      const referrals = (await c.query<{ id: string }>('select id from public.referrals order by id')).rows.map(
        (r) => r.id,
      );
      return { ids, embedded, referrals };
    });

  it('give every persona the same referrals and seekers', async () => {
    for (const persona of personas) {
      const busy = await seen(persona, '');
      for (const quiet of ['referrals', 'seekers'] as const) {
        expect({ persona, quiet, ...(await seen(persona, quiet)) }).toEqual({ persona, quiet, ...busy });
      }
    }
    // and the forms are not vacuous: staff see seekers and referrals, and the seeker herself only
    expect((await seen('helen', 'seekers')).ids.length).toBeGreaterThan(0);
    expect((await seen('helen', 'referrals')).referrals.length).toBeGreaterThan(0);
    expect((await seen('sam', 'seekers')).ids).toHaveLength(1);
  });

  it('walk newest first only in the busy form, and every referral can be walked so', async () => {
    const walks = (quiet: '' | 'referrals') =>
      inRequest({ persona: 'carl' }, async (c) => {
        await c.query(`select set_config('app.plan_for_quiet_caller', $1, true)`, [quiet]);
        await c.query('set local enable_seqscan = off');
        await c.query('set local enable_bitmapscan = off');
        const plan = (
          await c.query<{ 'QUERY PLAN': string }>(
            'explain (costs off) select id from public.referrals order by created_at desc limit 50',
          )
        ).rows
          .map((r) => r['QUERY PLAN'])
          .join('\n');
        return plan.includes('referrals_created_at_idx');
      });
    expect(await walks('')).toBe(true);
    expect(await walks('referrals')).toBe(false);
    // the index leaves out only what the constraint forbids
    await expect(
      sql(`update public.referrals set created_at = '-infinity' where id = (select id from public.referrals limit 1)`),
    ).rejects.toThrow(/referrals_created_at_check/);
  });

  it('reveal nothing to a caller without a role in any referral', async () => {
    const outsider = await inRequest({ role: 'anon' }, async (c) => {
      await c.query(`select set_config('app.plan_for_quiet_caller', 'seekers', true)`);
      return c.query('select id from public.seekers').then(
        (r) => r.rows.length,
        (e: Error) => e.message,
      );
    });
    // anon has no grant on seekers at all
    expect(outsider).toMatch(/permission denied/);
  });
});

describe("a quiet caller's list, sorted before its embeds", () => {
  it('may be planned in parallel: every function a read policy calls is parallel safe or restricted', async () => {
    // a single parallel-unsafe function anywhere in a query rules out every
    // parallel plan for it, the Gather Merge that sorts below the embeds too
    const rows = await sql<{ fn: string; parallel: string }>(
      `select distinct p.oid::regprocedure::text as fn, p.proparallel as parallel
         from pg_depend d
         join pg_policy pol on d.classid = 'pg_policy'::regclass and d.objid = pol.oid
         join pg_proc p on d.refclassid = 'pg_proc'::regclass and d.refobjid = p.oid
        where pol.polcmd in ('r', '*') and p.pronamespace::regnamespace::text in ('public', 'private', 'hooks')
        order by 1`,
    );
    expect(rows.map((r) => r.fn)).toEqual(
      expect.arrayContaining(['private.my_inbound_programs()', 'private.seekers_of_my_referrals()']),
    );
    expect(rows.filter((r) => r.parallel === 'u').map((r) => r.fn)).toEqual([]);
  });

  // PostgREST's list with two embeds, newest first (as the referral screens ask)
  const LIST = `select r.id, p.name as program, s.first_name as seeker
                  from public.referrals r
                  left join lateral (select name from public.programs where id = r.program_id limit 1) p on true
                  left join lateral (select first_name from public.seekers where id = r.seeker_id limit 1) s on true
                 order by r.created_at desc, r.id limit 50`;
  const list = (persona: Persona, parallel: 'serial' | 'leader' | 'workers') =>
    inRequest({ persona }, async (c) => {
      if (parallel === 'serial') {
        await c.query('set local max_parallel_workers_per_gather = 0');
      } else {
        // the seeded tables are tiny: make a parallel plan look free, as a large table's would
        await c.query(`set local parallel_setup_cost = 0; set local parallel_tuple_cost = 0;
                       set local min_parallel_table_scan_size = 0; set local min_parallel_index_scan_size = 0;
                       set local max_parallel_workers_per_gather = 2`);
        await c.query(`set local max_parallel_workers = ${parallel === 'workers' ? 2 : 0}`);
      }
      const plan = (await c.query<{ 'QUERY PLAN': string }>(`explain (costs off) ${LIST}`)).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      const rows = (await c.query(LIST)).rows;
      return { gather: /Gather/.test(plan), rows };
    });

  it('gives every persona the same rows in parallel, with workers or in the leader alone, as serially', async () => {
    for (const persona of personas) {
      const serial = await list(persona, 'serial');
      expect(serial.gather).toBe(false);
      for (const parallel of ['leader', 'workers'] as const) {
        const got = await list(persona, parallel);
        expect({ persona, parallel, gather: got.gather, rows: got.rows }).toEqual({
          persona,
          parallel,
          gather: true,
          rows: serial.rows,
        });
      }
    }
    // not vacuous: staff see referrals with their embeds, a seeker her own
    expect((await list('clara', 'serial')).rows.length).toBeGreaterThan(0);
    expect((await list('clara', 'serial')).rows.every((r) => r.program && r.seeker)).toBe(true);
    expect((await list('sam', 'serial')).rows.length).toBeGreaterThan(0);
  });
});
