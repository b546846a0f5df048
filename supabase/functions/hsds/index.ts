// hsds: the public program directory in Open Referral HSDS 3.0 API form.
//
//   GET /hsds/                         { version, profile, openapi_url }
//   GET /hsds/services                 page of services
//   GET /hsds/services/{id}            the full service (phones, taxonomy attributes,
//                                      service_at_locations with locations and addresses,
//                                      service_capacity)
//   GET /hsds/organizations            page of organizations
//   GET /hsds/organizations/{id}       the organization with its services
//   GET /hsds/service_at_locations     page of services at locations
//
// Query parameters (HSDS 3.0 openapi.json): search, taxonomy_term_id,
// organization_id, modified_after (services, service_at_locations);
// postcode and proximity in metres (service_at_locations: nearest the
// postcode's centroid first, with `distance` in metres); page (from 1) and
// per_page (1-200, default 50). A page: { total_items, total_pages,
// page_number, size, first_page, last_page, empty, contents }.
//
// Anyone with the anon key may call it (verify_jwt). It reads through the
// hsds_* database functions, which only the service role may execute and
// which return the public listing alone: names, descriptions, addresses,
// public phone, email and website, categories, capacity. Nothing about
// staff, referrals, seekers or reports is read.
//
// Errors (JSON, `code` + `message`): 400 invalid_parameter, 404 not_found,
// 405 method_not_allowed, 500 server_error.
import { createClient } from 'npm:@supabase/supabase-js@2.119.0';

const URL_ = Deno.env.get('SUPABASE_URL')!;
const SERVICE_KEY = Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!;
const db = createClient(URL_, SERVICE_KEY, {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'authorization, x-client-info, apikey, content-type',
  'Access-Control-Allow-Methods': 'GET, OPTIONS',
};

class BadRequest extends Error {}

function reply(status: number, body: unknown): Response {
  return Response.json(body, { status, headers: { ...CORS, 'Cache-Control': 'no-store' } });
}
const fail = (status: number, code: string, message: string) => reply(status, { code, message });

function intParam(q: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new BadRequest(`${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}

function uuidParam(q: URLSearchParams, name: string): string | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  if (!UUID.test(raw)) throw new BadRequest(`${name} must be a UUID`);
  return raw;
}

function textParam(q: URLSearchParams, name: string, max = 200): string | undefined {
  const raw = q.get(name)?.trim();
  if (!raw) return undefined;
  if (raw.length > max) throw new BadRequest(`${name} must be at most ${max} characters`);
  return raw;
}

function dateTimeParam(q: URLSearchParams, name: string): string | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  if (
    !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw) ||
    Number.isNaN(Date.parse(raw))
  ) {
    throw new BadRequest(`${name} must be a date or date-time, for example 2026-01-31T00:00:00Z`);
  }
  return raw;
}

function paging(q: URLSearchParams) {
  return { page: intParam(q, 'page', 1, 1, 1_000_000), per_page: intParam(q, 'per_page', 50, 1, 200) };
}

async function rpc(fn: string, args: Record<string, unknown>): Promise<Response> {
  const { data, error } = await db.rpc(fn, args);
  if (error) {
    // 22023: a parameter the database refused (unknown postcode, bad paging)
    if (error.code === '22023') return fail(400, 'invalid_parameter', error.message);
    console.error(`hsds: ${fn} failed with ${error.code}`);
    return fail(500, 'server_error', 'The directory could not be read; try again.');
  }
  if (data === null) return fail(404, 'not_found', 'No such record in the directory');
  return reply(200, data);
}

Deno.serve(async (req: Request) => {
  if (req.method === 'OPTIONS') return new Response(null, { status: 204, headers: CORS });
  if (req.method !== 'GET') return fail(405, 'method_not_allowed', 'The HSDS API is read-only: use GET');
  const url = new URL(req.url);
  // the path after the function's name: /hsds/services/{id} → ['services', '{id}']
  const parts = url.pathname.split('/').filter(Boolean);
  const at = parts.indexOf('hsds');
  const [resource, id, ...rest] = at >= 0 ? parts.slice(at + 1) : parts;
  const q = url.searchParams;
  try {
    const format = q.get('format');
    if (format && format !== 'json') throw new BadRequest('format must be json');
    if (rest.length > 0) return fail(404, 'not_found', 'No such path in the HSDS API');
    if (id !== undefined && !UUID.test(id)) throw new BadRequest('The id in the path must be a UUID');

    switch (resource) {
      case undefined:
        return reply(200, {
          version: '3.0',
          profile: 'https://openreferral.org',
          openapi_url: 'https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json',
        });
      case 'services':
        if (id) return await rpc('hsds_service', { id });
        return await rpc('hsds_services', {
          search: textParam(q, 'search'),
          taxonomy_term_id: uuidParam(q, 'taxonomy_term_id'),
          organization_id: uuidParam(q, 'organization_id'),
          modified_after: dateTimeParam(q, 'modified_after'),
          ...paging(q),
        });
      case 'organizations':
        if (id) return await rpc('hsds_organization', { id });
        return await rpc('hsds_organizations', { search: textParam(q, 'search'), ...paging(q) });
      case 'service_at_locations': {
        if (id) return fail(404, 'not_found', 'Read a service at a location through /services/{service_id}');
        const postcode = textParam(q, 'postcode', 10);
        if (postcode !== undefined && !/^\d{5}(-\d{4})?$/.test(postcode)) {
          throw new BadRequest('postcode must be a US ZIP code, for example 78702');
        }
        const proximityRaw = q.get('proximity');
        let proximity: number | undefined;
        if (proximityRaw !== null && proximityRaw !== '') {
          proximity = Number(proximityRaw);
          if (!Number.isFinite(proximity) || proximity < 0 || proximity > 5_000_000) {
            throw new BadRequest('proximity must be a distance in metres from 0 to 5000000');
          }
          if (postcode === undefined) throw new BadRequest('proximity needs a postcode');
        }
        return await rpc('hsds_service_at_locations', {
          postcode,
          proximity,
          search: textParam(q, 'search'),
          taxonomy_term_id: uuidParam(q, 'taxonomy_term_id'),
          organization_id: uuidParam(q, 'organization_id'),
          modified_after: dateTimeParam(q, 'modified_after'),
          ...paging(q),
        });
      }
      default:
        return fail(404, 'not_found', 'No such path in the HSDS API');
    }
  } catch (e) {
    if (e instanceof BadRequest) return fail(400, 'invalid_parameter', e.message);
    console.error('hsds: unexpected error', (e as Error).name);
    return fail(500, 'server_error', 'The directory could not be read; try again.');
  }
});
