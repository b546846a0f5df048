/**
 * `npm run directory:import -- PATH [--prune] [--db-url URL] [--json] [--report FILE]`
 *
 * Imports an Open Referral HSDS 3.0 dataset (a folder of CSV files or its
 * datapackage.json, or a JSON file: see scripts/hsds/dataset.ts) into the
 * program directory. A program is a service at a location, matched by its
 * HSDS service_at_location id (public.program_sources):
 *   - new ones are created (capacity unknown until their claimers set it)
 *   - changed ones are updated (name, description, address, ZIP, phone,
 *     email, website, categories, verified_at from assured_date); capacity is
 *     never touched
 *   - unchanged ones (same fingerprint as the last import) are not written,
 *     so a claimer's own edits stay until the source itself changes
 *   - programs missing from the file stay, unless --prune is given: then they
 *     are deleted, except those with referrals, which are kept and listed
 * Taxonomy terms become categories through public.taxonomy_category_map.
 * Every row it cannot use is reported with its file, line (or position) and
 * id, and why. Ends with: created, updated, unchanged, rejected (and pruned).
 *
 * The database: --db-url, else DATABASE_URL, else the local stack's
 * (STACK_BASE_PORT). It connects as a database owner (postgres), as an admin
 * in Studio would.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { DEFAULT_BASE_PORT, dbUrl, portsFrom } from '../stack/config.ts';
import { DatasetError, readDataset } from './hsds/dataset.ts';
import { plan, type CategoryMap, type ProgramRecord, type Rejected } from './hsds/plan.ts';

export type ImportReport = {
  created: number;
  updated: number;
  unchanged: number;
  rejected: Rejected[];
  pruned: number;
  kept_with_referrals: string[];
  seconds: number;
  /** CPU time of the importer itself (not of Postgres). */
  cpu_seconds: number;
};

const BATCH = 1000;

