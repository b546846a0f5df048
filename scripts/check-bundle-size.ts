/**
 * `npm run size`: builds the app and prints what a first visit downloads, per
 * file and in total (gzip), for each of its two entries, and fails when one
 * is over its budget:
 *
 * - staff (index.html): the entry chunk and the chunks it preloads, 200 KB of
 *   JavaScript. Screens are split by route, so they are not part of it.
 * - seekers (seeker.html: /portal and /r/<token>): the page itself (its
 *   shell and all its CSS are inline) plus its JavaScript, 120 KB in all.
 *   The signed-in portal and the Supabase client load later, when needed.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from '../stack/config.ts';

const ENTRIES = [
  { name: 'staff (index.html), initial JavaScript', html: 'index.html', all: false, budgetKb: 200 },
  { name: 'seekers (seeker.html), page, styles and initial JavaScript', html: 'seeker.html', all: true, budgetKb: 120 },
];
const outDir = join(ROOT, 'dist-size');

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** What a first visit to `html` downloads: its module scripts and preloads; with `all`, also itself and its styles. */
function firstLoad(html: string, all: boolean): [string, number, number][] {
  const text = readFileSync(join(outDir, html), 'utf8');
  const files = new Set<string>();
  for (const m of text.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g)) files.add(m[1]!);
  for (const m of text.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)) files.add(m[1]!);
  // a stylesheet is linked, or preloaded and applied by the entry (index.html, vite.config.ts)
  if (all)
    for (const m of text.matchAll(/<link[^>]+rel="(?:stylesheet|preload" as="style)"[^>]+href="([^"]+)"/g))
      files.add(m[1]!);
  if (files.size === 0) throw new Error(`no entry script found in the built ${html}`);
  const rows: [string, number, number][] = [];
  if (all) rows.push([`/${html}`, Buffer.byteLength(text), gzipSync(text, { level: 9 }).length]);
  for (const src of files) {
    const bytes = readFileSync(join(outDir, src.replace(/^\//, '')));
    rows.push([src, bytes.length, gzipSync(bytes, { level: 9 }).length]);
  }
  return rows.sort((a, b) => b[2] - a[2]);
}

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

  const over: string[] = [];
  for (const entry of ENTRIES) {
    const rows = firstLoad(entry.html, entry.all);
    const total = rows.reduce((sum, [, , gz]) => sum + gz, 0);
    console.log(`${entry.name}:`);
    for (const [src, raw, gz] of rows)
      console.log(`  ${src.padEnd(48)} ${kb(raw).padStart(10)} raw ${kb(gz).padStart(10)} gzip`);
    console.log(`  total ${kb(total)} gzip (budget ${entry.budgetKb} KB)`);
    if (total > entry.budgetKb * 1024)
      over.push(`${entry.name} is ${kb(total)} gzip, above the ${entry.budgetKb} KB budget`);
  }
  rmSync(outDir, { recursive: true, force: true });
  if (over.length) {
    for (const o of over) console.error(`✘ ${o}`);
    process.exit(1);
  }
  console.log('✔ within budget');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
