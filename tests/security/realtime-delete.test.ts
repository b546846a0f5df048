/**
 * Abuse tests of Realtime's postgres_changes, written as the attacker: a
 * signed-in user who belongs to no organisation (so row level security shows
 * them no referral and no note) subscribes with filters on the content of
 * rows they cannot read and watches which filter fires.
 *
 * The rules under test (stack/realtime/server.ts, `passing`):
 *   - DELETE cannot be checked against RLS (the row is gone), so on a table
 *     with RLS its payload carries only the primary key and its filters may
 *     test only the primary key; conditions on other columns are not
 *     evaluated. Every subscriber of the table with SELECT on the key gets the
 *     same event whatever the deleted row said: the key is all that leaks.
 *   - INSERT/UPDATE: filters are evaluated only for subscribers RLS lets see
 *     the row, and only on columns their role may read.
 *   - A filter on a column the role may not SELECT is refused when
 *     subscribing (as hosted's subscription_check_filters does).
 *
 * "Nothing arrived" is never a sleep: each check ends with a fence, a change
 * the attacker may see committed after the attack's changes; Realtime
 * delivers in commit order on one socket, so once the fence is heard, every
 * event the earlier changes could produce has been heard too.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetDb, serviceClient, signIn, sql, type Client } from '../support/stack.ts';
import { HARBOR, R1, listen, persona, type Change, type Listener } from '../realtime/helpers.ts';

const HELEN = '10000000-0000-4000-8000-000000000001';
const SECRET = 'Client left her passport at the shelter';
const clients: Client[] = [];
let mallory: Client;
let originalDescription: string;

beforeAll(async () => {
  await resetDb();
  const email = `mallory-${randomUUID().slice(0, 8)}@nowhere.example`;
  const { error } = await serviceClient().auth.admin.createUser({
    email,
    password: 'password123',
    email_confirm: true,
  });
  expect(error).toBeNull();
  mallory = await signIn(email);
  clients.push(mallory);
  // Mallory is in no organisation: she cannot read R1 or its notes.
  const { data: notes } = await mallory.from('referral_notes').select('id');
  expect(notes).toEqual([]);
  const { data: refs } = await mallory.from('referrals').select('id');
  expect(refs).toEqual([]);
  originalDescription = (
    await sql<{ description: string }>('select description from programs where id = $1', [HARBOR])
  )[0]!.description;
});

afterAll(async () => {
  await sql('update programs set description = $2 where id = $1', [HARBOR, originalDescription]);
  await Promise.all(clients.map((c) => c.removeAllChannels()));
});

/**
 * A change `client` may see (the program directory is readable by every
 * signed-in user), committed after everything before it: resolves once heard.
 */
async function fenceFor(client: Client): Promise<() => Promise<void>> {
  const ear = await listen(client, { table: 'programs', event: 'UPDATE', filter: `id=eq.${HARBOR}` });
  return async () => {
    const marker = `fence ${randomUUID()}`;
    await sql('update programs set description = $2 where id = $1', [HARBOR, marker]);
    await ear.waitFor((c) => (c.new as { description?: string }).description === marker);
  };
}

async function addNote(body: string): Promise<string> {
  const [row] = await sql<{ id: string }>(
    'insert into referral_notes (referral_id, author_id, body) values ($1, $2, $3) returning id',
    [R1, HELEN, body],
  );
  return row!.id;
}

const oldId = (c: Change) => (c.old as { id?: string }).id;
const heardIds = (l: Listener) => l.heard.map(oldId);

describe('DELETE: filters on the content of a deleted note', () => {
  it('a user with no organisation learns nothing from which content filter fires', async () => {
    const fence = await fenceFor(mallory);
    const filters = {
      ilike: 'body=ilike.*passport*',
      notIlike: 'body=not.ilike.*passport*',
      eq: `body=eq.${SECRET}`,
      referral: `referral_id=eq.${R1}`,
      author: `author_id=eq.${HELEN}`,
    };
    const ears: Record<string, Listener> = {};
    for (const [name, filter] of Object.entries(filters)) {
      ears[name] = await listen(mallory, { table: 'referral_notes', event: 'DELETE', filter });
    }
    const control = await listen(mallory, { table: 'referral_notes', event: 'DELETE' });

    const secretNote = await addNote(SECRET);
    const dullNote = await addNote('Called, no answer');
    await sql('delete from referral_notes where id = $1', [secretNote]);
    await sql('delete from referral_notes where id = $1', [dullNote]);
    await fence();

    // The control hears both deletes, with the key and nothing else.
    expect(heardIds(control)).toEqual([secretNote, dullNote]);
    for (const c of control.heard) {
      expect(c.eventType).toBe('DELETE');
      expect(c.old).toEqual({ id: oldId(c) });
      expect(c.new).toEqual({});
    }
    // Every content filter behaves exactly like no filter: the secret note
    // and the dull one are indistinguishable, and no payload carries content.
    for (const [name, ear] of Object.entries(ears)) {
      expect(heardIds(ear), name).toEqual([secretNote, dullNote]);
      expect(JSON.stringify(ear.heard), name).not.toMatch(/passport|Called|50000000|10000000/);
    }
  });

  it('a filter on the primary key still picks one delete (the key is in the payload anyway)', async () => {
    const fence = await fenceFor(mallory);
    const a = await addNote('first');
    const b = await addNote('second');
    const onA = await listen(mallory, { table: 'referral_notes', event: 'DELETE', filter: `id=eq.${a}` });
    await sql('delete from referral_notes where id = any($1)', [[a, b]]);
    await fence();
    expect(heardIds(onA)).toEqual([a]);
    expect(onA.heard[0]!.old).toEqual({ id: a });
  });

  it('an authorised user gets the delete with only the key, also through the app’s filtered binding', async () => {
    const helen = await persona('helen');
    clients.push(helen);
    const fence = await fenceFor(helen);
    const plain = await listen(helen, { table: 'referral_notes', event: 'DELETE' });
    // The referral drawer listens to `*` on the notes of one referral.
    const drawer = await listen(helen, { table: 'referral_notes', event: '*', filter: `referral_id=eq.${R1}` });
    const note = await addNote(SECRET);
    // Realtime checks RLS on the row as it is when the change is delivered:
    // let the insert arrive before the note is gone.
    const insert = await drawer.waitFor((c) => c.eventType === 'INSERT');
    expect(insert.new).toMatchObject({ id: note, body: SECRET, referral_id: R1 });
    await sql('delete from referral_notes where id = $1', [note]);
    await fence();

    for (const ear of [plain, drawer]) {
      const del = ear.heard.find((c) => c.eventType === 'DELETE');
      expect(del).toBeDefined();
      expect(del!.old).toEqual({ id: note });
      expect(del!.new).toEqual({});
    }
  });
});

