/**
 * The seeded world (docs/seeded-world.md) as the database tests refer to it: the
 * fixed ids of supabase/seed.sql and who is who.
 */
export const users = {
  helen: { id: '10000000-0000-4000-8000-000000000001', email: 'helen@eastside.example' },
  henry: { id: '10000000-0000-4000-8000-000000000002', email: 'henry@eastside.example' },
  wendy: { id: '10000000-0000-4000-8000-000000000003', email: 'wendy@westside.example' },
  walter: { id: '10000000-0000-4000-8000-000000000004', email: 'walter@westside.example' },
  clara: { id: '10000000-0000-4000-8000-000000000005', email: 'clara@harbor.example' },
  cody: { id: '10000000-0000-4000-8000-000000000006', email: 'cody@harbor.example' },
  carl: { id: '10000000-0000-4000-8000-000000000007', email: 'carl@safehaven.example' },
  dana: { id: '10000000-0000-4000-8000-000000000008', email: 'dana@brightfutures.example' },
  sam: { id: '10000000-0000-4000-8000-000000000009', email: 'sam@seeker.example' },
} as const;

export type Persona = keyof typeof users;
export const personas = Object.keys(users) as Persona[];

export const sites = {
  eastside: '20000000-0000-4000-8000-000000000001',
  westside: '20000000-0000-4000-8000-000000000002',
} as const;

export const programs = {
  harbor: '30000000-0000-4000-8000-000000000001',
  safeHaven: '30000000-0000-4000-8000-000000000002',
  brightFutures: '30000000-0000-4000-8000-000000000003',
} as const;

export const seekers = {
  sam: '40000000-0000-4000-8000-000000000001',
  rita: '40000000-0000-4000-8000-000000000002',
  omar: '40000000-0000-4000-8000-000000000003',
} as const;

export const referrals = {
  R1: '50000000-0000-4000-8000-000000000001',
  R2: '50000000-0000-4000-8000-000000000002',
  R3: '50000000-0000-4000-8000-000000000003',
  R4: '50000000-0000-4000-8000-000000000004',
} as const;

export const goals = {
  samFood: '60000000-0000-4000-8000-000000000001',
  samWork: '60000000-0000-4000-8000-000000000002',
} as const;

export const notes = {
  onR1ByHelen: '70000000-0000-4000-8000-000000000001',
  onR2ByCarl: '70000000-0000-4000-8000-000000000002',
  onR4ByDana: '70000000-0000-4000-8000-000000000003',
} as const;

/** Name of a seeded referral id (R1…R4), for readable assertions. */
export function refName(id: string): string {
  const found = Object.entries(referrals).find(([, v]) => v === id);
  if (!found) throw new Error(`not a seeded referral: ${id}`);
  return found[0];
}

/** Key of a seeded id in a map of ids, for readable assertions. */
export function nameOf(map: Record<string, string>, id: string): string {
  return Object.entries(map).find(([, v]) => v === id)?.[0] ?? id;
}
