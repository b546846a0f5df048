/**
 * pg_cron, pg_net and Vault as the local stack provides them: the SQL a
 * Supabase project writes (cron.schedule, net.http_post, vault.create_secret)
 * against the test stack's database, with the workers service running the
 * jobs and sending the requests. Nothing here knows the project.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firesAt, parseSchedule } from '../../stack/workers/schedule.ts';
import { closeDb, env, signIn, sql } from '../support/stack.ts';

async function waitUntil<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const responseOf = (id: number) =>
  waitUntil(`the response to request ${id}`, async () => {
    const [row] = await sql<{
      status_code: number | null;
      content: string | null;
      content_type: string | null;
      headers: Record<string, string> | null;
      timed_out: boolean | null;
      error_msg: string | null;
    }>(`select status_code, content, content_type, headers, timed_out, error_msg from net._http_response where id = $1`, [
      id,
    ]);
    return row;
  });

afterAll(async () => {
  await closeDb();
});

describe('cron schedules (parser)', () => {
  it('reads seconds, five fields, lists, ranges, steps, $ and @keywords; refuses the rest', () => {
    expect(parseSchedule('5 seconds')).toEqual({ kind: 'seconds', every: 5 });
    expect(parseSchedule(' 1 second ')).toEqual({ kind: 'seconds', every: 1 });
    const at = (iso: string) => new Date(iso);
    const everyMinute = parseSchedule('* * * * *');
    expect(everyMinute.kind === 'cron' && firesAt(everyMinute, at('2026-12-03T13:37:00Z'))).toBe(true);
    const s = parseSchedule('*/15 9-17 * * 1-5');
    if (s.kind !== 'cron') throw new Error('not cron');
    expect(firesAt(s, at('2026-12-03T09:45:00Z'))).toBe(true); // a Thursday
    expect(firesAt(s, at('2026-12-03T09:46:00Z'))).toBe(false);
    expect(firesAt(s, at('2026-12-05T09:45:00Z'))).toBe(false); // Saturday
    const last = parseSchedule('0 0 $ * *');
    if (last.kind !== 'cron') throw new Error('not cron');
    expect(firesAt(last, at('2026-02-28T00:00:00Z'))).toBe(true);
    expect(firesAt(last, at('2026-03-28T00:00:00Z'))).toBe(false);
    const daily = parseSchedule('@daily');
    expect(daily.kind === 'cron' && firesAt(daily, at('2026-12-03T00:00:00Z'))).toBe(true);
    for (const bad of ['60 seconds', '0 seconds', '* * * *', '61 * * * *', '*/0 * * * *', 'every minute']) {
      expect(() => parseSchedule(bad), bad).toThrow();
    }
  });
});

