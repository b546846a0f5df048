/**
 * From a dataset to the programs it describes: validates every row against
 * the HSDS 3.0 schemas, joins each service_at_location to its service,
 * location, address, phone, organization and taxonomy terms, maps the terms
 * to categories, and says why each row it cannot use is rejected.
 */
import { createHash } from 'node:crypto';
import type { Dataset, SourceRow } from './dataset.ts';
import {
  TABLES,
  firstIssue,
  type Address,
  type Attribute,
  type Location,
  type Organization,
  type Phone,
  type Service,
  type ServiceAtLocation,
  type TableName,
  type TaxonomyTerm,
} from './schema.ts';

export type Rejected = { file: string; where: string; id: string | null; reason: string };

export type ProgramRecord = {
  service_at_location_id: string;
  service_id: string;
  location_id: string;
  organization_id: string | null;
  name: string;
  description: string;
  address: string;
  zip: string;
  phone: string | null;
  email: string | null;
  website: string | null;
  service_categories: string[];
  taxonomy_term_ids: string[];
  verified_at: string | null;
  content_hash: string;
};

export type Plan = {
  programs: ProgramRecord[];
  organizations: Organization[];
  terms: TaxonomyTerm[];
  rejected: Rejected[];
  /** Rows read per table. */
  counts: Record<TableName, number>;
};

/** taxonomy (lower case) → term code or name (lower case) → category */
export type CategoryMap = Map<string, Map<string, string>>;

const LIMITS = { name: 200, description: 4000, address: 300, phone: 40, email: 320, website: 500 };

type Valid<T> = { row: SourceRow; value: T };

