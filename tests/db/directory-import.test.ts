/**
 * `npm run directory:import` against the test database, run as a person runs
 * it (the CLI, in a child process): a generated HSDS 3.0 dataset with bad rows
 * of every kind, a second run that changes nothing, the taxonomy mapping,
 * updates, the JSON form, and --prune.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateDataset, stableId, writeCsvDataset, type Tables } from '../../scripts/hsds/generate.ts';
import type { ImportReport } from '../../scripts/directory-import.ts';
import { closeDb, env, resetDb, signIn, sql } from '../support/stack.ts';
import { seekers, users } from './world.ts';

const ZIPS = ['78702', '78741', '78751', '78704'];
let dir: string;

function run(path: string, ...args: string[]): ImportReport {
  const out = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/directory-import.ts', path, '--db-url', env.dbUrl, '--json', ...args],
    { encoding: 'utf8' },
  );
  if (out.status !== 0) throw new Error(`import exited ${out.status}: ${out.stderr}`);
  return JSON.parse(out.stdout) as ImportReport;
}

function dataset(n: number, edit?: (t: Tables) => void): string {
  const t = generateDataset(n, { zips: ZIPS, seed: 'import-test' });
  edit?.(t);
  const path = mkdtempSync(join(dir, 'csv-'));
  writeCsvDataset(path, t);
  return path;
}

const id = (name: string) => stableId('import-test', name);

async function imported() {
  return sql<{
    sal: string;
    name: string;
    phone: string;
    zip: string;
    service_categories: string;
    updated_at: Date;
    program_id: string;
  }>(
    `select s.service_at_location_id as sal, p.name, p.phone, p.zip, p.service_categories::text, p.updated_at, p.id as program_id
       from public.program_sources s join public.programs p on p.id = s.program_id order by p.name`,
  );
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hsds-import-'));
});
beforeEach(resetDb);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeDb();
});

describe('directory:import', () => {
  it('imports valid rows, rejects each bad row with its file, line and reason, and a second run changes nothing', async () => {
    const path = dataset(20, (t) => {
      t.services[1]!.name = undefined; // required
      t.services[2]!.email = 'not-an-email'; // format
      t.services[3]!.status = 'open'; // enumeration
      t.services[4]!.status = 'defunct'; // valid, but not listed
      t.locations[5]!.location_type = 'boat'; // enumeration
      t.addresses[6]!.postal_code = 'ABC 1234'; // not a US ZIP
      t.addresses[7]!.postal_code = '00000'; // unknown ZIP
      t.service_at_locations[8]!.service_id = id('no-such-service'); // reference
      t.phones[9]!.number = undefined; // required (the program is still listed, without a phone)
      t.attributes[10]!.taxonomy_term_id = id('no-such-term'); // reference
      t.services[11]!.id = 'not-a-uuid'; // format (and its service_at_location then has no service)
    });
    const first = run(path);

    const reasons = first.rejected.map((r) => `${r.file} ${r.where}: ${r.reason}`);
    const expectLine = (pattern: RegExp) =>
      expect(
        reasons.some((r) => pattern.test(r)),
        `${pattern}\n${reasons.join('\n')}`,
      ).toBe(true);
    expectLine(/^services\.csv line 4: name is required$/); // each service row spans two lines (a line break in its description)
    expectLine(/^services\.csv line \d+: email: must be an email address$/);
    expectLine(/^services\.csv line \d+: status must be one of active, inactive, defunct, temporarily closed$/);
    expectLine(/^locations\.csv line 7: location_type must be one of physical, postal, virtual$/);
    expectLine(
      /^service_at_location\.csv line \d+: the service's status is "defunct"; only active services are listed$/,
    );
    expectLine(/postal code "ABC 1234" \(US\) is not a US ZIP code$/);
    expectLine(/ZIP code 00000 is not a known US ZIP code$/);
    expectLine(/^phones\.csv line 11: number is required$/);
    expectLine(/^attributes\.csv line 12: taxonomy_term_id [0-9a-f-]+ is not among the taxonomy terms$/);
    expectLine(/^services\.csv line 24: id: must be a UUID$/);
    expectLine(/^service_at_location\.csv line 10: service [0-9a-f-]+ is not among the valid services$/);
    expect(first.rejected.every((r) => r.file && r.where && r.reason)).toBe(true);

    // 20 services, of which 1,2,3,4,5,6,7,8,11 cannot be listed
    expect(first).toMatchObject({ created: 11, updated: 0, unchanged: 0, pruned: 0 });
    const rows = await imported();
    expect(rows).toHaveLength(11);
    expect(rows.find((r) => r.name === 'Care Service 6')).toBeUndefined();
    expect(rows.find((r) => r.name === 'Legal Service 9')).toMatchObject({ phone: null }); // its phone was rejected

    const second = run(path);
    expect(second).toMatchObject({ created: 0, updated: 0, unchanged: 11 });
    expect(second.rejected).toEqual(first.rejected);
    const again = await imported();
    expect(again.map((r) => r.updated_at.getTime())).toEqual(rows.map((r) => r.updated_at.getTime()));
  });

  it('maps taxonomy terms to categories through the mapping table, through parents', async () => {
    const path = dataset(10, (t) => {
      // a term of another taxonomy, unmapped at first
      t.taxonomy_terms.push({
        id: id('term:x'),
        code: 'BD-1800',
        name: 'Food Pantries',
        description: 'AIRS',
        taxonomy: '211 LA',
      });
      t.attributes[0]!.taxonomy_term_id = id('term:x');
    });
    run(path);
    const byName = Object.fromEntries((await imported()).map((r) => [r.name, r.service_categories]));
    expect(byName['Housing Service 1']).toBe('{housing}'); // "Housing assistance" → its parent "Housing"
    expect(byName['Legal Service 9']).toBe('{legal}');
    expect(byName['Food Service 0']).toBe('{}'); // 211 LA is not mapped

    await sql(
      `insert into public.taxonomy_category_map (taxonomy, term, category) values ('211 la', 'bd-1800', 'food')`,
    );
    try {
      // the mapping is part of what is imported: the program is updated
      const report = run(path);
      expect(report).toMatchObject({ created: 0, updated: 1, unchanged: 9 });
      expect(Object.fromEntries((await imported()).map((r) => [r.name, r.service_categories]))['Food Service 0']).toBe(
        '{food}',
      );
    } finally {
      await sql(`delete from public.taxonomy_category_map where taxonomy = '211 la'`);
    }
  });

  it('updates what changed in the source and nothing else; a claimer’s edit of an unchanged program stays', async () => {
    const path = dataset(5);
    run(path);
    const before = await imported();
    // a claimer of Food Service 0 corrects its phone number in the app
    const food = before.find((r) => r.name === 'Food Service 0')!;
    await sql(`update public.programs set phone = '(512) 555-9999' where id = $1`, [food.program_id]);

    const changed = dataset(5, (t) => {
      t.phones[1]!.number = '(512) 555-1111';
      t.addresses[2]!.postal_code = '78704';
    });
    const report = run(changed);
    expect(report).toMatchObject({ created: 0, updated: 2, unchanged: 3 });
    const after = Object.fromEntries((await imported()).map((r) => [r.name, r]));
    expect(after['Housing Service 1']!.phone).toBe('(512) 555-1111');
    expect(after['Goods Service 2']!.zip).toBe('78704');
    expect(after['Food Service 0']!.phone).toBe('(512) 555-9999');
    // same program rows: matched by service_at_location id, not re-created
    expect(
      Object.values(after)
        .map((r) => r.program_id)
        .sort(),
    ).toEqual(before.map((r) => r.program_id).sort());
  });

  it('reads the JSON form (full services as the HSDS API returns them) to the same programs', async () => {
    const t = generateDataset(3, { zips: ZIPS, seed: 'import-test' });
    const services = t.services.map((s, i) => ({
      ...s,
      organization: t.organizations.find((o) => o.id === s.organization_id),
      phones: [t.phones[i]],
      attributes: [
        { ...t.attributes[i], taxonomy_term: t.taxonomy_terms.find((x) => x.id === t.attributes[i]!.taxonomy_term_id) },
      ],
      service_at_locations: [
        { ...t.service_at_locations[i], location: { ...t.locations[i], addresses: [t.addresses[i]] } },
      ],
    }));
    const file = join(dir, 'services.json');
    writeFileSync(file, JSON.stringify(services));
    const report = run(file);
    expect(report).toMatchObject({ created: 3, rejected: [] });
    const rows = await imported();
    expect(rows.map((r) => [r.name, r.zip, r.phone])).toEqual([
      ['Food Service 0', '78702', '(512) 555-0000'],
      ['Goods Service 2', '78751', '(512) 555-0002'],
      ['Housing Service 1', '78741', '(512) 555-0001'],
    ]);
    expect(run(file)).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
  });

  it('keeps programs missing from the file unless --prune; --prune keeps those with referrals and says so', async () => {
    run(dataset(6));
    const rows = await imported();
    const kept = rows.find((r) => r.name === 'Money Service 5')!;
    // Helen refers Sam to one of the programs that will disappear from the file
    const helen = await signIn(users.helen.email);
    const made = await helen
      .from('referrals')
      .insert({ seeker_id: seekers.sam, program_id: kept.program_id })
      .select('id');
    expect(made.error).toBeNull();

    const smaller = dataset(4); // services 4 and 5 are gone
    expect(run(smaller)).toMatchObject({ created: 0, updated: 0, unchanged: 4, pruned: 0 });
    expect(await imported()).toHaveLength(6);

    const pruned = run(smaller, '--prune');
    expect(pruned.pruned).toBe(1);
    expect(pruned.kept_with_referrals).toEqual([`${kept.name} (${kept.program_id})`]);
    const left = (await imported()).map((r) => r.name);
    expect(left).toHaveLength(5);
    expect(left).toContain(kept.name);
    // hand-entered programs are never pruned
    const [seeded] = await sql<{ n: number }>(
      `select count(*)::int as n from public.programs p where not exists (select 1 from public.program_sources s where s.program_id = p.id)`,
    );
    expect(seeded!.n).toBe(3);
  });

  it('a path that is not a dataset is a clear error and changes nothing', () => {
    const out = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/directory-import.ts', join(dir, 'missing'), '--db-url', env.dbUrl],
      { encoding: 'utf8' },
    );
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('No such file or folder');
  });
});
