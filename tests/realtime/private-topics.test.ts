/**
 * The app's private topics (supabase/schemas/99_realtime.sql) as the seeded
 * people meet them, through supabase-js against the running stack:
 *   - which topics each person may join (and that every other join is
 *     refused with hosted Realtime's error);
 *   - who hears which change: exactly those who may read the changed row
 *     under RLS, each through topics they could join, with payloads that
 *     carry only the listed columns;
 *   - no policy, no join; a site that stops sharing stops being joinable
 *     (on the next join and when the access token is refreshed).
 * "Heard nothing" is proven by commit order: after each change a marker is
 * sent (in a later transaction) to every person's own user topic; what the
 * change sent them would have arrived before their marker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeChannel } from '@supabase/supabase-js';
import { env, resetDb, serviceClient, signIn, sql, type Client } from '../support/stack.ts';
import { EASTSIDE, HARBOR, PERSONAS, R1, R3, SAFE_HAVEN, SAM_SEEKER, WESTSIDE, type Persona } from './helpers.ts';

const BRIGHT = '30000000-0000-4000-8000-000000000003';
const NAMES = Object.keys(PERSONAS) as Persona[];

interface Heard {
  topic: string;
  event: string;
  payload: { table: string; type: string; record: Record<string, unknown> } & Record<string, unknown>;
}

interface Person {
  name: Persona;
  client: Client;
  id: string;
  topics: string[];
  channels: RealtimeChannel[];
  heard: Heard[];
  waiters: { pred: (h: Heard) => boolean; resolve: () => void }[];
}

const people = new Map<Persona, Person>();

function joinPrivate(client: Client, topic: string, onMessage?: (h: Heard) => void) {
  return new Promise<{ channel: RealtimeChannel; status: string; error?: string }>((resolve) => {
    const channel = client.channel(topic, { config: { private: true } });
    if (onMessage)
      channel.on('broadcast', { event: '*' }, (m: { event: string; payload: Heard['payload'] }) =>
        onMessage({ topic, event: m.event, payload: m.payload }),
      );
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve({ channel, status });
      else if (status === 'CHANNEL_ERROR') {
        void client.removeChannel(channel);
        resolve({ channel, status, error: err?.message });
      }
    });
  });
}

function waitHeard(p: Person, pred: (h: Heard) => boolean, ms = 10_000): Promise<void> {
  if (p.heard.some(pred)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`${p.name} heard nothing matching in ${ms} ms: ${JSON.stringify(p.heard)}`)),
      ms,
    );
    p.waiters.push({ pred, resolve: () => (clearTimeout(t), resolve()) });
  });
}

let markerSeq = 0;
/**
 * Sends a marker to everyone's user topic in a new transaction and waits
 * until each has it: whatever an earlier commit sent them has arrived.
 */
async function settle(): Promise<string> {
  const marker = `m${++markerSeq}`;
  await sql(
    `select realtime.send(jsonb_build_object('table', 'marker', 'type', 'INSERT', 'record', '{}'::jsonb), $1, t, true)
       from unnest($2::text[]) t`,
    [marker, [...people.values()].map((p) => `user:${p.id}`)],
  );
  await Promise.all([...people.values()].map((p) => waitHeard(p, (h) => h.event === marker)));
  return marker;
}

/** What each person heard of `table` since the last settle, by row id. */
function heardSince(marker: string | null, p: Person, table: string): Heard[] {
  const start = marker ? p.heard.findIndex((h) => h.event === marker) + 1 : 0;
  const end = p.heard.length;
  return p.heard.slice(start, end).filter((h) => h.payload.table === table);
}

async function canRead(p: Person, table: 'referrals' | 'referral_notes' | 'seekers' | 'goals', id: string) {
  const { data, error } = await p.client.from(table).select('id').eq('id', id);
  if (error) return false;
  return (data ?? []).length === 1;
}

beforeAll(async () => {
  await resetDb();
  for (const name of NAMES) {
    const client = await signIn(PERSONAS[name]);
    const { data } = await client.auth.getUser();
    const { data: topics, error } = await client.rpc('my_realtime_topics');
    if (error) throw error;
    people.set(name, {
      name,
      client,
      id: data.user!.id,
      topics: topics ?? [],
      channels: [],
      heard: [],
      waiters: [],
    });
  }
});

afterAll(async () => {
  for (const p of people.values()) await p.client.removeAllChannels();
});

