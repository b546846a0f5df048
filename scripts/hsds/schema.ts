/**
 * The HSDS 3.0 tables the import reads, written from the specification's
 * field definitions (Open Referral HSDS 3.0, schema/*.json): required fields,
 * formats (uuid, email, uri, date, date-time) and enumerations. Fields this
 * directory does not use are allowed and ignored. Values from CSV arrive as
 * strings: numbers are read from them.
 */
import { z } from 'zod';

const uuid = z.uuid({ error: 'must be a UUID' });
const text = z.string();
const optionalText = text.optional().nullable();
const email = z.email({ error: 'must be an email address' }).optional().nullable();
const uri = z.url({ error: 'must be a URI (with its scheme, e.g. https://)' }).optional().nullable();
const number = z.coerce.number({ error: 'must be a number' }).optional().nullable();
const date = z.iso.date({ error: 'must be a date (YYYY-MM-DD)' }).optional().nullable();
const dateTime = z.iso.datetime({ offset: true, error: 'must be a date-time (RFC 3339)' }).optional().nullable();
const required = (name: string) => ({
  error: (i: { input: unknown }) => (i.input === undefined ? `${name} is required` : undefined),
});

export const organization = z.looseObject({
  id: uuid,
  name: z.string(required('name')).min(1, 'name is required'),
  description: z.string(required('description')),
  email,
  website: uri,
  alternate_name: optionalText,
  parent_organization_id: uuid.optional().nullable(),
});

export const SERVICE_STATUSES = ['active', 'inactive', 'defunct', 'temporarily closed'] as const;
export const service = z.looseObject({
  id: uuid,
  organization_id: uuid.optional().nullable(),
  name: z.string(required('name')).min(1, 'name is required'),
  description: optionalText,
  url: uri,
  email,
  status: z.enum(SERVICE_STATUSES, {
    error: (i) =>
      i.input === undefined ? 'status is required' : `status must be one of ${SERVICE_STATUSES.join(', ')}`,
  }),
  assured_date: date,
  last_modified: dateTime,
  minimum_age: number,
  maximum_age: number,
});

export const LOCATION_TYPES = ['physical', 'postal', 'virtual'] as const;
export const location = z.looseObject({
  id: uuid,
  location_type: z.enum(LOCATION_TYPES, {
    error: (i) =>
      i.input === undefined ? 'location_type is required' : `location_type must be one of ${LOCATION_TYPES.join(', ')}`,
  }),
  organization_id: uuid.optional().nullable(),
  name: optionalText,
  url: uri,
  latitude: number,
  longitude: number,
});

export const serviceAtLocation = z.looseObject({
  id: uuid,
  service_id: uuid.optional().nullable(),
  location_id: uuid.optional().nullable(),
  description: optionalText,
});

export const phone = z.looseObject({
  id: uuid,
  number: z.string(required('number')).min(1, 'number is required'),
  location_id: uuid.optional().nullable(),
  service_id: uuid.optional().nullable(),
  organization_id: uuid.optional().nullable(),
  service_at_location_id: uuid.optional().nullable(),
  extension: number,
  type: optionalText,
});

export const address = z.looseObject({
  id: uuid,
  location_id: uuid.optional().nullable(),
  address_1: z.string(required('address_1')),
  address_2: optionalText,
  city: z.string(required('city')),
  state_province: z.string(required('state_province')),
  postal_code: z.string(required('postal_code')),
  country: z.string(required('country')).regex(/^[A-Z]{2}$/, 'country must be an ISO 3166-1 alpha-2 code'),
  address_type: z.enum(LOCATION_TYPES, {
    error: (i) =>
      i.input === undefined ? 'address_type is required' : `address_type must be one of ${LOCATION_TYPES.join(', ')}`,
  }),
});

export const serviceArea = z.looseObject({
  id: uuid,
  service_id: uuid.optional().nullable(),
  name: optionalText,
  extent: optionalText,
  extent_type: optionalText,
});

export const taxonomyTerm = z.looseObject({
  id: uuid,
  code: optionalText,
  name: z.string(required('name')).min(1, 'name is required'),
  description: z.string(required('description')),
  parent_id: uuid.optional().nullable(),
  taxonomy: optionalText,
  taxonomy_id: uuid.optional().nullable(),
});

export const attribute = z.looseObject({
  id: uuid,
  link_id: uuid.optional().nullable(),
  taxonomy_term_id: uuid.optional().nullable(),
  link_type: optionalText,
  link_entity: optionalText,
  value: optionalText,
});

/** Each table of a dataset: its schema and its file name in the tabular form. */
export const TABLES = {
  organizations: { schema: organization, file: 'organizations.csv' },
  services: { schema: service, file: 'services.csv' },
  locations: { schema: location, file: 'locations.csv' },
  service_at_locations: { schema: serviceAtLocation, file: 'service_at_location.csv' },
  phones: { schema: phone, file: 'phones.csv' },
  addresses: { schema: address, file: 'addresses.csv' },
  service_areas: { schema: serviceArea, file: 'service_areas.csv' },
  taxonomy_terms: { schema: taxonomyTerm, file: 'taxonomy_terms.csv' },
  attributes: { schema: attribute, file: 'attributes.csv' },
} as const;

export type TableName = keyof typeof TABLES;
export type Organization = z.infer<typeof organization>;
export type Service = z.infer<typeof service>;
export type Location = z.infer<typeof location>;
export type ServiceAtLocation = z.infer<typeof serviceAtLocation>;
export type Phone = z.infer<typeof phone>;
export type Address = z.infer<typeof address>;
export type TaxonomyTerm = z.infer<typeof taxonomyTerm>;
export type Attribute = z.infer<typeof attribute>;

/** The first problem of a failed parse, in words: "email must be an email address". */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const field = issue.path.join('.');
  return issue.message.startsWith(field) || !field ? issue.message : `${field}: ${issue.message}`;
}