describe('INSERT and UPDATE: filters only on rows row level security lets through', () => {
  it('a matching content filter on rows she cannot read tells Mallory nothing', async () => {
    const fence = await fenceFor(mallory);
    const notes = await listen(mallory, { table: 'referral_notes', event: '*', filter: 'body=ilike.*passport*' });
    const notesAll = await listen(mallory, { table: 'referral_notes', event: '*' });
    const refs = await listen(mallory, { table: 'referrals', event: 'UPDATE', filter: `id=eq.${R1}` });
    const refsByStatus = await listen(mallory, { table: 'referrals', event: '*', filter: 'status=eq.got_help' });

    const helen = await persona('helen');
    clients.push(helen);
    const helenEar = await listen(helen, { table: 'referral_notes', event: 'INSERT', filter: 'body=ilike.*passport*' });
    const helenMiss = await listen(helen, { table: 'referral_notes', event: 'INSERT', filter: 'body=ilike.*visa*' });

    const note = await addNote(SECRET);
    await sql(`update referrals set status = 'got_help' where id = $1`, [R1]);
    await fence();

    for (const ear of [notes, notesAll, refs, refsByStatus]) expect(ear.heard).toEqual([]);
    // The honest path: Helen, who may read the note, is filtered as asked.
    const heard = await helenEar.waitFor((c) => (c.new as { id?: string }).id === note);
    expect(heard.new).toMatchObject({ body: SECRET });
    expect(helenMiss.heard).toEqual([]);
  });
});

describe('filters on columns the role may not read', () => {
  const restore = async () => {
    await sql(`revoke select (id, referral_id, author_id, author_display_name, author_organization, created_at)
                 on public.referral_notes from authenticated`);
    await sql('grant select on public.referral_notes to authenticated');
  };
  const acl = () =>
    sql<{ acl: string }>(
      `select coalesce(c.relacl::text, '') || '|' ||
              coalesce((select string_agg(a.attname || '=' || a.attacl::text, ',' order by a.attnum)
                          from pg_attribute a where a.attrelid = c.oid and a.attacl is not null), '') as acl
         from pg_class c where c.oid = 'public.referral_notes'::regclass`,
    );

  it('is refused when subscribing, and a filter made before the grant was lost stops firing', async () => {
    const before = await acl();
    const helen = await persona('helen');
    clients.push(helen);
    const fence = await fenceFor(helen);
    // Subscribed while Helen's role may still read body.
    const early = await listen(helen, { table: 'referral_notes', event: 'INSERT', filter: 'body=ilike.*passport*' });
    try {
      await sql('revoke select on public.referral_notes from authenticated');
      await sql(`grant select (id, referral_id, author_id, author_display_name, author_organization, created_at)
                   on public.referral_notes to authenticated`);

      const system: { status: string; message: string }[] = [];
      const late = helen
        .channel(`hidden-column-${randomUUID()}`)
        .on('system' as never, {} as never, ((m: { status: string; message: string }) => system.push(m)) as never)
        .on(
          'postgres_changes' as never,
          { event: 'INSERT', schema: 'public', table: 'referral_notes', filter: 'body=ilike.*passport*' } as never,
          (() => undefined) as never,
        );
      await new Promise<void>((resolve) => late.subscribe((s) => s === 'SUBSCRIBED' && resolve()));
      await expect.poll(() => system.length).toBeGreaterThan(0);
      expect(system[0]).toMatchObject({
        status: 'error',
        message: expect.stringContaining('invalid column for filter body'),
      });

      const plain = await listen(helen, { table: 'referral_notes', event: 'INSERT' });
      const note = await addNote(SECRET);
      await fence();
      // Unfiltered: the note arrives, without the column she may not read.
      const heard = await plain.waitFor((c) => (c.new as { id?: string }).id === note);
      expect(heard.new).not.toHaveProperty('body');
      expect(JSON.stringify(heard)).not.toContain('passport');
      // The filter on body no longer tests it: nothing.
      expect(early.heard).toEqual([]);
    } finally {
      await restore();
    }
    expect(await acl()).toEqual(before);
  });
});
