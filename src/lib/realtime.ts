import { useEffect, useRef } from 'react';
import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { RealtimeChannel, RealtimePostgresChangesPayload } from '@supabase/supabase-js';
import { supabase } from './supabase';

export type LiveTable = {
  table: string;
  /** A Realtime filter such as `seeker_id=eq.<uuid>`. */
  filter?: string;
  event?: 'INSERT' | 'UPDATE' | 'DELETE' | '*';
  /** Query keys this table's changes invalidate (besides the hook's shared keys). */
  keys?: QueryKey[];
};

export type ChangePayload = RealtimePostgresChangesPayload<Record<string, unknown>>;

let channelCounter = 0;

/**
 * Keeps a screen live: subscribes to `postgres_changes` for the given tables
 * (Realtime delivers only rows this user may see under RLS) and invalidates the
 * given query keys when anything changes (plus each table's own `keys`); an
 * `onChange` can patch the cache from the payload first so the change shows
 * before the refetch returns. After a reconnect (the channel subscribes again)
 * everything is invalidated, so nothing missed while offline stays stale.
 * Bursts of changes are coalesced into one refetch.
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

  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const pending: QueryKey[] = [];
    const parsed = JSON.parse(spec) as LiveTable[];
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
    let channel: RealtimeChannel = supabase.channel(`live:${name}:${++channelCounter}`);
    for (const t of parsed) {
      channel = channel.on(
        'postgres_changes',
        { event: t.event ?? '*', schema: 'public', table: t.table, ...(t.filter ? { filter: t.filter } : {}) },
        (payload: ChangePayload) => {
          // A precise cache update first (the change shows at once), then a refetch for the rest.
          onChangeRef.current?.(payload);
          invalidate(t.keys ?? []);
        },
      );
    }
    let subscribedOnce = false;
    channel.subscribe((status) => {
      if (status === 'SUBSCRIBED') {
        // The first join follows the initial fetch; a later one is a reconnect.
        if (subscribedOnce) invalidate();
        subscribedOnce = true;
      }
    });
    return () => {
      clearTimeout(timer);
      void supabase.removeChannel(channel);
    };
  }, [name, spec, enabled, queryClient]);
}
