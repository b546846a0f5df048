/**
 * The directory at 10,000 services: HSDS import, program search with the
 * capacity filter, and the hsds read API by postcode and proximity.
 *
 *   STACK_BASE_PORT=54321 npm run bench:directory -- [--services 10000] [--iterations 100] [--warmup 10]
 *
 * 1. Generates an HSDS 3.0 dataset of N services (each at a location with an
 *    address in a Texas ZIP code, a phone and a taxonomy term; tabular CSV
 *    form) and times `npm run directory:import` on it, then the re-import of
 *    the unchanged files. A fresh seed each run, so the first import creates
 *    N programs.
 * 2. Gives every program a capacity (40% accepting, 20% waitlist, 20% not
 *    accepting, the rest unknown) and times search_programs as Helen through
 *    the gateway, with and without accepting_only, from ZIP 78702.
 * 3. Times GET /functions/v1/hsds/service_at_locations?postcode=78702&proximity=…
 *    with the anon key.
 * Prints p50/p95 in milliseconds, and the load average (the figures include
 * waiting for a CPU). Removes the programs it imported when it ends.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { generateDataset, writeCsvDataset } from '../scripts/hsds/generate.ts';
import { DEFAULT_BASE_PORT, KEYS, dbUrl, portsFrom } from '../stack/config.ts';
import { percentile } from './support.ts';


async function measure(name: string, iterations: number, warmup: number, fn: () => Promise<void>) {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const row = { name, p50: percentile(times, 50), p95: percentile(times, 95) };
  console.log(`${name.padEnd(64)} p50 ${row.p50.toFixed(1).padStart(7)} ms   p95 ${row.p95.toFixed(1).padStart(7)} ms`);
  return row;
}

function runImport(path: string, url: string): { seconds: number; report: Record<string, unknown> } {
  const t = performance.now();
  const out = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/directory-import.ts', path, '--db-url', url, '--json'],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (out.status !== 0) throw new Error(`import failed: ${out.stderr}`);
  return { seconds: (performance.now() - t) / 1000, report: JSON.parse(out.stdout) };
}

async function main() {
  const { values } = parseArgs({
    options: {
      services: { type: 'string', default: '10000' },
      iterations: { type: 'string', default: '100' },
      warmup: { type: 'string', default: '10' },
    },
  });
  const n = Number(values.services);
  const iterations = Number(values.iterations);
  const warmup = Number(values.warmup);
  const base = process.env.STACK_BASE_PORT ? Number(process.env.STACK_BASE_PORT) : DEFAULT_BASE_PORT;
  const ports = portsFrom(base);
  const url = dbUrl(ports.db);
  const apiUrl = `http://127.0.0.1:${ports.api}`;
  const db = new pg.Client({ connectionString: url });
  await db.connect();

  // 1. import
  const zips = (
    await db.query<{ zip: string }>(`select zip from public.zip_centroids where zip like '7%' order by zip`)
  ).rows.map((r) => r.zip);
  const dir = mkdtempSync(join(tmpdir(), 'bench-directory-'));
  const dataset = generateDataset(n, { zips, seed: `bench-${Date.now()}` });
  const serviceIds = dataset.services.map((s) => s.id as string);
  const orgIds = dataset.organizations.map((o) => o.id as string);
  writeCsvDataset(dir, dataset);
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`Dataset: ${n} services, ${n} locations, phones, addresses, taxonomy attributes (CSV) in ${dir}`);
  const first = runImport(dir, url);
  console.log(
    `import of ${n} services            ${first.seconds.toFixed(1)} s, importer CPU ${first.report.cpu_seconds} s  (created ${first.report.created}, rejected ${(first.report.rejected as unknown[]).length})`,
  );
  const again = runImport(dir, url);
  console.log(
    `re-import, unchanged              ${again.seconds.toFixed(1)} s, importer CPU ${again.report.cpu_seconds} s  (unchanged ${again.report.unchanged})`,
  );
  rmSync(dir, { recursive: true, force: true });

  // 2. capacities
  await db.query(`update public.programs set capacity = (array['accepting','accepting','accepting','accepting','waitlist','waitlist',
      'not_accepting','not_accepting','unknown','unknown'])[1 + (abs(hashtext(id::text)) % 10)]::public.program_capacity,
      capacity_updated_at = now() - interval '1 day'`);
  await db.query('analyze public.programs');
  const [{ count }] = (await db.query<{ count: string }>('select count(*) from public.programs')).rows as [
    { count: string },
  ];
  console.log(`programs in the directory: ${count}\n`);

  const helen = createClient(apiUrl, KEYS.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
  });
  const { error } = await helen.auth.signInWithPassword({ email: 'helen@eastside.example', password: 'password123' });
  if (error) throw error;
  const search = (accepting: boolean, within?: number) => async () => {
    const r = await helen.rpc('search_programs', {
      zip: '78702',
      max_results: 50,
      accepting_only: accepting,
      within_miles: within,
    });
    if (r.error || !r.data?.length) throw new Error(`search failed: ${r.error?.message ?? 'no rows'}`);
  };
  await measure('search_programs (78702, 50 nearest)', iterations, warmup, search(false));
  await measure('search_programs (78702, 50 nearest, accepting only)', iterations, warmup, search(true));
  await measure('search_programs (78702, within 25 miles, accepting only)', iterations, warmup, search(true, 25));

  // 3. hsds
  const hsds = (path: string) => async () => {
    const res = await fetch(`${apiUrl}/functions/v1/hsds${path}`, {
      headers: { Authorization: `Bearer ${KEYS.anonKey}` },
    });
    const body = (await res.json()) as { total_items?: number };
    if (res.status !== 200 || !body.total_items)
      throw new Error(`hsds ${path}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
  };
  await measure(
    'hsds service_at_locations?postcode=78702&proximity=10000',
    iterations,
    warmup,
    hsds('/service_at_locations?postcode=78702&proximity=10000'),
  );
  await measure(
    'hsds service_at_locations?postcode=78702&proximity=50000',
    iterations,
    warmup,
    hsds('/service_at_locations?postcode=78702&proximity=50000'),
  );
  await measure('hsds services?per_page=50', iterations, warmup, hsds('/services?per_page=50'));
  console.log(
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  await helen.auth.signOut();
  // leave the directory as it was
  await db.query(
    'delete from public.programs where id in (select program_id from public.program_sources where service_id = any ($1::uuid[]))',
    [serviceIds],
  );
  await db.query('delete from public.directory_organizations where id = any ($1::uuid[])', [orgIds]);
  await db.end();
}

await main();
