/**
 * Reads an HSDS 3.0 dataset into its tables, each row with where it came
 * from (file and line, or file and position) for the rejected-rows report.
 *
 * Two forms:
 *   - tabular: a folder of CSV files named as the specification's
 *     datapackage names them (organizations.csv, services.csv,
 *     locations.csv, service_at_location.csv, phones.csv, addresses.csv,
 *     service_areas.csv, taxonomy_terms.csv, attributes.csv), or a
 *     datapackage.json naming them; missing files are empty tables
 *   - JSON: one file holding those tables as arrays keyed by table name
 *     ({ "organizations": [...], "services": [...], ... }), or an array of
 *     full services as the HSDS API returns them (service with organization,
 *     phones, attributes with taxonomy_term, service_areas and
 *     service_at_locations with their location, addresses and phones),
 *     which is flattened into the same tables.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseCsv } from './csv.ts';
import { TABLES, type TableName } from './schema.ts';

export type SourceRow = { file: string; where: string; values: Record<string, unknown> };
export type Dataset = Record<TableName, SourceRow[]>;

export class DatasetError extends Error {}

const TABLE_NAMES = Object.keys(TABLES) as TableName[];

function emptyDataset(): Dataset {
  return Object.fromEntries(TABLE_NAMES.map((t) => [t, []])) as unknown as Dataset;
}

/** JSON table names, with the singular the tabular form uses for one of them. */
const JSON_ALIASES: Record<string, TableName> = { service_at_location: 'service_at_locations' };

export function readDataset(path: string): Dataset {
  if (!existsSync(path)) throw new DatasetError(`No such file or folder: ${path}`);
  if (statSync(path).isDirectory()) return readTabular(path);
  if (basename(path) === 'datapackage.json') return readTabular(dirname(path), path);
  if (path.endsWith('.csv'))
    throw new DatasetError('Give the folder that holds the CSV files (or its datapackage.json), not one CSV file');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DatasetError(`${basename(path)} is not valid JSON: ${(e as Error).message}`);
  }
  return readJson(basename(path), json);
}

function readTabular(dir: string, packagePath?: string): Dataset {
  const data = emptyDataset();
  const files = new Map<TableName, string>(TABLE_NAMES.map((t) => [t, join(dir, TABLES[t].file)]));
  if (packagePath ?? existsSync(join(dir, 'datapackage.json'))) {
    const pkg = JSON.parse(readFileSync(packagePath ?? join(dir, 'datapackage.json'), 'utf8')) as {
      resources?: { name?: string; path?: string }[];
    };
    for (const r of pkg.resources ?? []) {
      const table =
        (r.name && (JSON_ALIASES[r.name] ?? (r.name in TABLES ? (r.name as TableName) : undefined))) || undefined;
      if (table && r.path) files.set(table, join(dir, r.path));
    }
  }
  for (const [table, file] of files) {
    if (!existsSync(file)) continue;
    data[table] = parseCsv(readFileSync(file, 'utf8')).map((r) => ({
      file: basename(file),
      where: `line ${r.line}`,
      values: r.values,
    }));
  }
  return data;
}

function readJson(file: string, json: unknown): Dataset {
  const data = emptyDataset();
  if (Array.isArray(json)) {
    json.forEach((s, i) => flattenService(data, file, `services[${i}]`, s));
    return data;
  }
  if (!json || typeof json !== 'object')
    throw new DatasetError(`${file}: expected an object of tables or an array of services`);
  for (const [key, rows] of Object.entries(json as Record<string, unknown>)) {
    const table = JSON_ALIASES[key] ?? (key in TABLES ? (key as TableName) : undefined);
    if (!table) continue;
    if (!Array.isArray(rows)) throw new DatasetError(`${file}: "${key}" must be an array`);
    rows.forEach((values, i) =>
      data[table].push({ file, where: `${key}[${i}]`, values: (values ?? {}) as Record<string, unknown> }),
    );
  }
  return data;
}

type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

/** A full service (HSDS API form) into the tables; nested arrays are not kept on the rows. */
function flattenService(data: Dataset, file: string, at: string, value: unknown) {
  const s = obj(value) ?? {};
  const push = (table: TableName, where: string, v: Obj) => data[table].push({ file, where, values: v });
  const strip = (o: Obj, keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
  const org = obj(s.organization);
  if (org) push('organizations', `${at}.organization`, strip(org, ['services', 'phones', 'locations']));
  push(
    'services',
    at,
    strip(s, ['organization', 'phones', 'attributes', 'service_areas', 'service_at_locations', 'program', 'schedules']),
  );
  arr(s.phones).forEach((p, i) => push('phones', `${at}.phones[${i}]`, { service_id: s.id, ...p }));
  arr(s.service_areas).forEach((a, i) =>
    push('service_areas', `${at}.service_areas[${i}]`, { service_id: s.id, ...a }),
  );
  arr(s.attributes).forEach((a, i) => {
    const term = obj(a.taxonomy_term);
    if (term) push('taxonomy_terms', `${at}.attributes[${i}].taxonomy_term`, strip(term, ['taxonomy_detail']));
    push('attributes', `${at}.attributes[${i}]`, {
      link_id: s.id,
      link_entity: 'service',
      ...strip(a, ['taxonomy_term']),
      taxonomy_term_id: a.taxonomy_term_id ?? term?.id,
    });
  });
  arr(s.service_at_locations).forEach((sal, i) => {
    const where = `${at}.service_at_locations[${i}]`;
    const loc = obj(sal.location);
    push('service_at_locations', where, {
      service_id: s.id,
      ...strip(sal, ['location', 'phones', 'service']),
      location_id: sal.location_id ?? loc?.id,
    });
    arr(sal.phones).forEach((p, k) =>
      push('phones', `${where}.phones[${k}]`, { service_at_location_id: sal.id, ...p }),
    );
    if (loc) {
      push('locations', `${where}.location`, strip(loc, ['addresses', 'phones']));
      arr(loc.addresses).forEach((a, k) =>
        push('addresses', `${where}.location.addresses[${k}]`, { location_id: loc.id, ...a }),
      );
      arr(loc.phones).forEach((p, k) =>
        push('phones', `${where}.location.phones[${k}]`, { location_id: loc.id, ...p }),
      );
    }
  });
}
