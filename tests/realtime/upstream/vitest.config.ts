/**
 * Runs supabase-js's own integration test file (see run-supabase-js.ts) with
 * this project's node_modules (`../src/index` is written by the runner and
 * re-exports the installed @supabase/supabase-js); the few packages that
 * file imports which this project does not install are replaced by the
 * stand-ins in ./stubs.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const modules = fileURLToPath(new URL('../../../node_modules/', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^jsonwebtoken$/, replacement: here('./stubs/jsonwebtoken.ts') },
      { find: /^@opentelemetry\/(.*)$/, replacement: here('./stubs/opentelemetry.ts') },
      { find: /^ws$/, replacement: `${modules}ws/wrapper.mjs` },
    ],
  },
  server: { fs: { strict: false } },
  test: {
    include: ['integration.test.ts'],
    globals: true,
    environment: 'node',
    setupFiles: [here('./stubs/setup.ts')],
    testTimeout: 20_000,
    fileParallelism: false,
  },
});