describe('topics', () => {
  it('each person may join exactly the topics the visibility rules give them', () => {
    const id = (n: Persona) => people.get(n)!.id;
    const topics = (n: Persona) => [...people.get(n)!.topics].sort();
    expect(topics('helen')).toEqual([`site:${EASTSIDE}`, `user:${id('helen')}`].sort());
    expect(topics('henry')).toEqual([`site:${EASTSIDE}`, `user:${id('henry')}`].sort());
    // Westside does not share: no site topic.
    expect(topics('wendy')).toEqual([`user:${id('wendy')}`]);
    // Harbor shares what its staff send.
    expect(topics('clara')).toEqual([`program:${HARBOR}`, `program-outbound:${HARBOR}`, `user:${id('clara')}`].sort());
    expect(topics('carl')).toEqual([`program:${SAFE_HAVEN}`, `user:${id('carl')}`].sort());
    expect(topics('dana')).toEqual([`program:${BRIGHT}`, `user:${id('dana')}`].sort());
    expect(topics('sam')).toEqual([`user:${id('sam')}`]);
  });

  it('joins: allowed for their topics, refused with the hosted error for every other', async () => {
    const candidates = [
      `program:${HARBOR}`,
      `program:${SAFE_HAVEN}`,
      `site:${EASTSIDE}`,
      `site:${WESTSIDE}`,
      `program-outbound:${HARBOR}`,
      `user:${people.get('helen')!.id}`,
      `user:${people.get('sam')!.id}`,
      `seeker:${SAM_SEEKER}`,
    ];
    const results = await Promise.all(
      [...people.values()].flatMap((p) =>
        candidates.map(async (topic) => {
          const r = await joinPrivate(p.client, topic);
          if (r.status === 'SUBSCRIBED') await p.client.removeChannel(r.channel);
          return { who: p.name, topic, ok: r.status === 'SUBSCRIBED', error: r.error, may: p.topics.includes(topic) };
        }),
      ),
    );
    for (const r of results) {
      expect(r.ok, `${r.who} joining ${r.topic}`).toBe(r.may);
      if (!r.may)
        expect(r.error).toBe(`Unauthorized: You do not have permissions to read from this Channel topic: ${r.topic}`);
    }
    // The matrix is not trivially all-refused or all-allowed.
    expect(results.filter((r) => r.ok).length).toBeGreaterThan(8);
    expect(results.filter((r) => !r.ok).length).toBeGreaterThan(40);
  });
});

describe('who hears which change', () => {
  beforeAll(async () => {
    for (const p of people.values()) {
      for (const topic of p.topics) {
        const r = await joinPrivate(p.client, topic, (h) => {
          p.heard.push(h);
          for (const w of [...p.waiters])
            if (w.pred(h)) {
              p.waiters.splice(p.waiters.indexOf(w), 1);
              w.resolve();
            }
        });
        if (r.status !== 'SUBSCRIBED') throw new Error(`${p.name} could not join ${topic}: ${r.error}`);
        p.channels.push(r.channel);
      }
    }
  });

  async function expectAudience(
    table: 'referrals' | 'referral_notes' | 'seekers' | 'goals',
    id: string,
    before: string,
  ) {
    const mayRead: Persona[] = [];
    for (const p of people.values()) {
      const heard = heardSince(before, p, table).filter((h) => h.payload.record.id === id);
      const may = await canRead(p, table, id);
      if (may) mayRead.push(p.name);
      expect(heard.length > 0, `${p.name} ${may ? 'may' : 'may not'} read ${table} ${id}`).toBe(may);
      // Heard only through topics they may join.
      for (const h of heard) expect(p.topics).toContain(h.topic);
    }
    return mayRead;
  }

  it('a status change of R1 reaches exactly who may read R1, with the listed columns only', async () => {
    const before = await settle();
    const cody = people.get('cody')!;
    const { error } = await cody.client.from('referrals').update({ status: 'pending' }).eq('id', R1);
    expect(error).toBeNull();
    await settle();
    const audience = await expectAudience('referrals', R1, before);
    expect(audience.sort()).toEqual(['clara', 'cody', 'helen', 'henry', 'sam']);
    const h = heardSince(before, people.get('sam')!, 'referrals')[0]!;
    expect(h.event).toBe('referrals');
    expect(h.payload.type).toBe('UPDATE');
    expect(Object.keys(h.payload.record).sort()).toEqual(
      ['goal_id', 'id', 'program_id', 'seeker_id', 'status', 'updated_at', 'version'].sort(),
    );
    expect(h.payload.record.status).toBe('pending');
  });

  it('a note on R3 reaches its staff only, without its text', async () => {
    const before = await settle();
    const clara = people.get('clara')!;
    const { data, error } = await clara.client
      .from('referral_notes')
      .insert({ referral_id: R3, body: 'Called, left a message' })
      .select('id')
      .single();
    expect(error).toBeNull();
    await settle();
    const audience = await expectAudience('referral_notes', data!.id, before);
    expect(audience.sort()).toEqual(['clara', 'cody', 'dana']);
    const h = heardSince(before, people.get('dana')!, 'referral_notes')[0]!;
    expect(h.payload.record).toEqual({ id: data!.id, referral_id: R3 });
    expect(JSON.stringify(h.payload)).not.toContain('left a message');
  });

  it('a change of a seeker reaches whoever sees the seeker, never a program that cannot', async () => {
    const before = await settle();
    const helen = people.get('helen')!;
    const { error } = await helen.client.from('seekers').update({ first_name: 'Samuel' }).eq('id', SAM_SEEKER);
    expect(error).toBeNull();
    await settle();
    const audience = await expectAudience('seekers', SAM_SEEKER, before);
    expect(audience).toContain('sam');
    expect(audience).not.toContain('wendy');
    // Carl sees Sam only as the referrer of R4: through his own topic, never
    // through Safe Haven's program topic (Sam has no referral to Safe Haven).
    const carl = heardSince(before, people.get('carl')!, 'seekers');
    expect(carl.length).toBeGreaterThan(0);
    for (const h of carl) expect(h.topic).toBe(`user:${people.get('carl')!.id}`);
    const h = heardSince(before, people.get('sam')!, 'seekers')[0]!;
    expect(h.payload.record).toEqual({ id: SAM_SEEKER });
  });

  it('messages from the database arrive after commit, in commit order; a rolled-back send never', async () => {
    const before = await settle();
    const clara = people.get('clara')!;
    const order = ['needs_client_action', 'eligible', 'got_help', 'not_updated'] as const;
    for (const status of order) {
      const { error } = await people.get('cody')!.client.from('referrals').update({ status }).eq('id', R1);
      expect(error).toBeNull();
    }
    await sql(
      `begin; select realtime.send('{"table":"rolled-back","type":"INSERT","record":{}}', 'rb', 'program:${HARBOR}', true); rollback;`,
    );
    await settle();
    const statuses = heardSince(before, clara, 'referrals').map((h) => h.payload.record.status);
    expect(statuses).toEqual([...order]);
    expect(clara.heard.some((h) => h.event === 'rb')).toBe(false);
  });
});

