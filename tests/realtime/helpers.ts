/**
 * Helpers for the realtime suites: seeded ids, signed-in persona clients and
 * a recorder of what a `postgres_changes` subscription hears.
 */
import type { RealtimeChannel, RealtimePostgresChangesPayload } from '@supabase/supabase-js';
import { anonClient, signIn, sql, type Client } from '../support/stack.ts';
import { withReason } from '../support/reasons.ts';

export const R1 = '50000000-0000-4000-8000-000000000001';
export const R2 = '50000000-0000-4000-8000-000000000002';
export const R3 = '50000000-0000-4000-8000-000000000003';
export const HARBOR = '30000000-0000-4000-8000-000000000001';
export const SAFE_HAVEN = '30000000-0000-4000-8000-000000000002';
export const EASTSIDE = '20000000-0000-4000-8000-000000000001';
export const WESTSIDE = '20000000-0000-4000-8000-000000000002';
export const SAM_SEEKER = '40000000-0000-4000-8000-000000000001';

export const PERSONAS = {
  helen: 'helen@eastside.example',
  henry: 'henry@eastside.example',
  wendy: 'wendy@westside.example',
  walter: 'walter@westside.example',
  clara: 'clara@harbor.example',
  cody: 'cody@harbor.example',
  carl: 'carl@safehaven.example',
  dana: 'dana@brightfutures.example',
  sam: 'sam@seeker.example',
} as const;
export type Persona = keyof typeof PERSONAS;

export async function persona(name: Persona | 'anon'): Promise<Client> {
  return name === 'anon' ? anonClient() : signIn(PERSONAS[name]);
}

export type Change = RealtimePostgresChangesPayload<Record<string, unknown>>;

export interface Listener {
  channel: RealtimeChannel;
  heard: Change[];
  statuses: string[];
  /** Resolves with the first change (already heard or coming) that matches. */
  waitFor(pred: (c: Change) => boolean, timeoutMs?: number): Promise<Change>;
  close(): Promise<void>;
}

let seq = 0;

/** Subscribes and resolves once SUBSCRIBED. */
export async function listen(
  client: Client,
  opts: { table?: string; event?: '*' | 'INSERT' | 'UPDATE' | 'DELETE'; filter?: string; name?: string } = {},
): Promise<Listener> {
  const heard: Change[] = [];
  const statuses: string[] = [];
  const waiters: { pred: (c: Change) => boolean; resolve: (c: Change) => void }[] = [];
  const channel = client.channel(opts.name ?? `rt-test-${process.pid}-${++seq}`);
  channel.on(
    'postgres_changes' as never,
    {
      event: opts.event ?? '*',
      schema: 'public',
      table: opts.table ?? 'referrals',
      ...(opts.filter ? { filter: opts.filter } : {}),
    } as never,
    ((payload: Change) => {
      heard.push(payload);
      for (const w of [...waiters]) {
        if (w.pred(payload)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(payload);
        }
      }
    }) as never,
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not subscribed: ${statuses.join(', ')}`)), 15_000);
    channel.subscribe((status, err) => {
      statuses.push(err ? `${status}: ${err.message}` : status);
      if (status === 'SUBSCRIBED') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    channel,
    heard,
    statuses,
    waitFor(pred, timeoutMs = 5000) {
      const found = heard.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (c: Change) => (clearTimeout(t), resolve(c)) };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(
            new Error(
              `no matching change within ${timeoutMs} ms; heard ${heard.length}: ${JSON.stringify(heard.map((h) => [h.eventType, h.new]))}`,
            ),
          );
        }, timeoutMs);
        waiters.push(w);
      });
    },
    async close() {
      await client.removeChannel(channel);
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const isRow = (id: string, status?: string) => (c: Change) =>
  (c.new as Record<string, unknown>)?.id === id &&
  (status === undefined || (c.new as Record<string, unknown>).status === status);

/** Updates a referral's status as `client`, failing loudly when nothing was updated. */
export async function setStatus(client: Client, id: string, status: string): Promise<void> {
  const { data, error } = await client
    .from('referrals')
    .update(withReason(status) as never)
    .eq('id', id)
    .select('id');
  if (error) throw new Error(`update failed: ${error.message}`);
  if (!data?.length) throw new Error(`update of ${id} matched no row`);
}

/**
 * The positive event an absence check waits for instead of a fixed sleep: a
 * later change every signed-in client may read (a no-op update of Harbor's
 * program row), heard on each client's own socket. Realtime delivers changes
 * in commit order, one transaction after another, so once a client hears
 * the fence, any earlier change meant for it, on any of its channels, has
 * arrived. (A client that may read no published table, such as anon, has no
 * fence of its own; the server's one-transaction-at-a-time delivery has
 * written its frames before the fence's.)
 */
export async function fence(clients: Client[]): Promise<void> {
  const ears = await Promise.all(clients.map((c) => listen(c, { table: 'programs', filter: `id=eq.${HARBOR}` })));
  await sql('update public.programs set name = name where id = $1', [HARBOR]);
  try {
    await Promise.all(ears.map((e) => e.waitFor((c) => (c.new as { id?: string })?.id === HARBOR)));
  } finally {
    await Promise.all(ears.map((e) => e.close()));
  }
}