export async function importDirectory(opts: {
  path: string;
  dbUrl: string;
  prune?: boolean;
  progress?: boolean;
}): Promise<ImportReport> {
  const started = performance.now();
  const bar = opts.progress
    ? new cliProgress.SingleBar(
        { format: '{step} [{bar}] {value}/{total}', hideCursor: true, stream: process.stderr },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(1, 0, { step: 'reading     ' });
  const data = readDataset(opts.path);

  const client = new pg.Client({ connectionString: opts.dbUrl });
  await client.connect();
  try {
    const zips = await client.query<{ zip: string }>('select zip from public.zip_centroids');
    const map: CategoryMap = new Map();
    for (const r of (
      await client.query<{ taxonomy: string; term: string; category: string }>(
        'select taxonomy, term, category::text from public.taxonomy_category_map',
      )
    ).rows) {
      (map.get(r.taxonomy) ?? map.set(r.taxonomy, new Map()).get(r.taxonomy)!).set(r.term, r.category);
    }
    bar?.update(1, { step: 'validating  ' });
    const p = plan(data, { knownZips: new Set(zips.rows.map((z) => z.zip)), categoryMap: map });

    const existing = new Map<string, { program_id: string; content_hash: string }>();
    for (const r of (
      await client.query<{ service_at_location_id: string; program_id: string; content_hash: string }>(
        'select service_at_location_id, program_id, content_hash from public.program_sources',
      )
    ).rows) {
      existing.set(r.service_at_location_id, r);
    }
    const toCreate: (ProgramRecord & { program_id: string })[] = [];
    const toUpdate: (ProgramRecord & { program_id: string })[] = [];
    let unchanged = 0;
    for (const rec of p.programs) {
      const had = existing.get(rec.service_at_location_id);
      if (!had) toCreate.push({ ...rec, program_id: randomUUID() });
      else if (had.content_hash !== rec.content_hash) toUpdate.push({ ...rec, program_id: had.program_id });
      else unchanged++;
    }

    const total = toCreate.length + toUpdate.length;
    bar?.setTotal(Math.max(total, 1));
    bar?.update(0, { step: 'writing     ' });
    await client.query('begin');
    // organizations and terms first (programs point to them)
    await client.query(
      `insert into public.directory_organizations (id, name, description, email, website)
       select id, name, description, email, website
         from jsonb_to_recordset($1::jsonb) as x(id uuid, name text, description text, email text, website text)
       on conflict (id) do update set name = excluded.name, description = excluded.description,
         email = excluded.email, website = excluded.website
       where (directory_organizations.name, directory_organizations.description, directory_organizations.email, directory_organizations.website)
         is distinct from (excluded.name, excluded.description, excluded.email, excluded.website)`,
      [
        JSON.stringify(
          p.organizations.map((o) => ({
            id: o.id,
            name: o.name,
            description: o.description,
            email: o.email ?? null,
            website: o.website ?? null,
          })),
        ),
      ],
    );
    await client.query(
      `insert into public.taxonomy_terms (id, code, name, description, parent_id, taxonomy)
       select id, code, name, description, parent_id, taxonomy
         from jsonb_to_recordset($1::jsonb) as x(id uuid, code text, name text, description text, parent_id uuid, taxonomy text)
       on conflict (id) do update set code = excluded.code, name = excluded.name, description = excluded.description,
         parent_id = excluded.parent_id, taxonomy = excluded.taxonomy
       where (taxonomy_terms.code, taxonomy_terms.name, taxonomy_terms.description, taxonomy_terms.parent_id, taxonomy_terms.taxonomy)
         is distinct from (excluded.code, excluded.name, excluded.description, excluded.parent_id, excluded.taxonomy)`,
      [
        JSON.stringify(
          p.terms.map((t) => ({
            id: t.id,
            code: t.code ?? null,
            name: t.name,
            description: t.description,
            parent_id: t.parent_id ?? null,
            taxonomy: t.taxonomy ?? null,
          })),
        ),
      ],
    );

    const recordset = `jsonb_to_recordset($1::jsonb) as x(program_id uuid, service_at_location_id uuid, service_id uuid,
        location_id uuid, organization_id uuid, name text, description text, address text, zip text, phone text,
        email text, website text, service_categories public.service_category[], taxonomy_term_ids uuid[],
        verified_at timestamptz, content_hash text)`;
    let done = 0;
    for (let i = 0; i < toCreate.length; i += BATCH) {
      const chunk = JSON.stringify(toCreate.slice(i, i + BATCH));
      await client.query(
        `insert into public.programs (id, name, description, address, zip, phone, email, website, service_categories, verified_at)
         select program_id, name, description, address, zip, phone, email, website, service_categories, verified_at from ${recordset}`,
        [chunk],
      );
      await client.query(
        `insert into public.program_sources (program_id, service_at_location_id, service_id, location_id, organization_id, taxonomy_term_ids, content_hash)
         select program_id, service_at_location_id, service_id, location_id, organization_id, taxonomy_term_ids, content_hash from ${recordset}`,
        [chunk],
      );
      done += Math.min(BATCH, toCreate.length - i);
      bar?.update(done);
    }
    for (let i = 0; i < toUpdate.length; i += BATCH) {
      const chunk = JSON.stringify(toUpdate.slice(i, i + BATCH));
      await client.query(
        `update public.programs p set name = x.name, description = x.description, address = x.address, zip = x.zip,
           phone = x.phone, email = x.email, website = x.website, service_categories = x.service_categories,
           verified_at = coalesce(x.verified_at, p.verified_at)
         from ${recordset} where p.id = x.program_id`,
        [chunk],
      );
      await client.query(
        `update public.program_sources s set service_id = x.service_id, location_id = x.location_id,
           organization_id = x.organization_id, taxonomy_term_ids = x.taxonomy_term_ids, content_hash = x.content_hash,
           imported_at = now()
         from ${recordset} where s.program_id = x.program_id`,
        [chunk],
      );
      done += Math.min(BATCH, toUpdate.length - i);
      bar?.update(done);
    }

    let pruned = 0;
    const kept: string[] = [];
    if (opts.prune) {
      const inFile = p.programs.map((r) => r.service_at_location_id);
      const gone = await client.query<{ program_id: string; name: string; referred: boolean }>(
        `select s.program_id, p.name,
                exists (select 1 from public.referrals r where r.program_id = s.program_id or r.from_program_id = s.program_id) as referred
           from public.program_sources s join public.programs p on p.id = s.program_id
          where not (s.service_at_location_id = any ($1::uuid[]))`,
        [inFile],
      );
      const deletable = gone.rows.filter((g) => !g.referred).map((g) => g.program_id);
      kept.push(...gone.rows.filter((g) => g.referred).map((g) => `${g.name} (${g.program_id})`));
      if (deletable.length) {
        pruned =
          (await client.query('delete from public.programs where id = any ($1::uuid[])', [deletable])).rowCount ?? 0;
      }
    }
    await client.query('commit');
    if (total > 0) await client.query('analyze public.programs, public.program_sources');
    bar?.update(Math.max(total, 1), { step: 'done        ' });
    bar?.stop();
    return {
      created: toCreate.length,
      updated: toUpdate.length,
      unchanged,
      rejected: p.rejected,
      pruned,
      kept_with_referrals: kept,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      cpu_seconds: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 100_000) / 10,
    };
  } catch (e) {
    bar?.stop();
    await client.query('rollback').catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
}

function printReport(r: ImportReport) {
  const lines = [
    `created    ${r.created}`,
    `updated    ${r.updated}`,
    `unchanged  ${r.unchanged}`,
    `rejected   ${r.rejected.length}`,
  ];
  if (r.pruned || r.kept_with_referrals.length) lines.push(`pruned     ${r.pruned}`);
  console.log(`\nDirectory import finished in ${r.seconds} s\n${lines.join('\n')}`);
  if (r.rejected.length) {
    console.log('\nRejected rows:');
    for (const x of r.rejected) console.log(`  ${x.file} ${x.where}${x.id ? ` (id ${x.id})` : ''}: ${x.reason}`);
  }
  if (r.kept_with_referrals.length) {
    console.log('\nNot in the file but kept, because referrals point to them:');
    for (const k of r.kept_with_referrals) console.log(`  ${k}`);
  }
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      prune: { type: 'boolean', default: false },
      'db-url': { type: 'string' },
      json: { type: 'boolean', default: false },
      report: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.error('Usage: npm run directory:import -- PATH [--prune] [--db-url URL] [--json] [--report FILE]');
    console.error('PATH: a folder of HSDS 3.0 CSV files (or its datapackage.json), or an HSDS 3.0 JSON file.');
    process.exit(values.help ? 0 : 2);
  }
  const base = process.env.STACK_BASE_PORT ? Number(process.env.STACK_BASE_PORT) : DEFAULT_BASE_PORT;
  const url = values['db-url'] ?? process.env.DATABASE_URL ?? dbUrl(portsFrom(base).db);
  try {
    const report = await importDirectory({
      path: positionals[0]!,
      dbUrl: url,
      prune: values.prune,
      progress: !values.json && process.stderr.isTTY,
    });
    if (values.report) writeFileSync(values.report, JSON.stringify(report, null, 2));
    if (values.json) console.log(JSON.stringify(report));
    else printReport(report);
  } catch (e) {
    console.error(
      e instanceof DatasetError ? e.message : `The import failed and changed nothing: ${(e as Error).message}`,
    );
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
