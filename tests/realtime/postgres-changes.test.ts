/**
 * postgres_changes through supabase-js, signed in as the seeded personas:
 * a change reaches exactly the people whose row-level security lets them
 * read the row at that moment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetDb, serviceClient, sql, type Client } from '../support/stack.ts';
import {
  HARBOR,
  R1,
  R2,
  R3,
  SAM_SEEKER,
  EASTSIDE,
  WESTSIDE,
  isRow,
  listen,
  persona,
  fence,
  setStatus,
  type Listener,
  type Persona,
} from './helpers.ts';

const clients: Client[] = [];
async function who(name: Persona | 'anon'): Promise<Client> {
  const c = await persona(name);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  await resetDb();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.removeAllChannels()));
});

describe('a status change of R1', () => {
  const hearers: Persona[] = ['helen', 'henry', 'clara', 'cody', 'sam'];
  const outsiders: Persona[] = ['walter', 'carl'];
  const ears = new Map<Persona | 'anon', Listener>();
  const users = new Map<Persona, Client>();

  beforeAll(async () => {
    for (const p of [...hearers, ...outsiders]) {
      const c = await who(p);
      users.set(p, c);
      ears.set(p, await listen(c));
    }
    ears.set('anon', await listen(await who('anon')));
  });

  const statuses = ['pending', 'eligible', 'needs_client_action', 'referred_elsewhere', 'got_help'];
  hearers.forEach((actor, i) => {
    it(`made by ${actor} reaches Helen, Henry, Clara, Cody and Sam`, async () => {
      const status = statuses[i]!;
      await setStatus(users.get(actor)!, R1, status);
      for (const p of hearers) {
        const c = await ears.get(p)!.waitFor(isRow(R1, status));
        expect(c.eventType).toBe('UPDATE');
        expect(c.schema).toBe('public');
        expect(c.table).toBe('referrals');
        expect(c.errors).toBeNull();
        expect(new Date(c.commit_timestamp).getTime()).toBeGreaterThan(Date.now() - 60_000);
        expect(c.new).toMatchObject({ id: R1, status, program_id: HARBOR, version: expect.any(Number) });
        // REPLICA IDENTITY FULL on referrals: the old row comes along.
        expect(c.old).toMatchObject({ id: R1 });
      }
    });
  });

  it('reaches neither Walter, Carl nor an anonymous visitor', async () => {
    await fence([users.get('walter')!, users.get('carl')!]);
    for (const p of [...outsiders, 'anon'] as const) {
      expect(ears.get(p)!.heard.filter((c) => JSON.stringify(c).includes(R1))).toEqual([]);
    }
  });

  it('Carl hears R2 change, which Sam and Helen do not', async () => {
    const carl = users.get('carl')!;
    await setStatus(carl, R2, 'eligible');
    const heard = await ears.get('carl')!.waitFor(isRow(R2, 'eligible'));
    expect(heard.new).toMatchObject({ program_id: expect.any(String), status: 'eligible' });
    await fence([users.get('sam')!, users.get('helen')!, users.get('walter')!]);
    for (const p of ['sam', 'helen', 'walter', 'anon'] as const) {
      expect(ears.get(p)!.heard.some(isRow(R2))).toBe(false);
    }
  });

  it('a new referral reaches the receiving program’s claimers as an INSERT', async () => {
    const helen = users.get('helen')!;
    const { data, error } = await helen
      .from('referrals')
      .insert({
        seeker_id: SAM_SEEKER,
        program_id: HARBOR,
        from_site_id: EASTSIDE,
        comment: 'realtime insert',
      } as never)
      .select('id')
      .single();
    expect(error).toBeNull();
    const id = (data as { id: string }).id;
    for (const p of ['clara', 'cody', 'helen'] as const) {
      const c = await ears.get(p)!.waitFor(isRow(id));
      expect(c.eventType).toBe('INSERT');
      expect(c.old).toEqual({});
      expect(c.new).toMatchObject({ id, comment: 'realtime insert', status: 'not_updated' });
    }
    await fence([users.get('carl')!, users.get('walter')!]);
    expect(ears.get('carl')!.heard.some(isRow(id))).toBe(false);
    expect(ears.get('walter')!.heard.some(isRow(id))).toBe(false);
    expect(ears.get('anon')!.heard.some(isRow(id))).toBe(false);
  });
});

describe('filters and events', () => {
  it('program_id=eq.<Harbor> hears only Harbor’s referrals; an unfiltered one hears both', async () => {
    const clara = await who('clara');
    const filtered = await listen(clara, { filter: `program_id=eq.${HARBOR}` });
    const all = await listen(clara);
    await setStatus(clara, R3, 'pending'); // Bright Futures, made from Harbor (team sharing on)
    await setStatus(clara, R1, 'no_capacity'); // Harbor
    await filtered.waitFor(isRow(R1, 'no_capacity'));
    await all.waitFor(isRow(R3, 'pending'));
    await all.waitFor(isRow(R1, 'no_capacity'));
    expect(filtered.heard.some(isRow(R3))).toBe(false);
    expect(filtered.heard.every((c) => (c.new as { program_id: string }).program_id === HARBOR)).toBe(true);
  });

  it('neq, in and gt filters and event-specific bindings', async () => {
    const clara = await who('clara');
    const neq = await listen(clara, { filter: `program_id=neq.${HARBOR}` });
    const inList = await listen(clara, { filter: `status=in.(eligible,got_help)` });
    const gt = await listen(clara, { filter: 'version=gt.1000000' });
    const inserts = await listen(clara, { event: 'INSERT' });
    const updates = await listen(clara, { event: 'UPDATE' });
    await setStatus(clara, R3, 'got_help');
    await setStatus(clara, R1, 'couldnt_contact');
    await neq.waitFor(isRow(R3, 'got_help'));
    await inList.waitFor(isRow(R3, 'got_help'));
    await updates.waitFor(isRow(R1, 'couldnt_contact'));
    await fence([clara]);
    expect(neq.heard.some(isRow(R1))).toBe(false);
    expect(inList.heard.some(isRow(R1))).toBe(false);
    expect(gt.heard).toEqual([]);
    expect(inserts.heard).toEqual([]);
  });

  it('a transaction changing several rows: each subscriber hears exactly the rows it may read', async () => {
    const clara = await who('clara');
    const helen = await who('helen');
    const claraEar = await listen(clara);
    const helenEar = await listen(helen);
    await sql(`update referrals set status = 'referred_elsewhere' where id = any($1)`, [[R1, R2, R3]]);
    await claraEar.waitFor(isRow(R1, 'referred_elsewhere'));
    await claraEar.waitFor(isRow(R3, 'referred_elsewhere'));
    await helenEar.waitFor(isRow(R1, 'referred_elsewhere'));
    await fence([clara, helen]);
    expect(claraEar.heard.some(isRow(R2))).toBe(false);
    expect(helenEar.heard.some(isRow(R2)) || helenEar.heard.some(isRow(R3))).toBe(false);
  });

  it('select limits the payload to the chosen columns plus the primary key', async () => {
    const clara = await who('clara');
    const heard: { new: Record<string, unknown>; columns?: unknown }[] = [];
    const ch = clara
      .channel('select-columns')
      .on(
        'postgres_changes' as never,
        { event: 'UPDATE', schema: 'public', table: 'referrals', select: ['status'] } as never,
        ((p: { new: Record<string, unknown> }) => heard.push(p)) as never,
      );
    await new Promise<void>((resolve) => ch.subscribe((s) => s === 'SUBSCRIBED' && resolve()));
    await setStatus(clara, R1, 'eligible');
    await expect.poll(() => heard.length).toBeGreaterThan(0);
    expect(heard[0]!.new).toEqual({ id: R1, status: 'eligible' });
    await clara.removeChannel(ch);
  });

  it('a subscription to a table outside the publication gets a system error but stays joined', async () => {
    const helen = await who('helen');
    const messages: { status: string; message: string }[] = [];
    const ch = helen
      .channel('not-published')
      .on('system' as never, {} as never, ((m: { status: string; message: string }) => messages.push(m)) as never)
      .on(
        'postgres_changes' as never,
        { event: '*', schema: 'public', table: 'profiles' } as never,
        (() => undefined) as never,
      );
    await new Promise<void>((resolve) => ch.subscribe((s) => s === 'SUBSCRIBED' && resolve()));
    await expect.poll(() => messages.length).toBeGreaterThan(0);
    expect(messages[0]).toMatchObject({
      status: 'error',
      message: expect.stringContaining('Unable to subscribe to changes'),
    });
    await helen.removeChannel(ch);
  });

  it('DELETE carries the primary key to every subscriber of the table', async () => {
    // Deletes are not checked against RLS in Supabase: old holds only the key.
    const helen = await who('helen');
    const anonEar = await listen(await who('anon'), { table: 'referral_notes', event: 'DELETE' });
    const helenEar = await listen(helen, { table: 'referral_notes', event: 'DELETE' });
    const [note] = await sql<{ id: string }>(
      `insert into referral_notes (referral_id, author_id, body) values ($1, '10000000-0000-4000-8000-000000000001', 'to delete') returning id`,
      [R1],
    );
    await sql('delete from referral_notes where id = $1', [note!.id]);
    const heard = await helenEar.waitFor((c) => (c.old as { id?: string }).id === note!.id);
    expect(heard.eventType).toBe('DELETE');
    expect(heard.new).toEqual({});
    expect(heard.old).toEqual({ id: note!.id });
    // anon has no SELECT grant on the notes: it hears nothing at all (see fence()).
    await fence([helen]);
    const anonGrant = await sql<{ ok: boolean }>(
      `select has_table_privilege('anon', 'public.referral_notes', 'select') as ok`,
    );
    if (!anonGrant[0]!.ok) expect(anonEar.heard).toEqual([]);
  });
});

describe('team sharing switched while subscribed', () => {
  it('starts delivery to the team when switched on and stops it when switched off', async () => {
    const wendy = await who('wendy');
    const walter = await who('walter');
    const ear = await listen(walter);
    const service = serviceClient();
    clients.push(service);

    await setStatus(wendy, R2, 'not_eligible');
    await fence([walter]);
    expect(ear.heard.some(isRow(R2))).toBe(false);

    await sql('update sites set team_sharing = true where id = $1', [WESTSIDE]);
    await setStatus(wendy, R2, 'no_capacity');
    await ear.waitFor(isRow(R2, 'no_capacity'));

    await sql('update sites set team_sharing = false where id = $1', [WESTSIDE]);
    await setStatus(wendy, R2, 'couldnt_get_help');
    await fence([walter]);
    expect(ear.heard.some(isRow(R2, 'couldnt_get_help'))).toBe(false);
  });
});
