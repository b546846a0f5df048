/**
 * The `hsds` edge function through the gateway, with the anon key: a dataset
 * imported with `npm run directory:import` read back in HSDS 3.0 form and
 * compared field by field (round trip); paging and filters; capacity as
 * service_capacity; bad parameters answered 400; and nothing private in any
 * answer.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset, writeCsvDataset, type Tables } from '../../scripts/hsds/generate.ts';
import { anonClient, closeDb, env, resetDb, signIn, sql } from '../support/stack.ts';
import { programs, users } from '../db/world.ts';

const ZIPS = ['78702', '78741', '78751', '78704'];
let dir: string;
let data: Tables;

type Page = {
  total_items: number;
  total_pages: number;
  page_number: number;
  size: number;
  first_page: boolean;
  last_page: boolean;
  empty: boolean;
  contents: Record<string, unknown>[];
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes, checked field by field below
async function get(path: string, key: string | null = env.anonKey): Promise<{ status: number; body: any }> {
  const res = await fetch(`${env.functionsUrl}/hsds${path}`, {
    headers: key ? { Authorization: `Bearer ${key}`, apikey: key } : {},
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  await resetDb();
  dir = mkdtempSync(join(tmpdir(), 'hsds-api-'));
  data = generateDataset(30, { zips: ZIPS, seed: 'api-test' });
  writeCsvDataset(dir, data);
  const out = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/directory-import.ts', dir, '--db-url', env.dbUrl, '--json'],
    { encoding: 'utf8' },
  );
  expect(out.status, out.stderr).toBe(0);
  expect(JSON.parse(out.stdout)).toMatchObject({ created: 30, rejected: [] });
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeDb();
});

describe('hsds round trip', () => {
  it('every imported service reads back with its ids, fields, organization, phone, address and taxonomy', async () => {
    const list = await get('/services?per_page=200');
    expect(list.status).toBe(200);
    // 30 imported + the 3 hand-entered programs of the seeded world
    expect(list.body.total_items).toBe(33);
    for (const s of data.services) {
      const i = data.services.indexOf(s);
      const { status, body } = await get(`/services/${s.id}`);
      expect(status).toBe(200);
      const org = data.organizations.find((o) => o.id === s.organization_id)!;
      expect(body).toMatchObject({
        id: s.id,
        name: s.name,
        description: s.description,
        url: s.url,
        email: s.email,
        status: 'active',
        assured_date: s.assured_date,
        organization_id: s.organization_id,
        organization: {
          id: org.id,
          name: org.name,
          description: org.description,
          email: org.email,
          website: org.website,
        },
      });
      expect(body.phones.map((p: { number: string }) => p.number)).toEqual([data.phones[i]!.number]);
      const sal = data.service_at_locations[i]!;
      const address = data.addresses[i]!;
      expect(body.service_at_locations).toHaveLength(1);
      expect(body.service_at_locations[0]).toMatchObject({
        id: sal.id,
        service_id: s.id,
        location_id: sal.location_id,
      });
      expect(body.service_at_locations[0].location.addresses[0]).toMatchObject({
        postal_code: address.postal_code,
        address_1: `${address.address_1}, ${address.city}, ${address.state_province}`,
        country: 'US',
      });
      const attr = data.attributes[i]!;
      const term = data.taxonomy_terms.find((t) => t.id === attr.taxonomy_term_id)!;
      expect(body.attributes).toEqual([
        expect.objectContaining({
          taxonomy_term_id: term.id,
          taxonomy_term: expect.objectContaining({
            id: term.id,
            code: term.code,
            name: term.name,
            parent_id: term.parent_id,
          }),
        }),
      ]);
    }
  });

  it('organizations read back with their services', async () => {
    const org = data.organizations[1]!;
    const { status, body } = await get(`/organizations/${org.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: org.id, name: org.name });
    expect(body.services.map((s: { id: string }) => s.id).sort()).toEqual(
      data.services
        .filter((s) => s.organization_id === org.id)
        .map((s) => s.id)
        .sort(),
    );
    const list = await get('/organizations?search=Community&per_page=2&page=2');
    expect(list.body).toMatchObject({
      total_items: 3,
      total_pages: 2,
      page_number: 2,
      size: 1,
      first_page: false,
      last_page: true,
      empty: false,
    });
  });
});

describe('service_at_locations', () => {
  it('by postcode and proximity: nearest first, within the distance, paged', async () => {
    const all = await get('/service_at_locations?postcode=78702&per_page=200');
    const within = await get('/service_at_locations?postcode=78702&proximity=5000&per_page=200');
    expect(within.status).toBe(200);
    const page = within.body as Page;
    expect(page.total_items).toBeGreaterThan(0);
    expect(page.total_items).toBeLessThan((all.body as Page).total_items);
    const distances = page.contents.map((c) => c.distance as number);
    expect(distances.every((d) => d <= 5000)).toBe(true);
    expect([...distances].sort((a, b) => a - b)).toEqual(distances);
    // every program outside 5 km is further than every one inside
    const outside = (all.body as Page).contents.filter((c) => !page.contents.some((p) => p.id === c.id));
    expect(outside.every((c) => (c.distance as number) > 5000)).toBe(true);

    const p1 = (await get('/service_at_locations?postcode=78702&proximity=5000&per_page=3')).body as Page;
    const p2 = (await get('/service_at_locations?postcode=78702&proximity=5000&per_page=3&page=2')).body as Page;
    expect(p1).toMatchObject({
      page_number: 1,
      size: 3,
      first_page: true,
      last_page: page.total_items <= 3,
      empty: false,
    });
    expect(p1.total_pages).toBe(Math.ceil(page.total_items / 3));
    expect([...p1.contents, ...p2.contents].map((c) => c.id)).toEqual(page.contents.slice(0, 6).map((c) => c.id));
    const beyond = (await get(`/service_at_locations?postcode=78702&proximity=5000&per_page=3&page=99`)).body as Page;
    expect(beyond).toMatchObject({ empty: true, size: 0, contents: [] });
  });

  it('filters by taxonomy term, search, organization and modified_after', async () => {
    const term = data.attributes[0]!.taxonomy_term_id as string;
    const byTerm = (await get(`/service_at_locations?taxonomy_term_id=${term}&per_page=200`)).body as Page;
    const expected = data.attributes.filter((a) => a.taxonomy_term_id === term).length;
    expect(byTerm.total_items).toBe(expected);
    const bySearch = (await get('/service_at_locations?search=Legal%20Service')).body as Page;
    expect(bySearch.contents.map((c) => (c.service as { name: string }).name).sort()).toEqual([
      'Legal Service 19',
      'Legal Service 29',
      'Legal Service 9',
    ]);
    const org = data.organizations[2]!.id as string;
    const byOrg = (await get(`/service_at_locations?organization_id=${org}&per_page=200`)).body as Page;
    expect(byOrg.total_items).toBe(10);
    const future = (await get('/service_at_locations?modified_after=2100-01-01T00:00:00Z')).body as Page;
    expect(future).toMatchObject({ total_items: 0, empty: true });
  });

  it('capacity is served as service_capacity, as the directory shows it', async () => {
    const clara = await signIn(users.clara.email);
    await clara
      .from('programs')
      .update({ capacity: 'waitlist', capacity_wait: 'about 2 weeks' })
      .eq('id', programs.harbor);
    const { body } = await get(`/services/${programs.harbor}`);
    expect(body.service_capacity).toEqual([
      expect.objectContaining({ description: 'waitlist: about 2 weeks', updated: expect.stringMatching(/^\d{4}-/) }),
    ]);
    await sql(`update public.programs set capacity_updated_at = now() - interval '40 days' where id = $1`, [
      programs.harbor,
    ]);
    const stale = await get(`/services/${programs.harbor}`);
    expect(stale.body.service_capacity[0].description).toBe('unknown');
  });
});

describe('hsds: what it refuses and what it never shows', () => {
  it('answers bad parameters 400, unknown ids and paths 404, writes 405, no key 401', async () => {
    for (const path of [
      '/services?page=0',
      '/services?per_page=500',
      '/services?taxonomy_term_id=food',
      '/services?modified_after=yesterday',
      '/service_at_locations?postcode=ABC',
      '/service_at_locations?postcode=00000',
      '/service_at_locations?proximity=100',
      '/service_at_locations?postcode=78702&proximity=-1',
      '/services/not-a-uuid',
      '/services?format=ndjson',
    ]) {
      const { status, body } = await get(path);
      expect(status, path).toBe(400);
      expect(body.code, path).toBe('invalid_parameter');
    }
    expect((await get('/services/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await get('/referrals')).status).toBe(404);
    const post = await fetch(`${env.functionsUrl}/hsds/services`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${env.anonKey}` },
    });
    expect(post.status).toBe(405);
    expect((await get('/services', null)).status).toBe(401);
  });

  it('the database functions behind it are not callable with the anon key or as a user', async () => {
    const anon = await anonClient().rpc('hsds_services', {});
    expect(anon.error?.code).toBe('42501');
    const helen = await signIn(users.helen.email);
    const asHelen = await helen.rpc('hsds_service_at_locations', {});
    expect(asHelen.error?.code).toBe('42501');
  });

  it('no answer holds a seeker, a referral, a note, a report or a member of staff', async () => {
    const helen = await signIn(users.helen.email);
    await helen
      .from('program_reports')
      .insert({ program_id: programs.harbor, reason: 'phone', details: 'SECRET-REPORT-TEXT' });
    const privateValues = [
      ...(
        await sql<{ v: string }>(`select email as v from public.seekers where email is not null
          union all select first_name || ' ' || last_name from public.seekers
          union all select id::text from public.seekers
          union all select id::text from public.referrals
          union all select comment from public.referrals where comment <> ''
          union all select body from public.referral_notes
          union all select email from auth.users
          union all select id::text from auth.users
          union all select details from public.program_reports`)
      ).map((r) => r.v),
    ];
    expect(privateValues).toContain('SECRET-REPORT-TEXT');
    const answers = [
      await get('/services?per_page=200'),
      await get(`/services/${programs.harbor}`),
      await get(`/organizations/${programs.harbor}`),
      await get('/organizations?per_page=200'),
      await get('/service_at_locations?postcode=78702&per_page=200'),
    ].map((a) => JSON.stringify(a.body));
    for (const text of answers) {
      for (const v of privateValues) expect(text.includes(v), v).toBe(false);
      expect(text).not.toMatch(/referr|seeker|claimer|team_sharing|capacity_updated_by|verified_by/);
    }
  });
});
