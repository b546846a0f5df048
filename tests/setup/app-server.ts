/**
 * The app as the end-to-end tests use it: built by Vite with the test stack's
 * URL, then served by Vite's preview server on env.appUrl (the test stack's
 * auth site_url, so email links come back to it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../stack/config.ts';
import { TEST_BASE_PORT, env } from '../support/env.ts';

/** Build the app only when end-to-end tests are part of the run. */
export function wantsApp(): boolean {
  if (process.env.TEST_APP === '0') return false;
  if (!existsSync(join(ROOT, 'src', 'main.tsx'))) return false;
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-') && a !== 'run' && !/^\d+$/.test(a));
  // `--project unit` and the like arrive as separate args; a bare run has no file filters.
  const fileFilters = filters.filter((a) => a.includes('/') || a.includes('.test'));
  return fileFilters.length === 0 || fileFilters.some((f) => f.includes('e2e'));
}

export async function startAppServer(): Promise<{ close(): Promise<void> }> {
  const { build, preview } = await import('vite');
  const outDir = join(ROOT, `dist-test-${TEST_BASE_PORT}`);
  process.env.VITE_SUPABASE_URL = env.apiUrl;
  process.env.VITE_SUPABASE_ANON_KEY = env.anonKey;
  await build({ root: ROOT, logLevel: 'warn', mode: 'production', build: { outDir, emptyOutDir: true } });
  const server = await preview({
    root: ROOT,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: TEST_BASE_PORT + 20, strictPort: true, open: false },
  });
  return {
    close: () => new Promise<void>((resolve) => server.httpServer.close(() => resolve())),
  };
}