describe('refusals', () => {
  it('no policy, no join', async () => {
    // A second session of Helen's (her first one already holds these topics).
    const helen = { client: await signIn(PERSONAS.helen), id: people.get('helen')!.id };
    await sql(`alter policy "Members of a topic receive its broadcasts" on realtime.messages using (false)`);
    try {
      const r = await joinPrivate(helen.client, `site:${EASTSIDE}`);
      expect(r.status).toBe('CHANNEL_ERROR');
      expect(r.error).toBe(
        `Unauthorized: You do not have permissions to read from this Channel topic: site:${EASTSIDE}`,
      );
    } finally {
      await sql(
        `alter policy "Members of a topic receive its broadcasts" on realtime.messages
           using (extension = 'broadcast' and (select realtime.topic()) = any ((select public.my_realtime_topics())::text[]))`,
      );
    }
    const again = await joinPrivate(helen.client, `user:${helen.id}`);
    expect(again.status).toBe('SUBSCRIBED');
    await helen.client.removeChannel(again.channel);
  });

  it('sending needs an insert policy: the REST endpoint refuses a person, accepts the service role', async () => {
    const helen = people.get('helen')!;
    const { data } = await helen.client.auth.getSession();
    const topic = `site:${EASTSIDE}`;
    const url = `${env.apiUrl}/realtime/v1/api/broadcast/${encodeURIComponent(topic)}/events/spoof?private=true`;
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${data.session!.access_token}`,
        apikey: env.anonKey,
      },
      body: JSON.stringify({ table: 'referrals', type: 'UPDATE', record: { id: R1, status: 'got_help' } }),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ message: 'Unauthorized' });

    const henry = people.get('henry')!;
    const service = serviceClient();
    const ch = service.channel(topic, { config: { private: true } });
    const sent = await ch.httpSend('from-service', { table: 'marker', type: 'INSERT', record: {} });
    expect(sent).toEqual({ success: true });
    await waitHeard(henry, (h) => h.event === 'from-service');
    expect(henry.heard.some((h) => h.event === 'spoof')).toBe(false);
  });

  it('a site that stops sharing: its members are refused on the next join and dropped on token refresh', async () => {
    const henry = people.get('henry')!;
    const siteChannel = henry.channels.find((c) => c.topic === `realtime:site:${EASTSIDE}`)!;
    const closed = new Promise<string>((resolve) => {
      siteChannel.on('system', {}, (p: { message?: string; status?: string }) => {
        if (p.status === 'error') resolve(p.message ?? '');
      });
    });
    await sql(`update public.sites set team_sharing = false where id = $1`, [EASTSIDE]);
    try {
      const join = await joinPrivate(await signIn(PERSONAS.helen), `site:${EASTSIDE}`);
      expect(join.status).toBe('CHANNEL_ERROR');
      const { data, error } = await henry.client.auth.refreshSession();
      expect(error).toBeNull();
      await henry.client.realtime.setAuth(data.session!.access_token);
      expect(await closed).toBe(`You no longer have permission to read from this Channel topic: site:${EASTSIDE}`);
      const { data: topics } = await henry.client.rpc('my_realtime_topics');
      expect(topics).not.toContain(`site:${EASTSIDE}`);
    } finally {
      await sql(`update public.sites set team_sharing = true where id = $1`, [EASTSIDE]);
    }
  });
});
