/**
 * `npm run db:types`: writes src/lib/database.types.ts with
 * @supabase/postgres-meta's TypeScript generator (the one behind
 * `supabase gen types typescript`), from the local database. Uses the running
 * stack's database when it is up; otherwise starts Postgres on the data
 * directory for the moment (applying pending migrations first).
 * `--check` compares instead of writing (exit 1 when stale).
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, makeContext } from '../stack/config.ts';
import { migrate } from '../stack/migrate.ts';
import { isPortOpen } from '../stack/process.ts';
import { startPostgres } from '../stack/postgres.ts';

export const TYPES_FILE = join(ROOT, 'src', 'lib', 'database.types.ts');

export async function generateTypes(dbUrl: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules', '@supabase', 'postgres-meta', 'dist', 'server', 'server.js')],
    {
      env: {
        ...process.env,
        PG_META_DB_URL: dbUrl,
        PG_META_GENERATE_TYPES: 'typescript',
        PG_META_GENERATE_TYPES_INCLUDED_SCHEMAS: 'public',
        PG_META_GENERATE_TYPES_DETECT_ONE_TO_ONE_RELATIONSHIPS: 'true',
        PG_META_POSTGREST_VERSION: '12.0.2',
        NODE_NO_WARNINGS: '1',
      },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return stdout.trimEnd() + '\n';
}

async function main() {
  const check = process.argv.includes('--check');
  const ctx = makeContext({
    basePort: process.env.STACK_BASE_PORT ? Number(process.env.STACK_BASE_PORT) : undefined,
    dataDir: process.env.STACK_DATA_DIR,
  });
  let stop: (() => Promise<void>) | undefined;
  if (!(await isPortOpen(ctx.ports.db))) {
    const pg = await startPostgres({ dataDir: ctx.dataDir, port: ctx.ports.db });
    stop = () => pg.stop();
    await migrate(ctx.dbUrl, { seed: 'auto' });
  }
  try {
    const types = await generateTypes(ctx.dbUrl);
    if (check) {
      const current = existsSync(TYPES_FILE) ? readFileSync(TYPES_FILE, 'utf8') : '';
      if (current !== types) {
        console.error('✖ src/lib/database.types.ts is stale: run `npm run db:types` and commit it.');
        process.exitCode = 1;
      } else console.log('✔ src/lib/database.types.ts is up to date.');
    } else {
      writeFileSync(TYPES_FILE, types);
      console.log(`✔ wrote ${TYPES_FILE.slice(ROOT.length + 1)} (${types.length} bytes)`);
    }
  } finally {
    await stop?.();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) void main();
