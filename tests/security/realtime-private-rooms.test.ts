/**
 * Abuse test of Realtime channels, written as the attacker: a private channel
 * (joinable only by whom row level security on `realtime.messages` allows)
 * and a public channel of the same name are separate rooms, as hosted keeps
 * them. Mallory, who belongs to no organisation, joins the public `staff-room`
 * and must neither see who is present in the private one (presence metas can
 * carry what a screen shows) nor reach its members with her broadcasts.
 *
 * The stack creates `realtime.messages` (as the Realtime service does); this
 * file adds policies for its room (as a project would) and drops them afterwards.
 */
import { randomUUID } from 'node:crypto';
import type { RealtimeChannel } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { env, resetDb, serviceClient, signIn, sql, type Client } from '../support/stack.ts';
import { HARBOR, listen, persona } from '../realtime/helpers.ts';

const ROOM = `staff-room-${randomUUID().slice(0, 8)}`;
const HELEN = '10000000-0000-4000-8000-000000000001';
const clients: Client[] = [];
let helen: Client;
let mallory: Client;
let originalDescription: string;

beforeAll(async () => {
  await resetDb();
  await sql(`create policy "Helen reads the staff room" on realtime.messages for select to authenticated
               using (topic = '${ROOM}' and auth.uid() = '${HELEN}')`);
  await sql(`create policy "Helen is present in the staff room" on realtime.messages for insert to authenticated
               with check (topic = '${ROOM}' and extension = 'presence' and auth.uid() = '${HELEN}')`);
  helen = await persona('helen');
  const email = `mallory-${randomUUID().slice(0, 8)}@nowhere.example`;
  const { error } = await serviceClient().auth.admin.createUser({ email, password: env.password, email_confirm: true });
  expect(error).toBeNull();
  mallory = await signIn(email);
  clients.push(helen, mallory);
  originalDescription = (
    await sql<{ description: string }>('select description from programs where id = $1', [HARBOR])
  )[0]!.description;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.removeAllChannels()));
  await sql('drop policy if exists "Helen reads the staff room" on realtime.messages');
  await sql('drop policy if exists "Helen is present in the staff room" on realtime.messages');
  await sql('update programs set description = $2 where id = $1', [HARBOR, originalDescription]);
});

function join(client: Client, opts: { private: boolean; key: string }): Promise<RealtimeChannel> {
  const ch = client.channel(ROOM, {
    config: { private: opts.private, presence: { key: opts.key }, broadcast: { self: true } },
  });
  ch.on('presence', { event: 'sync' }, () => undefined);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${opts.key} could not join`)), 15_000);
    ch.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') {
        clearTimeout(t);
        resolve(ch);
      } else if (err) {
        clearTimeout(t);
        reject(err);
      }
    });
  });
}

describe('a private channel and a public one of the same name', () => {
  it('Mallory cannot join the private room; in the public one she sees and reaches no private member', async () => {
    const privateChannel = await join(helen, { private: true, key: 'helen' });
    const helenHeard: unknown[] = [];
    privateChannel.on('broadcast', { event: '*' }, (m) => helenHeard.push(m));
    expect(await privateChannel.track({ shift: 'night desk at the shelter' })).toBe('ok');
    await expect.poll(() => Object.keys(privateChannel.presenceState())).toEqual(['helen']);

    // The honest refusal: Mallory is not allowed into the private room.
    await expect(join(mallory, { private: true, key: 'mallory-private' })).rejects.toThrow(
      /do not have permissions to read from this Channel topic/,
    );
    await mallory.removeAllChannels();

    const publicChannel = await join(mallory, { private: false, key: 'mallory' });
    const malloryHeard: { event: string }[] = [];
    publicChannel.on('broadcast', { event: '*' }, (m) => malloryHeard.push(m as { event: string }));
    expect(await publicChannel.track({ shift: 'curious' })).toBe('ok');
    // Her own presence shows (the positive signal), Helen's never does.
    await expect.poll(() => Object.keys(publicChannel.presenceState())).toEqual(['mallory']);
    expect(JSON.stringify(publicChannel.presenceState())).not.toContain('shelter');

    // Her broadcast (socket and REST) reaches her own room only.
    expect(await publicChannel.send({ type: 'broadcast', event: 'probe', payload: { n: 1 } })).toBe('ok');
    await expect.poll(() => malloryHeard.some((m) => m.event === 'probe')).toBe(true);
    const rest = await fetch(`${env.apiUrl}/realtime/v1/api/broadcast`, {
      method: 'POST',
      headers: { apikey: env.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ topic: ROOM, event: 'probe-rest', payload: {}, private: false }] }),
    });
    expect(rest.status).toBe(202);
    await expect.poll(() => malloryHeard.some((m) => m.event === 'probe-rest')).toBe(true);

    // Fence for Helen's socket: a change she may see, committed after both
    // broadcasts went out. Once she hears it, anything sent to her before has arrived.
    const fence = await listen(helen, { table: 'programs', event: 'UPDATE', filter: `id=eq.${HARBOR}` });
    const marker = `fence ${randomUUID()}`;
    await sql('update programs set description = $2 where id = $1', [HARBOR, marker]);
    await fence.waitFor((c) => (c.new as { description?: string }).description === marker);
    expect(helenHeard).toEqual([]);
    expect(Object.keys(privateChannel.presenceState())).toEqual(['helen']);
  });
});