export function plan(data: Dataset, opts: { knownZips: Set<string>; categoryMap: CategoryMap }): Plan {
  const rejected: Rejected[] = [];
  const reject = (row: SourceRow, reason: string) =>
    rejected.push({
      file: row.file,
      where: row.where,
      id: typeof row.values.id === 'string' ? row.values.id : null,
      reason,
    });

  function validate<T>(table: TableName): Map<string, Valid<T>> {
    const out = new Map<string, Valid<T>>();
    for (const row of data[table]) {
      const parsed = TABLES[table].schema.safeParse(row.values);
      if (!parsed.success) {
        reject(row, firstIssue(parsed.error));
        continue;
      }
      const value = parsed.data as unknown as T & { id: string };
      const seen = out.get(value.id);
      if (seen) {
        // nested JSON repeats an organization or a term for every service: the same record is fine
        if (JSON.stringify(seen.value) !== JSON.stringify(value))
          reject(row, `id ${value.id} appears twice in ${table} with different contents`);
        continue;
      }
      out.set(value.id, { row, value });
    }
    return out;
  }

  // what this directory's columns hold (directory_organizations, taxonomy_terms)
  function fits<T>(m: Map<string, Valid<T>>, limits: Record<string, number>) {
    for (const [id, { row, value }] of m) {
      const field = Object.keys(limits).find(
        (k) => String((value as Record<string, unknown>)[k] ?? '').length > limits[k]!,
      );
      if (field) {
        reject(row, `${field} is longer than ${limits[field]} characters`);
        m.delete(id);
      }
    }
    return m;
  }

  const orgs = fits(validate<Organization>('organizations'), {
    name: 200,
    description: 4000,
    email: 320,
    website: 500,
  });
  const services = validate<Service>('services');
  const locations = validate<Location>('locations');
  const sals = validate<ServiceAtLocation>('service_at_locations');
  const phones = validate<Phone>('phones');
  const addresses = validate<Address>('addresses');
  validate('service_areas');
  const terms = fits(validate<TaxonomyTerm>('taxonomy_terms'), {
    name: 200,
    description: 4000,
    code: 100,
    taxonomy: 200,
  });
  const attributes = validate<Attribute>('attributes');

  // indexes
  const group = <T>(m: Map<string, Valid<T>>, key: (v: T) => string | null | undefined) => {
    const g = new Map<string, T[]>();
    for (const { value } of m.values()) {
      const k = key(value);
      if (!k) continue;
      (g.get(k) ?? g.set(k, []).get(k)!).push(value);
    }
    return g;
  };
  const addressesByLocation = group(addresses, (a) => a.location_id);
  const phonesBy = {
    sal: group(phones, (p) => p.service_at_location_id),
    service: group(phones, (p) => p.service_id),
    location: group(phones, (p) => p.location_id),
    organization: group(phones, (p) => p.organization_id),
  };
  const termsByService = group(attributes, (a) =>
    a.taxonomy_term_id && (!a.link_entity || a.link_entity === 'service') ? a.link_id : null,
  );

  for (const { row, value } of attributes.values()) {
    if (value.taxonomy_term_id && !terms.has(value.taxonomy_term_id)) {
      reject(row, `taxonomy_term_id ${value.taxonomy_term_id} is not among the taxonomy terms`);
    }
  }

  const categoryOf = (termId: string): string | null => {
    const seen = new Set<string>();
    for (
      let t = terms.get(termId)?.value;
      t && !seen.has(t.id);
      t = t.parent_id ? terms.get(t.parent_id)?.value : undefined
    ) {
      seen.add(t.id);
      const byTaxonomy = opts.categoryMap.get((t.taxonomy ?? '').toLowerCase());
      const hit = byTaxonomy?.get((t.code ?? '').toLowerCase()) ?? byTaxonomy?.get(t.name.toLowerCase());
      if (hit) return hit;
    }
    return null;
  };

  const programs: ProgramRecord[] = [];
  const usedOrgs = new Set<string>();
  const usedTerms = new Set<string>();
  for (const { row, value: sal } of sals.values()) {
    const fail = (reason: string) => reject(row, reason);
    if (!sal.service_id) {
      fail('service_id is required to list a service at a location');
      continue;
    }
    if (!sal.location_id) {
      fail('location_id is required to list a service at a location');
      continue;
    }
    const service = services.get(sal.service_id)?.value;
    if (!service) {
      fail(`service ${sal.service_id} is not among the valid services`);
      continue;
    }
    if (service.status !== 'active') {
      fail(`the service's status is "${service.status}"; only active services are listed`);
      continue;
    }
    const location = locations.get(sal.location_id)?.value;
    if (!location) {
      fail(`location ${sal.location_id} is not among the valid locations`);
      continue;
    }
    const org = service.organization_id ? orgs.get(service.organization_id)?.value : undefined;
    if (service.organization_id && !org) {
      fail(`organization ${service.organization_id} is not among the valid organizations`);
      continue;
    }
    const addressList = addressesByLocation.get(location.id) ?? [];
    const address =
      addressList.find((a) => a.address_type === 'physical') ?? addressList.find((a) => a.address_type === 'postal');
    if (!address) {
      fail(`location ${location.id} has no physical or postal address, so it cannot be placed on the map`);
      continue;
    }
    const zip = /^\s*(\d{5})(-\d{4})?\s*$/.exec(address.postal_code)?.[1];
    if (!zip || address.country !== 'US') {
      fail(`postal code "${address.postal_code}" (${address.country}) is not a US ZIP code`);
      continue;
    }
    if (!opts.knownZips.has(zip)) {
      fail(`ZIP code ${zip} is not a known US ZIP code`);
      continue;
    }
    const phone =
      phonesBy.sal.get(sal.id)?.[0] ??
      phonesBy.service.get(service.id)?.[0] ??
      phonesBy.location.get(location.id)?.[0] ??
      (org ? phonesBy.organization.get(org.id)?.[0] : undefined);
    const termIds = [
      ...new Set((termsByService.get(service.id) ?? []).map((a) => a.taxonomy_term_id!).filter((t) => terms.has(t))),
    ].sort();
    const categories = [...new Set(termIds.map(categoryOf).filter((c): c is string => c !== null))].sort();

    const record = {
      service_at_location_id: sal.id,
      service_id: service.id,
      location_id: location.id,
      organization_id: org?.id ?? null,
      name: service.name.trim(),
      description: (sal.description || service.description || '').trim(),
      address: [address.address_1, address.address_2, address.city, address.state_province]
        .map((p) => p?.trim())
        .filter(Boolean)
        .join(', '),
      zip,
      phone: phone ? phone.number.trim() + (phone.extension ? ` x${phone.extension}` : '') : null,
      email: service.email ?? org?.email ?? null,
      website: service.url ?? org?.website ?? null,
      service_categories: categories,
      taxonomy_term_ids: termIds,
      verified_at: service.assured_date ?? null,
    };
    const tooLong = (Object.keys(LIMITS) as (keyof typeof LIMITS)[]).find((k) => (record[k]?.length ?? 0) > LIMITS[k]);
    if (tooLong) {
      fail(`${tooLong} is longer than ${LIMITS[tooLong]} characters`);
      continue;
    }
    const content_hash = createHash('sha256')
      .update(JSON.stringify([record, org ?? null, termIds.map((t) => terms.get(t)!.value)]))
      .digest('base64url');
    programs.push({ ...record, content_hash });
    if (org) usedOrgs.add(org.id);
    termIds.forEach((t) => usedTerms.add(t));
  }

  // terms' parents go along, so the tree stays whole
  for (const id of [...usedTerms]) {
    for (let t = terms.get(id)?.value; t?.parent_id && !usedTerms.has(t.parent_id); t = terms.get(t.parent_id)?.value) {
      if (terms.has(t.parent_id)) usedTerms.add(t.parent_id);
    }
  }

  return {
    programs,
    organizations: [...usedOrgs].map((id) => orgs.get(id)!.value),
    terms: [...usedTerms].map((id) => terms.get(id)!.value),
    rejected,
    counts: Object.fromEntries(Object.entries(data).map(([t, rows]) => [t, rows.length])) as Record<TableName, number>,
  };
}
