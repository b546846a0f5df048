import { useEffect, useRef } from 'react';
import { useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { RealtimeChannel } from '@supabase/supabase-js';
import { supabase } from './supabase';

export type LiveTable = {
  table: string;
  /** `column=eq.value` on a column the change carries (id, referral_id, seeker_id, program_id). */
  filter?: string;
  event?: 'INSERT' | 'UPDATE' | 'DELETE' | '*';
  /** Query keys this table's changes invalidate (besides the hook's shared keys). */
  keys?: QueryKey[];
};

/**
 * One change as the database sends it (supabase/schemas/99_realtime.sql):
 * the table, the kind of change and the few columns every member of the
 * topic may read (`new`; for a DELETE only the id).
 */
export type ChangePayload = {
  table: string;
  eventType: 'INSERT' | 'UPDATE' | 'DELETE';
  new: Record<string, unknown>;
};

type Listener = { change(p: ChangePayload): void; reconnected(): void };

type Topic = { channel: RealtimeChannel; listeners: Set<Listener> };

/** One private channel per topic per tab, shared by every live screen. */
const topics = new Map<string, Topic>();

function isChange(
  v: unknown,
): v is { table: string; type: ChangePayload['eventType']; record: Record<string, unknown> } {
  if (!v || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return typeof o.table === 'string' && typeof o.type === 'string' && !!o.record && typeof o.record === 'object';
}

function acquire(name: string, listener: Listener): () => void {
  let t = topics.get(name);
  if (!t) {
    const channel = supabase.channel(name, { config: { private: true } });
    const topic: Topic = { channel, listeners: new Set() };
    channel.on('broadcast', { event: '*' }, (message: { payload?: unknown }) => {
      const p = message.payload;
      if (!isChange(p)) return;
      const change: ChangePayload = { table: p.table, eventType: p.type, new: p.record };
      for (const l of topic.listeners) l.change(change);
    });
    channel.subscribe((status) => {
      if (status !== 'SUBSCRIBED') return;
      // Whatever was sent before this join was missed: between a screen's
      // first fetch and its first join (a screen that mounts again, as after a
      // change of language, joins anew), or during an outage. So refetch on
      // every join, the first included.
      for (const l of topic.listeners) l.reconnected();
    });
    topics.set(name, (t = topic));
  }
  t.listeners.add(listener);
  const held = t;
  return () => {
    held.listeners.delete(listener);
    if (held.listeners.size === 0 && topics.get(name) === held) {
      topics.delete(name);
      void supabase.removeChannel(held.channel);
    }
  };
}

function matches(t: LiveTable, c: ChangePayload): boolean {
  if (t.table !== c.table) return false;
  if (t.event && t.event !== '*' && t.event !== c.eventType) return false;
  if (!t.filter) return true;
  const m = /^([a-z_]+)=eq\.(.+)$/.exec(t.filter);
  // Only `eq` filters are used; anything else matches nothing rather than everything.
  return !!m && String(c.new[m[1]!]) === m[2];
}

/** The topics query (lib has no feature keys.ts; shared only by this file). */
const TOPICS_KEY = ['realtime', 'topics'] as const;

/**
 * The private topics the signed-in person may join (program:, site:,
 * program-outbound:, user:), as the database computes them from the
 * visibility rules. Refetched on reconnect, so a sharing change is picked up.
 */
function useMyTopics(enabled: boolean) {
  return useQuery({
    queryKey: TOPICS_KEY,
    queryFn: async () => {
      const { data, error } = await supabase.rpc('my_realtime_topics');
      if (error) throw error;
      return data ?? [];
    },
    enabled,
    staleTime: 60_000,
  });
}

/**
 * Keeps a screen live: listens to the private topics of the signed-in person
 * (each change reaches only the topics whose members may see it) and
 * invalidates the given query keys when a change of one of the tables
 * arrives (plus each table's own `keys`); an `onChange` can patch the cache
 * from the payload first (a status change shows before the refetch returns).
 * After a reconnect everything is invalidated, so nothing missed while
 * offline stays stale. Bursts of changes are coalesced into one refetch.
 */
export function useLiveQueries(
  name: string,
  tables: LiveTable[],
  keys: QueryKey[],
  options: { enabled?: boolean; onChange?: (payload: ChangePayload) => void } = {},
) {
  const { enabled = true } = options;
  const queryClient = useQueryClient();
  const keysRef = useRef(keys);
  keysRef.current = keys;
  const onChangeRef = useRef(options.onChange);
  onChangeRef.current = options.onChange;
  const spec = JSON.stringify(tables);
  const myTopics = useMyTopics(enabled);
  const topicList = JSON.stringify(myTopics.data ?? []);

  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const pending: QueryKey[] = [];
    const parsed = JSON.parse(spec) as LiveTable[];
    const names = JSON.parse(topicList) as string[];
    const flush = () => {
      const seen = new Set<string>();
      for (const queryKey of pending.splice(0)) {
        const id = JSON.stringify(queryKey);
        if (seen.has(id)) continue;
        seen.add(id);
        void queryClient.invalidateQueries({ queryKey });
      }
    };
    const invalidate = (extra: QueryKey[] = parsed.flatMap((t) => t.keys ?? [])) => {
      pending.push(...keysRef.current, ...extra);
      clearTimeout(timer);
      timer = setTimeout(flush, 30);
    };
    const listener: Listener = {
      change(c) {
        const hit = parsed.filter((t) => matches(t, c));
        if (!hit.length) return;
        onChangeRef.current?.(c);
        invalidate(hit.flatMap((t) => t.keys ?? []));
      },
      reconnected() {
        invalidate();
        void queryClient.invalidateQueries({ queryKey: TOPICS_KEY });
      },
    };
    const releases = names.map((topic) => acquire(topic, listener));
    return () => {
      clearTimeout(timer);
      for (const release of releases) release();
    };
  }, [name, spec, enabled, queryClient, topicList]);
}
