/**
 * supabase/schemas/ is the readable truth and supabase/migrations/ is what
 * deploys: two fresh databases, one built from each on top of the platform
 * slice, must have the same schema, fact for fact (tests/support/schema-dump.ts).
 * When this fails, the lines it prints name the object that differs: add the
 * missing migration, or bring the schema file in line with it.
 */
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SUPABASE_DIR, dbUrl } from '../../stack/config.ts';
import { listMigrations } from '../../stack/migrate.ts';
import { startPostgres, type PostgresHandle } from '../../stack/postgres.ts';
import { TEST_BASE_PORT } from '../support/env.ts';
import { schemaDump } from '../support/schema-dump.ts';

const port = TEST_BASE_PORT + 170;
const dataDir = join(ROOT, `.stack-drift-test-${TEST_BASE_PORT}`);
let pgh: PostgresHandle | undefined;
const clients: pg.Client[] = [];

const schemaFiles = () =>
  readdirSync(join(SUPABASE_DIR, 'schemas'))
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => join(SUPABASE_DIR, 'schemas', f));

/** A new database with the platform slice and then each file, in order. */
async function build(name: string, files: string[]): Promise<pg.Client> {
  const admin = new pg.Client({ connectionString: dbUrl(port) });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const client = new pg.Client({ connectionString: dbUrl(port).replace(/\/postgres$/, `/${name}`) });
  await client.connect();
  clients.push(client);
  await client.query('set client_min_messages = warning');
  for (const file of [join(ROOT, 'stack', 'platform.sql'), ...files]) {
    try {
      await client.query(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
    }
  }
  return client;
}

/** Lines only in `a`, prefixed "-", and only in `b`, prefixed "+". */
function difference(a: string[], b: string[]): string[] {
  const inA = new Set(a);
  const inB = new Set(b);
  return [...a.filter((l) => !inB.has(l)).map((l) => `- ${l}`), ...b.filter((l) => !inA.has(l)).map((l) => `+ ${l}`)];
}

let fromMigrations: pg.Client;
let fromSchemas: pg.Client;

beforeAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  chmodSync(dataDir, 0o755);
  pgh = await startPostgres({ dataDir, port });
  fromMigrations = await build(
    'from_migrations',
    listMigrations().map((m) => m.path),
  );
  fromSchemas = await build('from_schemas', schemaFiles());
}, 120_000);

afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  await pgh?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('supabase/schemas and supabase/migrations', () => {
  it('build the same schema', async () => {
    const a = await schemaDump(fromMigrations);
    const b = await schemaDump(fromSchemas);
    expect(a.length).toBeGreaterThan(400);
    expect(difference(a, b)).toEqual([]);
  });

  it('notices a changed policy, function, grant, index or comment', async () => {
    const before = await schemaDump(fromSchemas);
    await fromSchemas.query('begin');
    try {
      await fromSchemas.query(`
        alter policy "Authors can delete their own notes" on public.referral_notes using (true);
        create or replace function private.display_name(p_first text, p_last text) returns text
          language sql immutable set search_path = '' as $$ select 'x' $$;
        grant insert on public.referral_events to authenticated;
        create index referrals_comment_idx on public.referrals (comment);
        comment on column public.seekers.zip is 'changed';`);
      const changed = difference(before, await schemaDump(fromSchemas));
      for (const what of [
        'Authors can delete their own notes',
        'private.display_name',
        'relation public.referral_events',
        'referrals_comment_idx',
        'column public.seekers.zip',
      ]) {
        expect(changed.filter((l) => l.includes(what)).length, what).toBeGreaterThan(0);
      }
    } finally {
      await fromSchemas.query('rollback');
    }
  });
});
