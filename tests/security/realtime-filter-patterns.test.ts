/**
 * Abuse test of Realtime filters, written as the attacker: a signed-in worker
 * writes a long note on a referral she may read, then subscribes with
 * patterns that make a backtracking matcher run for hours on it
 * (`like.*a*a*a*a*a*b`, `match.^(a+)+b$`). Realtime serves every user from
 * one process, so such a filter must not stall it: another user's change
 * committed right after must still arrive promptly. Patterns V8's
 * linear-time engine cannot run (back-references, look-arounds) are refused
 * when subscribing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Client } from '../support/stack.ts';
import { HARBOR, R1, listen, persona } from '../realtime/helpers.ts';

const HELEN = '10000000-0000-4000-8000-000000000001';
const LONG = 'a'.repeat(4000);
const clients: Client[] = [];
let originalDescription: string;

beforeAll(async () => {
  originalDescription = (
    await sql<{ description: string }>('select description from programs where id = $1', [HARBOR])
  )[0]!.description;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.removeAllChannels()));
  await sql('update programs set description = $2 where id = $1', [HARBOR, originalDescription]);
  await sql('delete from referral_notes where body = $1', [LONG]);
});

describe('filter patterns cannot stall Realtime', () => {
  it('pathological like/match/imatch filters on a long note: everyone else’s changes still arrive at once', async () => {
    const helen = await persona('helen');
    const clara = await persona('clara');
    clients.push(helen, clara);
    const patterns = {
      like: 'body=like.*a*a*a*a*a*a*b',
      ilike: 'body=ilike.%A%A%A%A%A%A%B',
      match: 'body=match.^(a+)+b$',
      imatch: 'body=imatch.^(A+)+B$',
    };
    const ears = await Promise.all(
      Object.values(patterns).map((filter) => listen(helen, { table: 'referral_notes', event: 'INSERT', filter })),
    );
    // The honest filters of the same kinds fire.
    const honest = await Promise.all(
      ['body=like.a%a', 'body=ilike.A*', 'body=match.^a+$', 'body=imatch.^A+$'].map((filter) =>
        listen(helen, { table: 'referral_notes', event: 'INSERT', filter }),
      ),
    );
    const other = await listen(clara, { table: 'programs', event: 'UPDATE', filter: `id=eq.${HARBOR}` });

    const [note] = await sql<{ id: string }>(
      'insert into referral_notes (referral_id, author_id, body) values ($1, $2, $3) returning id',
      [R1, HELEN, LONG],
    );
    const marker = `after the note ${randomUUID()}`;
    const started = Date.now();
    await sql('update programs set description = $2 where id = $1', [HARBOR, marker]);
    await other.waitFor((c) => (c.new as { description?: string }).description === marker, 3000);
    expect(Date.now() - started).toBeLessThan(3000);

    for (const ear of honest) await ear.waitFor((c) => (c.new as { id?: string }).id === note!.id, 3000);
    // Clara's change was committed after the note; Helen's own channels are on
    // one socket, so a fence of hers settles what the pattern channels heard.
    const fence = await listen(helen, { table: 'programs', event: 'UPDATE', filter: `id=eq.${HARBOR}` });
    const marker2 = `fence ${randomUUID()}`;
    await sql('update programs set description = $2 where id = $1', [HARBOR, marker2]);
    await fence.waitFor((c) => (c.new as { description?: string }).description === marker2);
    for (const ear of ears) expect(ear.heard).toEqual([]);
  });

  it('a pattern the linear engine cannot run is refused when subscribing', async () => {
    const helen = await persona('helen');
    clients.push(helen);
    for (const filter of ['body=match.^(a+)\\1$', 'body=match.(?=a)a', 'body=imatch.\\D+']) {
      const system: { status: string; message: string }[] = [];
      const ch = helen
        .channel(`pattern-${randomUUID()}`)
        .on('system' as never, {} as never, ((m: { status: string; message: string }) => system.push(m)) as never)
        .on(
          'postgres_changes' as never,
          { event: 'INSERT', schema: 'public', table: 'referral_notes', filter } as never,
          (() => undefined) as never,
        );
      await new Promise<void>((resolve) => ch.subscribe((s) => s === 'SUBSCRIBED' && resolve()));
      await expect.poll(() => system.length).toBeGreaterThan(0);
      expect(system[0], filter).toMatchObject({
        status: 'error',
        message: expect.stringContaining('invalid regular expression for'),
      });
    }
  });
});
