/**
 * The same supabase/ folder works with the real Supabase CLI: on a database
 * holding only what the platform provides (stack/platform.sql), `supabase
 * migration up` applies every migration, records them where our migrator
 * does, and builds the same tables, policies and functions.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, dbUrl } from '../../stack/config.ts';
import { listMigrations } from '../../stack/migrate.ts';
import { startPostgres, type PostgresHandle } from '../../stack/postgres.ts';
import { TEST_BASE_PORT } from '../support/env.ts';
import { sql } from '../support/stack.ts';

const port = TEST_BASE_PORT + 160;
const dataDir = join(ROOT, `.stack-cli-test-${TEST_BASE_PORT}`);
let pgh: PostgresHandle | undefined;

afterAll(async () => {
  await pgh?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const SHAPE = `
  select 'table ' || tablename as item from pg_tables where schemaname = 'public'
  union all select 'policy ' || tablename || ': ' || policyname from pg_policies where schemaname = 'public'
  union all select 'function ' || n.nspname || '.' || p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname in ('public', 'private')
  order by 1`;

describe('the Supabase CLI on the same folder', () => {
  it('applies every migration on top of the platform slice, to the same schema', async () => {
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    chmodSync(dataDir, 0o755);
    pgh = await startPostgres({ dataDir, port });
    const url = dbUrl(port);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(readFileSync(join(ROOT, 'stack', 'platform.sql'), 'utf8'));

      await promisify(execFile)(
        join(ROOT, 'node_modules', '.bin', 'supabase'),
        ['migration', 'up', '--db-url', `${url}?sslmode=disable`],
        { cwd: ROOT, env: { ...process.env, SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' } },
      );

      const recorded = (await client.query('select version from supabase_migrations.schema_migrations order by 1'))
        .rows;
      expect(recorded.map((r) => r.version)).toEqual(listMigrations().map((m) => m.version));
      const viaCli = (await client.query(SHAPE)).rows.map((r) => r.item);
      const viaStack = (await sql<{ item: string }>(SHAPE)).map((r) => r.item);
      expect(viaCli.length).toBeGreaterThan(10);
      expect(viaCli).toEqual(viaStack);
    } finally {
      await client.end();
    }
  }, 120_000);
});
