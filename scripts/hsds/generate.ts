/**
 * Makes an HSDS 3.0 dataset of N services, each at one location with an
 * address in a real ZIP code, a phone and an Open Eligibility taxonomy term
 * (under the top-level term of its category), run by one organisation per
 * ten services. Ids derive from a seed, so the same call makes the same
 * dataset. Used by the import tests and the directory benchmark.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csvField } from './csv.ts';
import { TABLES, type TableName } from './schema.ts';

export type Tables = Record<TableName, Record<string, unknown>[]>;

/** A UUID (version 4 layout) from a seed and a name: stable across runs. */
export function stableId(seed: string, name: string): string {
  const h = createHash('sha256').update(`${seed}:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const CATEGORIES = [
  'food',
  'housing',
  'goods',
  'transit',
  'health',
  'money',
  'care',
  'education',
  'work',
  'legal',
];

export function generateDataset(n: number, opts: { seed?: string; zips: string[] }): Tables {
  const seed = opts.seed ?? 'hsds';
  const id = (name: string) => stableId(seed, name);
  const t: Tables = {
    organizations: [],
    services: [],
    locations: [],
    service_at_locations: [],
    phones: [],
    addresses: [],
    service_areas: [],
    taxonomy_terms: [],
    attributes: [],
  };
  for (const c of CATEGORIES) {
    t.taxonomy_terms.push({
      id: id(`term:${c}`),
      code: c,
      name: c[0]!.toUpperCase() + c.slice(1),
      description: `Open Eligibility: ${c}`,
      taxonomy: 'Open Eligibility',
    });
    t.taxonomy_terms.push({
      id: id(`term:${c}:sub`),
      code: `${c}-assistance`,
      name: `${c[0]!.toUpperCase() + c.slice(1)} assistance`,
      description: `Help with ${c}`,
      parent_id: id(`term:${c}`),
      taxonomy: 'Open Eligibility',
    });
  }
  for (let i = 0; i < n; i++) {
    const org = Math.floor(i / 10);
    if (i % 10 === 0) {
      t.organizations.push({
        id: id(`org:${org}`),
        name: `Community Organisation ${org}`,
        description: `Runs services ${org * 10} to ${org * 10 + 9}.`,
        email: `info${org}@org.example`,
        website: `https://org${org}.example`,
      });
    }
    const s = id(`service:${i}`);
    const l = id(`location:${i}`);
    const c = CATEGORIES[i % CATEGORIES.length]!;
    t.services.push({
      id: s,
      organization_id: id(`org:${org}`),
      name: `${c[0]!.toUpperCase() + c.slice(1)} Service ${i}`,
      description: `Helps with ${c}, "including" evenings,\nand weekends.`,
      url: `https://org${org}.example/services/${i}`,
      email: `service${i}@org.example`,
      status: 'active',
      assured_date: '2026-11-01',
      last_modified: '2026-11-01T12:00:00Z',
    });
    t.locations.push({ id: l, location_type: 'physical', organization_id: id(`org:${org}`), name: `Site ${i}` });
    t.service_at_locations.push({ id: id(`sal:${i}`), service_id: s, location_id: l });
    t.addresses.push({
      id: id(`address:${i}`),
      location_id: l,
      address_1: `${100 + i} Main Street`,
      city: 'Austin',
      state_province: 'TX',
      postal_code: opts.zips[i % opts.zips.length]!,
      country: 'US',
      address_type: 'physical',
    });
    t.phones.push({ id: id(`phone:${i}`), service_id: s, number: `(512) 555-${String(i % 10000).padStart(4, '0')}` });
    t.service_areas.push({ id: id(`area:${i}`), service_id: s, name: 'Travis County' });
    t.attributes.push({
      id: id(`attribute:${i}`),
      link_id: s,
      link_type: 'service',
      link_entity: 'service',
      taxonomy_term_id: id(`term:${c}:sub`),
    });
  }
  return t;
}

/** Writes the tables as the tabular form: one CSV per table and a datapackage.json. */
export function writeCsvDataset(dir: string, tables: Tables) {
  mkdirSync(dir, { recursive: true });
  const resources = [];
  for (const [table, rows] of Object.entries(tables) as [TableName, Record<string, unknown>[]][]) {
    const file = TABLES[table].file;
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    if (columns.length === 0) columns.push('id');
    const text = [columns.join(','), ...rows.map((r) => columns.map((c) => csvField(r[c])).join(','))].join('\r\n');
    writeFileSync(join(dir, file), `${text}\r\n`);
    resources.push({ name: table === 'service_at_locations' ? 'service_at_location' : table, path: file });
  }
  writeFileSync(join(dir, 'datapackage.json'), JSON.stringify({ name: 'hsds-generated', resources }, null, 2));
}
