/**
 * The supervisor under bad conditions: a port already taken, a broken
 * migration, Ctrl-C, a restart that must keep the data, a service that dies
 * after it was ready, and output cut between chunks. Each test runs its own
 * small stack on ports of its own, beside the suite's stack.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnStackCli } from '../../stack/cli-process.ts';
import { KEYS, ROOT, SUPABASE_DIR, dbUrl, makeContext, portsFrom } from '../../stack/config.ts';
import { MigrationError, migrate } from '../../stack/migrate.ts';
import { startPostgres } from '../../stack/postgres.ts';
import { LineSplitter, isPortFree } from '../../stack/process.ts';
import { start as startRealtime } from '../../stack/realtime/index.ts';
import { startStack } from '../../stack/stack.ts';
import { TEST_BASE_PORT, env } from '../support/env.ts';

// Inside the project (git-ignored): Postgres runs as its own user and must
// be able to reach its data directory.
const tmp = join(ROOT, `.stack-supervisor-test-${TEST_BASE_PORT}`);
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
chmodSync(tmp, 0o755);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function query(port: number, text: string) {
  const c = new pg.Client({ connectionString: dbUrl(port) });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

async function descendants(pid: number): Promise<number[]> {
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,pgid=']).toString();
  const rows = out
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
  const found = new Set<number>([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [p, pp] of rows) {
      if (found.has(pp!) && !found.has(p!)) {
        found.add(p!);
        grew = true;
      }
    }
  }
  found.delete(pid);
  return [...found];
}

/** Running, not merely an exited process waiting to be reaped (a zombie). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
};
const describePid = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
};

describe('a port already in use', () => {
  it('names the port and the service, and starts nothing', async () => {
    const base = TEST_BASE_PORT + 100;
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(base + 1, '127.0.0.1', () => r()));
    try {
      await expect(startStack({ basePort: base, dataDir: join(tmp, 'busy') })).rejects.toThrow(
        new RegExp(`port ${base + 1} \\(Postgres\\) is already in use`),
      );
      expect(await isPortFree(base)).toBe(true); // the gateway did not stay up
    } finally {
      blocker.close();
    }
  });
});

describe('a broken migration', () => {
  it('stops with the file name and the Postgres error, and leaves the database as it was', async () => {
    const port = TEST_BASE_PORT + 150;
    const migrations = join(tmp, 'migrations');
    cpSync(join(SUPABASE_DIR, 'migrations'), migrations, { recursive: true });
    const pgh = await startPostgres({ dataDir: join(tmp, 'broken-db'), port });
    try {
      await migrate(dbUrl(port), { seed: false, migrationsDir: migrations });
      const before = await query(port, 'select count(*)::int as n from supabase_migrations.schema_migrations');

      writeFileSync(
        join(migrations, '99990101000000_broken.sql'),
        'create table public.half_done (id int);\nselect * from public.no_such_table;\n',
      );
      const err = await migrate(dbUrl(port), { seed: false, migrationsDir: migrations }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationError);
      expect((err as Error).message).toContain('99990101000000_broken.sql');
      expect((err as Error).message).toContain('relation "public.no_such_table" does not exist');
      expect((err as Error).message).toContain('line 2');

      expect(await query(port, `select to_regclass('public.half_done') as t`)).toEqual([{ t: null }]);
      expect(await query(port, 'select count(*)::int as n from supabase_migrations.schema_migrations')).toEqual(before);
    } finally {
      await pgh.stop();
    }
  });
});

describe('a broken migration at start', () => {
  it("stops the whole stack with the migration's error, not a service's", async () => {
    const base = TEST_BASE_PORT + 170;
    // alone, so that it fails before the mail catcher (started beside the migrations) is
    // ready: stopped then, its exit must not be what is reported (it was an unhandled
    // rejection that ended the process, and the migration's error was never printed)
    const migrations = join(tmp, 'migrations-at-start');
    mkdirSync(migrations, { recursive: true });
    writeFileSync(join(migrations, '99990101000000_broken.sql'), 'select * from public.no_such_table;\n');
    // a database that exists already starts at once (no initdb), as on a developer's machine
    const dataDir = join(tmp, 'broken-at-start');
    await (await startPostgres({ dataDir, port: base + 1 })).stop();
    const err = await startStack({ basePort: base, dataDir, migrationsDir: migrations }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toContain('99990101000000_broken.sql');
    expect((err as Error).message).toContain('relation "public.no_such_table" does not exist');
    for (const port of [base, base + 1, base + 3, base + 4]) expect(await isPortFree(port)).toBe(true);
  }, 120_000);
});

describe('npm run stack: stop and start again', () => {
  const base = TEST_BASE_PORT + 200;
  const ports = portsFrom(base);
  const dataDir = join(tmp, 'cli');

  async function runCli(): Promise<ChildProcess> {
    const cli = spawnStackCli({ basePort: base, dataDir });
    await cli.up;
    return cli.child;
  }

  it('a Ctrl-C during start-up still stops everything that started', async () => {
    const cli = spawnStackCli({ basePort: base, dataDir });
    // As soon as it says it is starting, before any service is ready.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (cli.output().includes('Starting the local Supabase stack')) {
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    for (const [name, port] of Object.entries(ports)) {
      expect(await isPortFree(port), `${name} port ${port} still taken`).toBe(true);
    }
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} stops every child process and frees every port; the data survives a restart`, async () => {
      const first = await runCli();
      const children = await descendants(first.pid!);
      expect(children.length).toBeGreaterThanOrEqual(3);
      await query(
        ports.db,
        `create table if not exists public.kept_${signal.toLowerCase()} (note text);
                             insert into public.kept_${signal.toLowerCase()} values ('still here')`,
      );

      const exited = new Promise<number | null>((r) => first.on('exit', (c) => r(c)));
      first.kill(signal);
      expect(await exited).toBe(0);
      await new Promise((r) => setTimeout(r, 200));
      for (const pid of children) expect(alive(pid), `process ${pid} still running: ${describePid(pid)}`).toBe(false);
      for (const [name, port] of Object.entries(ports)) {
        expect(await isPortFree(port), `${name} port ${port} still taken`).toBe(true);
      }

      const second = await runCli();
      try {
        expect(await query(ports.db, `select note from public.kept_${signal.toLowerCase()}`)).toEqual([
          { note: 'still here' },
        ]);
      } finally {
        const done = new Promise((r) => second.on('exit', r));
        second.kill('SIGINT');
        await done;
      }
    });
  }
});

describe('output lines', () => {
  it('joins a line cut between chunks, keeps a character cut between bytes, and gives the last line at the end', () => {
    const seen: string[] = [];
    const split = new LineSplitter((l) => seen.push(l));
    const euro = Buffer.from('€');
    split.push(Buffer.from('auth re'));
    split.push(Buffer.from('ady\nfirst half '));
    split.push(Buffer.concat([Buffer.from('and second, 5'), euro.subarray(0, 1)]));
    split.push(Buffer.concat([euro.subarray(1), Buffer.from('\r\nno newline at the end')]));
    expect(seen).toEqual(['auth ready', 'first half and second, 5€']);
    split.end();
    expect(seen).toEqual(['auth ready', 'first half and second, 5€', 'no newline at the end']);
  });
});

describe('a service that dies after it was ready', () => {
  const base = TEST_BASE_PORT + 250;
  const ports = portsFrom(base);

  /** The pid of the one descendant whose command line contains `needle`. */
  async function pidOf(root: number, needle: string): Promise<number> {
    const pids = (await descendants(root)).filter((p) => describePid(p).includes(needle) && alive(p));
    expect(pids, `processes running ${needle}`).toHaveLength(1);
    return pids[0]!;
  }

  async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<number> {
    const t0 = performance.now();
    while (!check()) {
      if (performance.now() - t0 > timeoutMs) throw new Error(`${what}: not seen within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return performance.now() - t0;
  }

  it('is reported at once with its last lines and restarted; a dead Postgres stops the stack with exit code 1', async () => {
    const cli = spawnStackCli({ basePort: base, dataDir: join(tmp, 'crash') });
    try {
      await cli.up;
      const authHealth = () =>
        fetch(`http://127.0.0.1:${ports.api}/auth/v1/health`, { headers: { apikey: KEYS.anonKey } }).then(
          (r) => r.status,
          () => 0,
        );
      expect(await authHealth()).toBe(200);

      // Auth dies without being asked to.
      const authPid = await pidOf(cli.child.pid!, join('stack', 'auth', 'main.ts'));
      const before = cli.output().length;
      process.kill(authPid, 'SIGKILL');
      const reported = await waitFor(
        'the crash report',
        () => cli.output().slice(before).includes('auth was killed by SIGKILL after it was ready'),
        5000,
      );
      expect(reported).toBeLessThan(2000);
      const report = cli.output().slice(before);
      expect(report).toMatch(/restarting it in \d+ ms/);
      expect(report).toContain('Last output of auth:');
      expect(report).toContain('  | auth ready'); // its last lines, even the ones it kept quiet

      // Restarted with backoff: it answers again.
      await waitFor('auth restarted', () => cli.output().slice(before).includes('[supervisor] auth restarted'), 20_000);
      expect(await authHealth()).toBe(200);
      expect(await pidOf(cli.child.pid!, join('stack', 'auth', 'main.ts'))).not.toBe(authPid);

      // Postgres dies: every service needs it, so the stack stops, loudly.
      const pgPid = await pidOf(cli.child.pid!, ' -D ');
      const beforePg = cli.output().length;
      const t0 = performance.now();
      process.kill(pgPid, 'SIGKILL');
      expect(await cli.exited).toBe(1);
      const out = cli.output().slice(beforePg);
      expect(out).toContain('postgres was killed by SIGKILL after it was ready; stopping the stack');
      expect(out).toContain('✖ postgres was killed by SIGKILL; the stack stopped');
      expect(performance.now() - t0).toBeLessThan(15_000);
      for (const [name, port] of Object.entries(ports)) {
        expect(await isPortFree(port), `${name} port ${port} still taken`).toBe(true);
      }
    } finally {
      if (cli.child.exitCode === null) {
        cli.child.kill('SIGINT');
        await cli.exited;
      }
    }
  });
});

describe('Realtime whose replication stream cannot start', () => {
  it('fails to start with the reason, instead of serving without postgres_changes', async () => {
    const ctx = {
      ...makeContext({ basePort: TEST_BASE_PORT }),
      ports: { ...env.ports, realtime: TEST_BASE_PORT + 270 },
    };
    const lines: string[] = [];
    const started = startRealtime(ctx, {
      slot: 'not a valid slot name',
      replicationTimeoutMs: 1500,
      log: (l) => lines.push(l),
    });
    await expect(started).rejects.toThrow(/replication stream on slot not a valid slot name did not start/);
    expect(lines.join('\n')).toMatch(/replication stream unavailable \(.*invalid character/);
    expect(await isPortFree(TEST_BASE_PORT + 270)).toBe(true);
  });
});