describe('pg_cron', () => {
  beforeAll(async () => {
    await sql(`create table if not exists public.cron_probe (at timestamptz not null default now(), who text)`);
  });
  afterAll(async () => {
    await sql(`select cron.unschedule(jobname) from cron.job where jobname like 'probe-%'`);
    await sql(`drop table if exists public.cron_probe`);
  });

  it('is created by a migration as on hosted Supabase, and refuses a schedule it cannot run', async () => {
    expect(await sql(`select extname, extversion from pg_extension where extname in ('pg_cron', 'pg_net', 'supabase_vault') order by 1`)).toEqual([
      { extname: 'pg_cron', extversion: '1.6' },
      { extname: 'pg_net', extversion: '0.14.0' },
      { extname: 'supabase_vault', extversion: '0.3.1' },
    ]);
    await expect(sql(`select cron.schedule('probe-bad', '61 seconds', 'select 1')`)).rejects.toThrow(
      'invalid schedule: 61 seconds',
    );
    await expect(sql(`select cron.schedule('probe-bad', '* * *', 'select 1')`)).rejects.toThrow('invalid schedule');
    // a five-field job, as a migration schedules one every minute
    const [job] = await sql<{ id: string }>(
      `select cron.schedule('probe-minutely', '* * * * *', $$insert into public.cron_probe (who) values ('minutely')$$) as id`,
    );
    expect(await sql(`select schedule, active, username from cron.job where jobid = $1`, [job!.id])).toEqual([
      { schedule: '* * * * *', active: true, username: 'postgres' },
    ]);
  });

  it('runs a seconds job repeatedly, records each run, replaces a job of the same name and stops on unschedule', async () => {
    await sql(`select cron.schedule('probe-seconds', '1 second', $$insert into public.cron_probe (who) values ('a')$$)`);
    await waitUntil('two runs', async () =>
      Number((await sql<{ n: string }>(`select count(*) as n from public.cron_probe where who = 'a'`))[0]!.n) >= 2
        ? true
        : undefined,
    );
    const runs = await sql<{ status: string; return_message: string; username: string }>(
      `select d.status, d.return_message, d.username from cron.job_run_details d join cron.job j using (jobid)
        where j.jobname = 'probe-seconds' and d.status = 'succeeded' order by runid limit 1`,
    );
    expect(runs).toEqual([{ status: 'succeeded', return_message: 'INSERT 1', username: 'postgres' }]);

    // the same name: replaced, not added
    await sql(`select cron.schedule('probe-seconds', '1 second', $$insert into public.cron_probe (who) values ('b')$$)`);
    expect(await sql(`select count(*)::int as n from cron.job where jobname = 'probe-seconds'`)).toEqual([{ n: 1 }]);
    await waitUntil('the new command', async () =>
      (await sql(`select 1 from public.cron_probe where who = 'b'`)).length ? true : undefined,
    );

    expect(await sql(`select cron.unschedule('probe-seconds') as ok`)).toEqual([{ ok: true }]);
    await expect(sql(`select cron.unschedule('probe-seconds')`)).rejects.toThrow(
      "could not find valid entry for job 'probe-seconds'",
    );
    // after the unschedule commits, a job scheduled later runs; the old one has not run since
    const [{ n: before }] = (await sql<{ n: string }>(`select count(*) as n from public.cron_probe where who = 'b'`)) as [
      { n: string },
    ];
    await sql(`select cron.schedule('probe-after', '1 second', $$insert into public.cron_probe (who) values ('after')$$)`);
    await waitUntil('a later job', async () =>
      (await sql(`select 1 from public.cron_probe where who = 'after'`)).length ? true : undefined,
    );
    await waitUntil('a second run of the later job', async () =>
      Number((await sql<{ n: string }>(`select count(*) as n from public.cron_probe where who = 'after'`))[0]!.n) >= 2
        ? true
        : undefined,
    );
    const [{ n: after }] = (await sql<{ n: string }>(`select count(*) as n from public.cron_probe where who = 'b'`)) as [
      { n: string },
    ];
    // at most one run that had already started when it was unscheduled
    expect(Number(after) - Number(before)).toBeLessThanOrEqual(1);
  });

  it('records a failing job as failed, with the error', async () => {
    await sql(`select cron.schedule('probe-failing', '1 second', 'select * from public.no_such_table')`);
    const [run] = await waitUntil('a failed run', async () => {
      const rows = await sql<{ status: string; return_message: string }>(
        `select d.status, d.return_message from cron.job_run_details d join cron.job j using (jobid)
          where j.jobname = 'probe-failing' and d.status = 'failed' limit 1`,
      );
      return rows.length ? rows : undefined;
    });
    expect(run!.return_message).toContain('relation "public.no_such_table" does not exist');
    await sql(`select cron.unschedule('probe-failing')`);
  });
});

