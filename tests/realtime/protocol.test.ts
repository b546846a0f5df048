/**
 * The Phoenix protocol as realtime-js 2.119 speaks it, checked at the frame
 * level with a raw WebSocket through the gateway, and through supabase-js
 * where the client's own state machine is what matters (join errors, token
 * expiry, access_token refresh).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { anonClient, env, resetDb, signIn, type Client } from '../support/stack.ts';
import { PERSONAS, R1, isRow, listen, setStatus, sleep } from './helpers.ts';

const wsUrl = (vsn?: string, apikey: string | null = env.anonKey) => {
  const q = new URLSearchParams();
  if (apikey) q.set('apikey', apikey);
  if (vsn) q.set('vsn', vsn);
  return `${env.apiUrl.replace('http', 'ws')}/realtime/v1/websocket?${q}`;
};

type Msg = unknown[] | Record<string, unknown> | Buffer;

class Raw {
  messages: Msg[] = [];
  private waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  closed = false;
  constructor(public ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const m: Msg = isBinary ? (data as Buffer) : JSON.parse(String(data));
      this.messages.push(m);
      for (const w of [...this.waiters]) {
        if (!w.pred(m)) continue;
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m);
      }
    });
    ws.on('close', () => (this.closed = true));
  }
  static async open(url: string): Promise<Raw> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new Raw(ws);
  }
  send(frame: unknown) {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }
  wait(pred: (m: Msg) => boolean, ms = 5000): Promise<Msg> {
    const found = this.messages.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timeout; got ${JSON.stringify(this.messages)}`)), ms);
      this.waiters.push({ pred, resolve: (m) => (clearTimeout(t), resolve(m)) });
    });
  }
  /** v2 reply with this ref. */
  reply(ref: string) {
    return this.wait((m) => Array.isArray(m) && m[1] === ref && m[3] === 'phx_reply') as Promise<unknown[]>;
  }
  close() {
    this.ws.close();
  }
}

