/**
 * The threat model names every function that runs with its owner's rights
 * and every trigger: a new one fails this test until docs/security.md says
 * what it writes, who can cause it and why that is safe; an entry for
 * something that no longer exists fails it too, so the list stays true.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../stack/config.ts';
import { closeDb, sql } from '../support/stack.ts';

afterAll(closeDb);

const doc = readFileSync(join(ROOT, 'docs', 'security.md'), 'utf8');

/** Names in backticks in the first column of the inventory tables. */
function inventory(heading: string): string[] {
  const start = doc.search(new RegExp(`^## ${heading}$`, 'm'));
  expect(start, `docs/security.md has a "## ${heading}" section`).toBeGreaterThan(-1);
  const end = doc.indexOf('\n## ', start + 3);
  const section = doc.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1]!);
}

describe('docs/security.md names every definer function and trigger', () => {
  it('every security-definer function of the project', async () => {
    const rows = await sql<{ name: string }>(`
      select n.nspname || '.' || p.proname as name
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where p.prosecdef and n.nspname in ('public', 'private')
      order by 1`);
    const live = [...new Set(rows.map((r) => r.name))];
    const named = inventory('Functions that run as their owner');
    expect(live.length).toBeGreaterThan(10);
    expect(live.filter((n) => !named.includes(n))).toEqual([]);
    expect(named.filter((n) => !live.includes(n))).toEqual([]);
  });

  it('every trigger that runs a function of the project, on any table', async () => {
    const rows = await sql<{ name: string }>(`
      select c.relnamespace::regnamespace || '.' || c.relname || '.' || t.tgname as name
      from pg_trigger t
      join pg_class c on c.oid = t.tgrelid
      join pg_proc p on p.oid = t.tgfoid
      join pg_namespace n on n.oid = p.pronamespace
      where not t.tgisinternal and n.nspname in ('public', 'private')
      order by 1`);
    const live = rows.map((r) => r.name);
    const named = inventory('Triggers');
    expect(live.length).toBeGreaterThan(10);
    expect(live.filter((n) => !named.includes(n))).toEqual([]);
    expect(named.filter((n) => !live.includes(n))).toEqual([]);
  });
});
