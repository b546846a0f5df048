/**
 * Broadcast (self, ack, REST send and httpSend, vsn 1.0.0 and 2.0.0) and
 * presence (track, untrack, sync, join, leave) through supabase-js.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, type RealtimeChannel } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { anonClient, env, signIn, type Client } from '../support/stack.ts';
import { PERSONAS } from './helpers.ts';

const clients: Client[] = [];
function client(vsn?: '1.0.0' | '2.0.0'): Client {
  const c = vsn
    ? (createClient(env.apiUrl, env.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false },
        realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket, vsn },
      }) as unknown as Client)
    : anonClient();
  clients.push(c);
  return c;
}

afterAll(async () => {
  await Promise.all(clients.map((c) => c.removeAllChannels()));
});

function joined(ch: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    ch.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve();
      else if (status !== 'CLOSED') reject(new Error(`${status} ${err?.message ?? ''}`));
    });
  });
}

let n = 0;
const room = () => `room-${process.pid}-${++n}`;

describe('broadcast', () => {
  for (const [a, b] of [
    ['2.0.0', '2.0.0'],
    ['1.0.0', '2.0.0'],
    ['2.0.0', '1.0.0'],
  ] as const) {
    it(`reaches the other subscribers, not the sender without self (sender ${a}, receiver ${b})`, async () => {
      const name = room();
      const got: { sender: unknown[]; receiver: unknown[] } = { sender: [], receiver: [] };
      const sender = client(a)
        .channel(name)
        .on('broadcast', { event: 'cursor' }, (m) => got.sender.push(m));
      const receiver = client(b)
        .channel(name)
        .on('broadcast', { event: 'cursor' }, (m) => got.receiver.push(m));
      await joined(sender);
      await joined(receiver);
      expect(await sender.send({ type: 'broadcast', event: 'cursor', payload: { x: 1, name: 'Zoë' } })).toBe('ok');
      await expect.poll(() => got.receiver).toHaveLength(1);
      expect(got.receiver[0]).toMatchObject({ type: 'broadcast', event: 'cursor', payload: { x: 1, name: 'Zoë' } });
      // the receiver answers only after it heard the cursor: an echo to the sender would have come first
      const replies: unknown[] = [];
      sender.on('broadcast', { event: 'reply' }, (m) => replies.push(m));
      expect(await receiver.send({ type: 'broadcast', event: 'reply', payload: {} })).toBe('ok');
      await expect.poll(() => replies).toHaveLength(1);
      expect(got.sender).toEqual([]);
    });
  }

  it('self: true echoes to the sender; ack: true resolves after the server replies', async () => {
    const name = room();
    const got: unknown[] = [];
    const ch = client()
      .channel(name, { config: { broadcast: { self: true, ack: true } } })
      .on('broadcast', { event: '*' }, (m) => got.push(m));
    await joined(ch);
    expect(await ch.send({ type: 'broadcast', event: 'ping', payload: { n: 1 } })).toBe('ok');
    await expect.poll(() => got).toHaveLength(1);
    expect(got[0]).toMatchObject({ event: 'ping', payload: { n: 1 } });
  });

  it('other topics hear nothing', async () => {
    const got: unknown[] = [];
    const aClient = client();
    const a = aClient.channel(room());
    const bTopic = room();
    const b = client()
      .channel(bTopic)
      .on('broadcast', { event: '*' }, (m) => got.push(m));
    await joined(a);
    await joined(b);
    await a.send({ type: 'broadcast', event: 'x', payload: {} });
    // then a message on b's topic from the same client: it arrives, and nothing came before it
    const toB = aClient.channel(bTopic);
    await joined(toB);
    await toB.send({ type: 'broadcast', event: 'fence', payload: {} });
    await expect.poll(() => got).toHaveLength(1);
    expect(got).toMatchObject([{ event: 'fence' }]);
  });

  it('httpSend and the REST fallback of send() deliver through POST /api/broadcast', async () => {
    const name = room();
    const got: unknown[] = [];
    const listener = client()
      .channel(name)
      .on('broadcast', { event: '*' }, (m) => got.push(m));
    await joined(listener);
    const sender = client().channel(name);
    await sender.httpSend('http-event', { via: 'httpSend' });
    expect(await sender.send({ type: 'broadcast', event: 'rest-event', payload: { via: 'rest' } })).toBe('ok');
    await expect.poll(() => got).toHaveLength(2);
    expect(got).toContainEqual(expect.objectContaining({ event: 'http-event', payload: { via: 'httpSend' } }));
    expect(got).toContainEqual(expect.objectContaining({ event: 'rest-event', payload: { via: 'rest' } }));
  });

  it('the REST endpoint refuses requests without a valid token', async () => {
    const res = await fetch(`http://127.0.0.1:${env.ports.realtime}/api/broadcast`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-jwt' },
      body: JSON.stringify({ messages: [{ topic: 'x', event: 'y', payload: {} }] }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'Unauthorized' });
  });
});

describe('presence', () => {
  it('track, sync, join and leave between two signed-in people', async () => {
    const name = room();
    const helen = await signIn(PERSONAS.helen);
    const clara = await signIn(PERSONAS.clara);
    clients.push(helen, clara);
    const joins: string[] = [];
    const leaves: string[] = [];
    const a = helen.channel(name, { config: { presence: { key: 'helen' } } });
    a.on('presence', { event: 'join' }, ({ key }) => joins.push(key));
    a.on('presence', { event: 'leave' }, ({ key }) => leaves.push(key));
    a.on('presence', { event: 'sync' }, () => undefined);
    await joined(a);
    expect(await a.track({ screen: 'inbound' })).toBe('ok');

    const b = clara.channel(name, { config: { presence: { key: 'clara' } } });
    b.on('presence', { event: 'sync' }, () => undefined);
    await joined(b);
    // The newcomer gets the current state at join.
    await expect.poll(() => Object.keys(b.presenceState())).toEqual(['helen']);
    expect(b.presenceState().helen![0]).toMatchObject({ screen: 'inbound', presence_ref: expect.any(String) });

    expect(await b.track({ screen: 'profile' })).toBe('ok');
    await expect.poll(() => Object.keys(a.presenceState()).sort()).toEqual(['clara', 'helen']);
    expect(joins).toEqual(['helen', 'clara']);

    // Re-track replaces the meta.
    await b.track({ screen: 'dashboard' });
    await expect
      .poll(() => (a.presenceState().clara?.[0] as { screen?: string } | undefined)?.screen)
      .toBe('dashboard');
    expect(a.presenceState().clara).toHaveLength(1);

    expect(await b.untrack()).toBe('ok');
    await expect.poll(() => Object.keys(a.presenceState())).toEqual(['helen']);
    expect(leaves).toContain('clara');

    // Leaving the channel removes what it tracked.
    await b.track({ screen: 'again' });
    await expect.poll(() => Object.keys(a.presenceState()).sort()).toEqual(['clara', 'helen']);
    await clara.removeChannel(b);
    await expect.poll(() => Object.keys(a.presenceState())).toEqual(['helen']);
  });

  it('a client that drops its connection leaves the presence of the others', async () => {
    const name = room();
    const watcher = client().channel(name, { config: { presence: { key: 'watcher' } } });
    watcher.on('presence', { event: 'sync' }, () => undefined);
    await joined(watcher);
    const leaver = client();
    const ch = leaver.channel(name, { config: { presence: { key: 'leaver' } } });
    await joined(ch);
    await ch.track({ here: true });
    await expect.poll(() => Object.keys(watcher.presenceState())).toEqual(['leaver']);
    leaver.realtime.disconnect();
    await expect.poll(() => Object.keys(watcher.presenceState())).toEqual([]);
  });

  it('a track payload that is not an object is refused', async () => {
    const ch = client().channel(room());
    await joined(ch);
    expect(await ch.track('nope' as never)).toBe('error');
  });
});