describe('pg_net', () => {
  let server: http.Server;
  let base: string;
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        if (req.url?.startsWith('/slow')) return void setTimeout(() => res.end('late'), 3000);
        res.writeHead(201, { 'content-type': 'application/json', 'x-probe': 'yes' });
        res.end(JSON.stringify({ got: body ? (JSON.parse(body) as unknown) : null }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('http_post is sent after commit with its headers and JSON body; the response is stored under its id', async () => {
    const [{ id }] = (await sql<{ id: string }>(
      `select net.http_post(url := $1, body := '{"hello":"world"}'::jsonb, params := '{"a":"b c"}'::jsonb,
                            headers := '{"Content-Type":"application/json","X-Key":"k1"}'::jsonb) as id`,
      [`${base}/post`],
    )) as [{ id: string }];
    const res = await responseOf(Number(id));
    expect(res).toMatchObject({ status_code: 201, content_type: 'application/json', timed_out: false, error_msg: null });
    expect(JSON.parse(res.content!)).toEqual({ got: { hello: 'world' } });
    expect(res.headers!['x-probe']).toBe('yes');
    const req = seen.find((r) => r.url.startsWith('/post'))!;
    expect(req).toMatchObject({ method: 'POST', url: '/post?a=b%20c', body: '{"hello": "world"}' });
    expect(req.headers['x-key']).toBe('k1');
  });

  it('a rolled-back request is never sent: a later committed one arrives, the rolled-back one never did', async () => {
    await sql(`begin; select net.http_get($1); rollback;`.replace('$1', `'${base}/rolled-back'`));
    const [{ id }] = (await sql<{ id: string }>(`select net.http_get($1) as id`, [`${base}/committed`])) as [
      { id: string },
    ];
    expect((await responseOf(Number(id))).status_code).toBe(201);
    expect(seen.map((r) => r.url)).toContain('/committed');
    expect(seen.map((r) => r.url)).not.toContain('/rolled-back');
  });

  it('a timeout and an unreachable host are stored as pg_net stores them', async () => {
    const [{ id: slow }] = (await sql<{ id: string }>(
      `select net.http_get($1, timeout_milliseconds := 300) as id`,
      [`${base}/slow`],
    )) as [{ id: string }];
    expect(await responseOf(Number(slow))).toMatchObject({
      status_code: null,
      timed_out: true,
      error_msg: 'Timeout of 300 ms reached',
    });
    const [{ id: nowhere }] = (await sql<{ id: string }>(`select net.http_get('http://127.0.0.1:1/') as id`)) as [
      { id: string },
    ];
    const res = await responseOf(Number(nowhere));
    expect(res.status_code).toBeNull();
    expect(res.error_msg).toMatch(/^Couldn't connect to server/);
  });

  it('reaches the API gateway at the Supabase CLI network name api.supabase.internal:8000', async () => {
    const [{ id }] = (await sql<{ id: string }>(
      `select net.http_get('http://api.supabase.internal:8000/auth/v1/health', headers := $1::jsonb) as id`,
      [JSON.stringify({ apikey: env.anonKey })],
    )) as [{ id: string }];
    const res = await responseOf(Number(id));
    expect(res.status_code).toBe(200);
    expect(JSON.parse(res.content!)).toMatchObject({ name: 'GoTrue' });
  });

  it('is not callable by the API roles', async () => {
    const helen = await signIn('helen@eastside.example');
    const { error } = await helen.schema('net' as never).rpc('http_get' as never, { url: `${base}/x` } as never);
    expect(error).not.toBeNull();
    expect(
      await sql(`select has_function_privilege('authenticated', 'net.http_post(text, jsonb, jsonb, jsonb, integer)', 'execute') as a,
                        has_function_privilege('anon', 'net.http_get(text, jsonb, jsonb, integer)', 'execute') as b`),
    ).toEqual([{ a: false, b: false }]);
  });
});

describe('Vault', () => {
  afterAll(async () => {
    await sql(`delete from vault.secrets where name like 'probe-%'`);
  });

  it('stores a secret encrypted and reads it decrypted; update_secret changes it; names are unique', async () => {
    const [{ id }] = (await sql<{ id: string }>(`select vault.create_secret('s3cret value', 'probe-one', 'a probe') as id`)) as [
      { id: string },
    ];
    const [row] = await sql<{ secret: string; decrypted_secret: string; description: string }>(
      `select secret, decrypted_secret, description from vault.decrypted_secrets where id = $1`,
      [id],
    );
    expect(row).toMatchObject({ decrypted_secret: 's3cret value', description: 'a probe' });
    expect(row!.secret).not.toContain('s3cret');
    await sql(`select vault.update_secret($1, 'another')`, [id]);
    expect(await sql(`select decrypted_secret from vault.decrypted_secrets where name = 'probe-one'`)).toEqual([
      { decrypted_secret: 'another' },
    ]);
    await expect(sql(`select vault.create_secret('x', 'probe-one')`)).rejects.toThrow(/duplicate key/);
  });

  it('is closed to the API roles', async () => {
    expect(
      await sql(`select has_table_privilege('anon', 'vault.decrypted_secrets', 'select') as a,
                        has_table_privilege('authenticated', 'vault.secrets', 'select') as b,
                        has_function_privilege('authenticated', 'vault.create_secret(text, text, text, uuid)', 'execute') as c,
                        has_schema_privilege('authenticated', 'vault', 'usage') as d`),
    ).toEqual([{ a: false, b: false, c: false, d: false }]);
  });
});
