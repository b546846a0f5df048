/**
 * Applies the platform slice, then supabase/migrations/*.sql in name order
 * (each in its own transaction, recorded in supabase_migrations.schema_migrations
 * as the Supabase CLI records them), then the seed files on a fresh database.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import pg from 'pg';
import { ROOT, SUPABASE_DIR, loadSupabaseConfig } from './config.ts';

export class MigrationError extends Error {
  constructor(
    public file: string,
    public pgMessage: string,
    detail: string,
  ) {
    super(`${file} failed: ${pgMessage}${detail}`);
  }
}

const MIGRATION_NAME = /^(\d+)_(.+)\.sql$/;

export function listMigrations(
  dir = join(SUPABASE_DIR, 'migrations'),
): { version: string; name: string; path: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => {
      const m = MIGRATION_NAME.exec(f);
      if (!m) throw new MigrationError(f, 'the name must be <timestamp>_<name>.sql', '');
      return { version: m[1]!, name: m[2]!, path: join(dir, f) };
    });
}

/** Line and column of a Postgres error position inside a file's text. */
function where(sql: string, err: pg.DatabaseError): string {
  const pos = Number(err.position);
  const parts: string[] = [];
  if (pos > 0) {
    const before = sql.slice(0, pos - 1);
    const line = before.split('\n').length;
    parts.push(` (line ${line})`);
  }
  if (err.detail) parts.push(`\n  detail: ${err.detail}`);
  if (err.hint) parts.push(`\n  hint: ${err.hint}`);
  if (err.where) parts.push(`\n  where: ${err.where}`);
  return parts.join('');
}

async function runFile(client: pg.Client, file: string, sql: string, record?: () => Promise<void>): Promise<void> {
  await client.query('begin');
  try {
    await client.query(sql);
    await record?.();
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    const e = err as pg.DatabaseError;
    throw new MigrationError(relative(ROOT, file), e.message, e.position || e.detail ? where(sql, e) : '');
  }
}

export interface MigrateResult {
  applied: string[];
  seeded: boolean;
}

/**
 * `seed: 'auto'` seeds only a database that was never seeded (first start,
 * after db:reset, or after a first start that stopped at a broken migration).
 */
export async function migrate(
  dbUrl: string,
  opts: { seed: boolean | 'auto'; log?: (l: string) => void; migrationsDir?: string },
): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    await client.query('set client_min_messages = warning');
    const platform = join(ROOT, 'stack', 'platform.sql');
    await runFile(client, platform, readFileSync(platform, 'utf8'));

    const done = new Set(
      (await client.query<{ version: string }>('select version from supabase_migrations.schema_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    const migrations = listMigrations(opts.migrationsDir);
    // A database built from migrations that no longer exist (the folder was
    // squashed or rewritten) would silently keep an old schema.
    const known = new Set(migrations.map((m) => m.version));
    const gone = [...done].filter((v) => !known.has(v)).sort();
    if (gone.length > 0) {
      throw new MigrationError(
        'supabase/migrations',
        `the database holds migrations that are no longer in the folder (${gone.join(', ')})`,
        '\n  hint: npm run db:reset rebuilds the local database from the current migrations (its data is lost)',
      );
    }
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      const sql = readFileSync(m.path, 'utf8');
      await runFile(client, m.path, sql, async () => {
        await client.query(
          'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)',
          [m.version, m.name, [sql]],
        );
      });
      applied.push(basename(m.path));
      opts.log?.(`applied ${basename(m.path)}`);
    }

    let seeded = false;
    const neverSeeded =
      Number((await client.query('select count(*) as n from supabase_migrations.seed_files')).rows[0].n) === 0;
    if (opts.seed === true || (opts.seed === 'auto' && neverSeeded)) {
      for (const path of loadSupabaseConfig().seedPaths) {
        if (!existsSync(path)) continue;
        const sql = readFileSync(path, 'utf8');
        const rel = relative(SUPABASE_DIR, path);
        await runFile(client, path, sql, async () => {
          await client.query(
            `insert into supabase_migrations.seed_files (path, hash) values ($1, $2)
             on conflict (path) do update set hash = excluded.hash`,
            [rel, createHash('sha256').update(sql).digest('hex')],
          );
        });
        seeded = true;
        opts.log?.(`seeded ${rel}`);
      }
    }
    // PostgREST reloads its schema cache when told on this channel.
    await client.query(`notify pgrst, 'reload schema'`);
    return { applied, seeded };
  } finally {
    await client.end();
  }
}
