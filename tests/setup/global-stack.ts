/**
 * Vitest global setup for every suite that needs the real stack: starts a
 * fresh local stack on TEST_STACK_BASE_PORT (default 25321, never the dev
 * ports), builds and serves the app for the end-to-end tests, and offers a
 * small control endpoint so tests can restart services (fault tests). Stops
 * everything when the run ends.
 */
import http from 'node:http';
import { join } from 'node:path';
import pg from 'pg';
import { ROOT } from '../../stack/config.ts';
import { RATE_LIMIT_ENV } from '../../stack/auth/limits.ts';
import { startStack, type StackHandle } from '../../stack/stack.ts';
import { TEST_BASE_PORT, env } from '../support/env.ts';
import { startAppServer, wantsApp } from './app-server.ts';

function controlServer(stack: StackHandle): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const [, action, service] = (req.url ?? '').split('/');
    const run = async () => {
      if (service === 'postgres') {
        if (action !== 'restart') throw new Error('postgres can only be restarted');
        await stack.restartPostgres();
        return;
      }
      const name = service as Parameters<StackHandle['restartService']>[0];
      if (action === 'restart') await stack.restartService(name);
      else if (action === 'stop') await stack.stopService(name);
      else if (action === 'start') await stack.startService(name);
      else throw new Error(`unknown action ${action}`);
    };
    run().then(
      () => res.writeHead(204).end(),
      (err: unknown) => res.writeHead(500).end(String(err instanceof Error ? err.message : err)),
    );
  });
  return new Promise((resolve) => server.listen(TEST_BASE_PORT + 19, '127.0.0.1', () => resolve(server)));
}

/**
 * Every suite signs in from 127.0.0.1, far more often than the per-IP limits
 * of config.toml allow a real client; the test stack's Auth gets limits no
 * suite reaches. tests/security proves the limits on an instance of its own.
 */
export const RAISED_RATE_LIMITS = '1000000';

/**
 * The messages of a status change wait a grace period in the outbox (30 s by
 * default, private.notification_settings) so that an undo sends nothing, and
 * a change made within it replaces the one before. The suites that are about
 * delivery make several changes in a row and expect a message for each, so
 * the test stack sends at once; the tests of the grace period itself
 * (tests/notifications/grace.test.ts, the undo in tests/e2e) set the grace
 * they need and put this back.
 */
export const TEST_STATUS_CHANGE_GRACE_SECONDS = 0;

async function setTestGrace(): Promise<void> {
  const client = new pg.Client({ connectionString: env.dbUrl });
  await client.connect();
  try {
    await client.query('update private.notification_settings set status_change_grace_seconds = $1', [
      TEST_STATUS_CHANGE_GRACE_SECONDS,
    ]);
  } finally {
    await client.end();
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  const t0 = performance.now();
  for (const name of Object.values(RATE_LIMIT_ENV)) process.env[name] = RAISED_RATE_LIMITS;
  const quiet = !process.env.TEST_STACK_LOGS;
  const stack = await startStack({
    basePort: TEST_BASE_PORT,
    dataDir: join(ROOT, `.stack-test-${TEST_BASE_PORT}`),
    siteUrl: env.appUrl,
    fresh: true,
    // Test-only functions (hello): served here, never deployed with supabase/functions.
    extraFunctionDirs: [join(ROOT, 'tests', 'fixtures', 'functions')],
    log: quiet
      ? (svc, line) => {
          if (/error|fatal|panic/i.test(line) && svc !== 'postgres') process.stderr.write(`[${svc}] ${line}\n`);
        }
      : (svc, line) => process.stderr.write(`[${svc}] ${line}\n`),
  });
  await setTestGrace();
  const control = await controlServer(stack);
  const app = wantsApp() ? await startAppServer() : undefined;
  process.stderr.write(
    `test stack up on ${env.apiUrl} in ${Math.round(performance.now() - t0)} ms${app ? `, app on ${env.appUrl}` : ''}\n`,
  );
  return async () => {
    await app?.close();
    await new Promise((r) => control.close(r));
    await stack.stop();
  };
}
