/**
 * Runs Supabase's own supabase-js integration tests for Realtime (private
 * channels, broadcast, httpSend, custom JWT) against the local stack.
 *
 *   npx tsx tests/realtime/upstream/run-supabase-js.ts <supabase-js checkout>
 *
 * <supabase-js checkout> is a clone of github.com/supabase/supabase-js (its
 * monorepo layout: packages/core/supabase-js/test/integration.test.ts). Their
 * code is read from there at run time and never copied into this repository.
 *
 * What the runner does, since those tests expect `supabase start`:
 *   1. starts the stack on STACK_BASE_PORT (default 47321) with a throwaway
 *      data directory;
 *   2. applies their test migrations (packages/core/supabase-js/supabase/
 *      migrations: the todos table and the realtime.messages policies for
 *      topics like '%channel%'; the Storage one is skipped: no Storage here);
 *   3. puts a gateway on 127.0.0.1:54321 (their hard-coded URL; stop
 *      `npm run dev` first) in front of the stack, with an Auth instance that
 *      allows sign-ups (their tests sign up; this project's config.toml does
 *      not allow them);
 *   4. runs their test file with vitest (tests/realtime/upstream/vitest.config.ts:
 *      `../src/index` is the supabase-js this project installs, OpenTelemetry
 *      and jsonwebtoken are small local stand-ins), only the Realtime and
 *      Custom JWT tests (`-t`), and exits with vitest's code.
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { ROOT } from '../../../stack/config.ts';
import { startStack } from '../../../stack/stack.ts';
import { start as startAuth } from '../../../stack/auth/index.ts';
import { startGateway } from '../../../stack/gateway.ts';
import { loadSupabaseConfig } from '../../../stack/config.ts';
import { freePort, UNLIMITED } from '../../support/auth-instance.ts';

const checkout = process.argv[2];
if (!checkout) {
  console.error('usage: npx tsx tests/realtime/upstream/run-supabase-js.ts <supabase-js checkout>');
  process.exit(2);
}
const pkg = resolve(checkout, 'packages/core/supabase-js');
const testFile = join(pkg, 'test/integration.test.ts');
if (!existsSync(testFile)) {
  console.error(`no ${testFile}: is ${checkout} a supabase-js checkout?`);
  process.exit(2);
}

const dataDir = mkdtempSync(join(tmpdir(), 'supabase-js-tests-'));
const stack = await startStack({
  basePort: Number(process.env.STACK_BASE_PORT ?? 47321),
  dataDir,
  fresh: true,
  log: () => undefined,
});
let code = 1;
let close: (() => Promise<void>) | undefined;
try {
  const db = new pg.Client({ connectionString: stack.ctx.dbUrl });
  db.on('error', () => undefined);
  await db.connect();
  const migrations = join(pkg, 'supabase/migrations');
  for (const f of readdirSync(migrations)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    const text = readFileSync(join(migrations, f), 'utf8');
    if (/\bstorage\./.test(text)) {
      console.log(`skipped their ${f} (Storage: not in the local stack; its tests are not run)`);
      continue;
    }
    await db.query(text);
    console.log(`applied their ${f}`);
  }
  await db.query(`notify pgrst, 'reload schema'`);
  await db.end();

  const config = structuredClone(loadSupabaseConfig());
  config.auth.enableSignup = true;
  config.auth.email.enableSignup = true;
  config.auth.rateLimit = { ...UNLIMITED };
  const ctx = {
    ...stack.ctx,
    ports: { ...stack.ctx.ports, auth: await freePort(), api: 54321 },
    apiUrl: 'http://127.0.0.1:54321',
  };
  const auth = await startAuth(ctx, { config });
  // Its pool's connections end when the stack stops.
  process.on('uncaughtException', (err: Error & { code?: string }) => {
    if (err.code !== '57P01') throw err;
  });
  const gateway = await startGateway(ctx);
  close = async () => {
    await gateway.close();
    await auth.close();
  };

  // Their file alone, in a scratch directory of this checkout (ignored by
  // git, emptied afterwards) where `../src/index` is a two-line module that
  // re-exports the supabase-js this project installs; their tsconfig
  // references the whole monorepo, so the file is not run in place.
  const scratch = join(ROOT, 'tests/realtime/upstream/.run');
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(join(scratch, 'src'), { recursive: true });
  mkdirSync(join(scratch, 'test'), { recursive: true });
  writeFileSync(join(scratch, 'src/index.ts'), "export * from '@supabase/supabase-js';\n");
  writeFileSync(join(scratch, 'src/tracing.ts'), 'export {};\n');
  copyFileSync(testFile, join(scratch, 'test/integration.test.ts'));
  const runDir = join(scratch, 'test');
  // Asynchronously: the gateway and Auth above run in this process.
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--config',
      join(ROOT, 'tests/realtime/upstream/vitest.config.ts'),
      '--root',
      runDir,
      '-t',
      'Realtime',
    ],
    { stdio: 'inherit', env: { ...process.env, UPSTREAM_SUPABASE_JS: pkg } },
  );
  code = await new Promise<number>((resolve) => {
    child.on('exit', (c) => resolve(c ?? 1));
    child.on('error', (err) => {
      console.error(err);
      resolve(1);
    });
  });
  rmSync(scratch, { recursive: true, force: true });
} catch (err) {
  console.error(err);
} finally {
  await close?.();
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(code);