const mint = (claims: Record<string, unknown>, expiresIn: number) =>
  new SignJWT({ role: 'authenticated', aud: 'authenticated', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn)
    .sign(new TextEncoder().encode(env.jwtSecret));

const HELEN_ID = '10000000-0000-4000-8000-000000000001';
const sockets: Raw[] = [];
const clients: Client[] = [];
async function raw(vsn = '2.0.0'): Promise<Raw> {
  const r = await Raw.open(wsUrl(vsn));
  sockets.push(r);
  return r;
}

beforeAll(async () => {
  await resetDb();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(clients.map((c) => c.removeAllChannels()));
});

describe('frames', () => {
  it('heartbeat on topic phoenix is answered with the same ref (vsn 2.0.0)', async () => {
    const s = await raw();
    s.send([null, '1', 'phoenix', 'heartbeat', {}]);
    expect(await s.reply('1')).toEqual([null, '1', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
  });

  it('vsn 1.0.0 speaks JSON objects, and is the default without vsn', async () => {
    for (const vsn of ['1.0.0', undefined]) {
      const s = await Raw.open(wsUrl(vsn));
      sockets.push(s);
      s.send({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '3' });
      const m = (await s.wait((x) => !Array.isArray(x) && (x as { ref?: string }).ref === '3')) as Record<
        string,
        unknown
      >;
      expect(m).toMatchObject({
        topic: 'phoenix',
        event: 'phx_reply',
        payload: { status: 'ok', response: {} },
        ref: '3',
      });
      s.send({
        topic: 'realtime:v1room',
        event: 'phx_join',
        payload: { config: { postgres_changes: [] } },
        ref: '4',
        join_ref: '4',
      });
      const j = (await s.wait((x) => (x as { ref?: string }).ref === '4')) as Record<string, unknown>;
      expect(j).toMatchObject({
        event: 'phx_reply',
        payload: { status: 'ok', response: { postgres_changes: [] } },
        join_ref: '4',
      });
    }
  });

  it('malformed frames get an error reply and the socket stays up', async () => {
    const s = await raw();
    s.send('this is not json');
    s.send(JSON.stringify({ not: 'an array' }));
    s.send(JSON.stringify(['1', '2', 'realtime:x', 'phx_join', 'payload-not-an-object']));
    s.send(Buffer.from([9, 9, 9]));
    await s.wait(() => s.messages.length >= 4);
    for (const m of s.messages.slice(0, 4)) {
      expect((m as unknown[])[3]).toBe('phx_reply');
      expect((m as unknown[])[4]).toMatchObject({
        status: 'error',
        response: { reason: expect.stringMatching(/malformed/) },
      });
    }
    expect((s.messages[2] as unknown[])[1]).toBe('2');
    s.send([null, '9', 'phoenix', 'heartbeat', {}]);
    await s.reply('9');
    expect(s.closed).toBe(false);
  });

  it('a message on a topic not joined answers "unmatched topic"', async () => {
    const s = await raw();
    s.send(['5', '6', 'realtime:nowhere', 'broadcast', { type: 'broadcast', event: 'x', payload: {} }]);
    s.send(['5', '7', 'elsewhere', 'phx_join', {}]);
    for (const ref of ['6', '7']) {
      expect((await s.reply(ref))[4]).toEqual({ status: 'error', response: { reason: 'unmatched topic' } });
    }
  });

  it('join replies echo each postgres_changes binding with a stable non-zero id; leave replies ok then closes', async () => {
    const s = await raw();
    const bindings = [
      { event: '*', schema: 'public', table: 'referrals' },
      { event: 'INSERT', schema: 'public', table: 'referrals', filter: 'status=eq.pending' },
    ];
    s.send([
      '1',
      '1',
      'realtime:ids',
      'phx_join',
      { config: { postgres_changes: bindings }, access_token: await mint({ sub: HELEN_ID }, 600) },
    ]);
    const reply = (await s.reply('1'))[4] as { status: string; response: { postgres_changes: { id: number }[] } };
    expect(reply.status).toBe('ok');
    const ids = reply.response.postgres_changes.map((b) => b.id);
    expect(reply.response.postgres_changes).toEqual(bindings.map((b, i) => ({ ...b, id: ids[i] })));
    expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
    expect(ids[0]).not.toBe(ids[1]);
    const sys = (await s.wait((m) => Array.isArray(m) && m[3] === 'system')) as unknown[];
    expect(sys).toEqual([
      '1',
      null,
      'realtime:ids',
      'system',
      { extension: 'postgres_changes', status: 'ok', message: 'Subscribed to PostgreSQL', channel: 'ids' },
    ]);

    // The same bindings on another socket get the same ids.
    const s2 = await raw();
    s2.send(['3', '3', 'realtime:ids', 'phx_join', { config: { postgres_changes: bindings } }]);
    const reply2 = (await s2.reply('3'))[4] as { response: { postgres_changes: { id: number }[] } };
    expect(reply2.response.postgres_changes.map((b) => b.id)).toEqual(ids);

    // A change is pushed with join_ref/ref null and the matching ids.
    const helen = await signIn(PERSONAS.helen);
    clients.push(helen);
    await setStatus(helen, R1, 'pending');
    const change = (await s.wait((m) => Array.isArray(m) && m[3] === 'postgres_changes')) as unknown[];
    expect(change.slice(0, 4)).toEqual([null, null, 'realtime:ids', 'postgres_changes']);
    const payload = change[4] as { ids: number[]; data: Record<string, unknown> };
    expect(payload.ids).toEqual([ids[0]]);
    expect(payload.data).toMatchObject({
      schema: 'public',
      table: 'referrals',
      type: 'UPDATE',
      errors: null,
      record: { id: R1, status: 'pending', version: expect.any(Number) },
      old_record: { id: R1 },
    });
    expect(payload.data.commit_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(payload.data.columns).toContainEqual({ name: 'status', type: 'referral_status' });
    expect(payload.data.columns).toContainEqual({ name: 'id', type: 'uuid' });

    s.send(['1', '2', 'realtime:ids', 'phx_leave', {}]);
    expect((await s.reply('2'))[4]).toEqual({ status: 'ok', response: {} });
    expect(await s.wait((m) => Array.isArray(m) && m[3] === 'phx_close')).toEqual([
      '1',
      '1',
      'realtime:ids',
      'phx_close',
      {},
    ]);
  });

  it('a socket whose apikey is not a valid JWT is refused at the upgrade', async () => {
    const res = await fetch(`http://127.0.0.1:${env.ports.realtime}/websocket?apikey=nope&vsn=2.0.0`, {
      headers: {
        connection: 'upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    }).catch((e: Error) => e);
    if (res instanceof Response) {
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'The token provided is not a valid JWT' });
    } else {
      const err = await new Promise<Error>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${env.ports.realtime}/websocket?apikey=nope&vsn=2.0.0`);
        ws.on('unexpected-response', (_req, r) => resolve(new Error(String(r.statusCode))));
        ws.on('error', resolve);
      });
      expect(err.message).toMatch(/401/);
    }
  });
});

describe('tokens', () => {
  it('joining with an expired token reports CHANNEL_ERROR with the reason', async () => {
    const client = anonClient();
    clients.push(client);
    await client.realtime.setAuth(await mint({ sub: HELEN_ID }, -30));
    const ch = client.channel('expired-join');
    const err = await new Promise<Error | undefined>((resolve) =>
      ch.subscribe((status, e) => {
        if (status === 'CHANNEL_ERROR') resolve(e);
      }),
    );
    expect(err?.message).toMatch(/^InvalidJWTToken: Token has expired \d+ seconds ago$/);
    await client.removeChannel(ch);
  }, 20_000);

  it('a token that expires while joined ends the channel with a system message and CLOSED', async () => {
    const client = anonClient();
    clients.push(client);
    await client.realtime.setAuth(await mint({ sub: HELEN_ID }, 2));
    const system: Record<string, unknown>[] = [];
    const statuses: string[] = [];
    const ch = client
      .channel('expiring')
      .on('system' as never, {} as never, ((m: Record<string, unknown>) => system.push(m)) as never);
    await new Promise<void>((resolve) =>
      ch.subscribe((status) => {
        statuses.push(status);
        if (status === 'SUBSCRIBED') resolve();
      }),
    );
    await expect.poll(() => statuses, { timeout: 6000 }).toContain('CLOSED');
    expect(system.at(-1)).toMatchObject({
      extension: 'system',
      status: 'error',
      message: expect.stringMatching(/^Token has expired \d+ seconds ago$/),
      channel: 'expiring',
    });
    // No rejoin: a closed channel leaves its socket (an errored one would stay, with a rejoin timer running).
    expect(ch.state).toBe('closed');
    expect(client.realtime.getChannels()).not.toContain(ch);
    expect(statuses.filter((s) => s === 'SUBSCRIBED')).toHaveLength(1);
  }, 20_000);

  it('access_token with a fresh token keeps the channel alive and applies the new claims', async () => {
    const client = anonClient();
    clients.push(client);
    // Joined as anon (no session), then the token of Helen arrives.
    const ear = await listen(client);
    await client.realtime.setAuth(await mint({ sub: HELEN_ID }, 600));
    await sleep(200);
    const helen = await signIn(PERSONAS.helen);
    clients.push(helen);
    await setStatus(helen, R1, 'eligible');
    await ear.waitFor(isRow(R1, 'eligible'));
    expect(ear.statuses).toEqual(['SUBSCRIBED']);
  });

  it('an invalid access_token closes the channel with a system error', async () => {
    const s = await raw();
    s.send(['1', '1', 'realtime:bad-refresh', 'phx_join', { config: {} }]);
    await s.reply('1');
    s.send(['1', '2', 'realtime:bad-refresh', 'access_token', { access_token: 'garbage.token.here' }]);
    const sys = (await s.wait((m) => Array.isArray(m) && m[3] === 'system')) as unknown[];
    expect(sys[4]).toMatchObject({
      extension: 'system',
      status: 'error',
      message: 'The token provided is not a valid JWT',
    });
    expect(await s.wait((m) => Array.isArray(m) && m[3] === 'phx_close')).toEqual([
      '1',
      '1',
      'realtime:bad-refresh',
      'phx_close',
      {},
    ]);
  });
});
