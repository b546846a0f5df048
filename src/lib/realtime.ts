import { useEffect, useRef } from 'react';
import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import type { RealtimeChannel } from '@supabase/supabase-js';
import { supabase } from './supabase';

export type LiveTable = {
  table: string;
  /** A Realtime filter such as `seeker_id=eq.<uuid>`. */
  filter?: string;
  event?: 'INSERT' | 'UPDATE' | 'DELETE' | '*';
};

let channelCounter = 0;

/**
 * Keeps a screen live: subscribes to `postgres_changes` for the given tables
 * (Realtime delivers only rows this user may see under RLS) and invalidates the
 * given query keys when anything changes. After a reconnect (the channel
 * subscribes again) it invalidates too, so nothing missed while offline stays
 * stale. Bursts of changes are coalesced into one refetch.
 */
export function useLiveQueries(name: string, tables: LiveTable[], keys: QueryKey[], enabled = true) {
  const queryClient = useQueryClient();
  const keysRef = useRef(keys);
  keysRef.current = keys;
  const spec = JSON.stringify(tables);

  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const invalidate = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        for (const queryKey of keysRef.current) void queryClient.invalidateQueries({ queryKey });
      }, 60);
    };
    const parsed = JSON.parse(spec) as LiveTable[];
    let channel: RealtimeChannel = supabase.channel(`live:${name}:${++channelCounter}`);
    for (const t of parsed) {
      channel = channel.on(
        'postgres_changes',
        { event: t.event ?? '*', schema: 'public', table: t.table, ...(t.filter ? { filter: t.filter } : {}) },
        invalidate,
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
