import { useCallback, useSyncExternalStore } from 'react';
import type { Me, Organisation } from './get-me';

/**
 * Which of their organisations someone in several acts for: shown in the
 * header, where they switch it, and the organisation a referral is made from
 * unless they pick another. Remembered on this device per person. Until they
 * choose, a site they work on (People I'm Helping and referring are a site's
 * work), else their first program. The database still checks every referral's
 * organisation against their memberships.
 */
const KEY = (userId: string) => `clr.acting-as.${userId}`;
const listeners = new Set<() => void>();

function read(userId: string): string | null {
  try {
    return localStorage.getItem(KEY(userId));
  } catch {
    return null;
  }
}

export function defaultActingAs(me: Pick<Me, 'organisations'>): Organisation | undefined {
  return me.organisations.find((o) => o.kind === 'site') ?? me.organisations[0];
}

export function useActingAs(me: Me | undefined): {
  actingAs: Organisation | undefined;
  setActingAs: (o: Organisation) => void;
} {
  const userId = me?.id ?? '';
  const stored = useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => (userId ? read(userId) : null),
  );
  const setActingAs = useCallback(
    (o: Organisation) => {
      try {
        localStorage.setItem(KEY(userId), `${o.kind}:${o.id}`);
      } catch {
        // not remembered; the header still shows the default
      }
      listeners.forEach((l) => l());
    },
    [userId],
  );
  const actingAs = me
    ? (me.organisations.find((o) => `${o.kind}:${o.id}` === stored) ?? defaultActingAs(me))
    : undefined;
  return { actingAs, setActingAs };
}
