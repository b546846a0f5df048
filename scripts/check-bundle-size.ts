/**
 * `npm run size`: builds the app and prints the JavaScript a first visit
 * downloads (the entry chunk and the chunks it preloads, gzip), per file and in
 * total. Screens are split by route, so they are not part of it. Fails when the
 * total is above the budget (200 KB gzip).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from '../stack/config.ts';

const BUDGET_KB = 200;
const outDir = join(ROOT, 'dist-size');

async function main() {
  const { build } = await import('vite');
  // The values only need to be valid; the size does not depend on them.
  process.env.VITE_SUPABASE_URL ??= 'http://127.0.0.1:54321';
  process.env.VITE_SUPABASE_ANON_KEY ??= 'size-check-anon-key-placeholder-0000000000';
  await build({
    root: ROOT,
    logLevel: 'warn',
    mode: 'production',
    build: { outDir, emptyOutDir: true, sourcemap: false },
  });

  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const initial = new Set<string>();
  for (const m of html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g)) initial.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)) initial.add(m[1]!);
  if (initial.size === 0) throw new Error('no entry script found in the built index.html');

  let total = 0;
  const rows: [string, number, number][] = [];
  for (const src of initial) {
    const bytes = readFileSync(join(outDir, src.replace(/^\//, '')));
    const gz = gzipSync(bytes, { level: 9 }).length;
    total += gz;
    rows.push([src, bytes.length, gz]);
  }
  rows.sort((a, b) => b[2] - a[2]);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log('Initial JavaScript (entry + preloaded chunks):');
  for (const [src, raw, gz] of rows)
    console.log(`  ${src.padEnd(48)} ${kb(raw).padStart(10)} raw ${kb(gz).padStart(10)} gzip`);
  console.log(`  total ${kb(total)} gzip (budget ${BUDGET_KB} KB)`);
  rmSync(outDir, { recursive: true, force: true });
  if (total > BUDGET_KB * 1024) {
    console.error(`✘ initial JavaScript is ${kb(total)} gzip, above the ${BUDGET_KB} KB budget`);
    process.exit(1);
  }
  console.log('✔ within budget');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
