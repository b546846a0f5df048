/**
 * One command runs every suite (`npm test` → `vitest run`):
 *   unit   jsdom: components and pure functions, no stack.
 *   stack  node: everything that talks to the real local stack through
 *          supabase-js (database, auth, realtime, functions, notifications)
 *          and the end-to-end tests in Chromium. One stack per run, started
 *          by tests/setup/global-stack.ts; files run one at a time because
 *          they share the seeded world.
 */
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';

const alias = {
  '@': fileURLToPath(new URL('./src', import.meta.url)),
  '@shared': fileURLToPath(new URL('./supabase/functions/_shared', import.meta.url)),
};

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [react()],
        resolve: { alias },
        test: {
          name: 'unit',
          environment: 'jsdom',
          include: ['src/**/*.test.{ts,tsx}', 'tests/unit/**/*.test.{ts,tsx}', 'tests/components/**/*.test.{ts,tsx}'],
          setupFiles: ['tests/setup/jsdom.ts'],
          css: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'stack',
          environment: 'node',
          include: [
            'tests/stack/**/*.test.ts',
            'tests/auth/**/*.test.ts',
            'tests/db/**/*.test.ts',
            'tests/realtime/**/*.test.ts',
            'tests/functions/**/*.test.ts',
            'tests/notifications/**/*.test.ts',
            'tests/e2e/**/*.test.ts',
            'tests/security/**/*.test.ts',
          ],
          globalSetup: ['tests/setup/global-stack.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // A screen waited for by expect.poll may take more than the default
          // second on a loaded machine; a test that times something says so
          // with its own timeout.
          expect: { poll: { timeout: 5_000 } },
          sequence: { shuffle: false },
        },
      },
    ],
  },
});
