import { useSyncExternalStore } from 'react';

/**
 * The portal's view of the seeker's session, without loading supabase-js
 * until it is needed. Nothing stored and no sign-in answer in the address:
 * signed out at once, and the client (auth, PostgREST, Realtime) loads only
 * when the person starts to sign in. Otherwise the client loads at once,
 * reads the session (or the magic link's tokens in the address) and says
 * who is signed in. seeker.html's inline script decides its static shell by
 * the same signs.
 */
export type PortalSession = { status: 'checking' } | { status: 'signed-out' } | { status: 'signed-in'; userId: string };

/** Signs that a session exists or is arriving: auth-js's stored session, or a sign-in answer in the address. */
export function sessionLikely(): boolean {
  const { hash, search } = window.location;
  if (/(^|[#&])(access_token|error_description)=/.test(hash) || /[?&]code=/.test(search)) return true;
  try {
    for (let i = 0; i < localStorage.length; i++) if (/^sb-.*-auth-token$/.test(localStorage.key(i) ?? '')) return true;
  } catch {
    // no storage: no stored session
  }
  return false;
}

let state: PortalSession | undefined;
const listeners = new Set<() => void>();

function set(next: PortalSession) {
  state = next;
  for (const listener of listeners) listener();
}

let client: Promise<typeof import('@/lib/supabase').supabase> | undefined;

/** The app's Supabase client, loaded on first use; from then on its auth events drive the session. */
export function portalClient() {
  client ??= import('@/lib/supabase').then(
    ({ supabase }) => {
      supabase.auth.onAuthStateChange((_event, session) =>
        set(session ? { status: 'signed-in', userId: session.user.id } : { status: 'signed-out' }),
      );
      return supabase;
    },
    (error: unknown) => {
      client = undefined; // offline for a moment: the next attempt loads it again
      throw error;
    },
  );
  return client;
}

function current(): PortalSession {
  if (!state) {
    state = sessionLikely() ? { status: 'checking' } : { status: 'signed-out' };
    // if the client cannot load, the sign-in card is still of use (sending loads it again)
    if (state.status === 'checking') portalClient().catch(() => set({ status: 'signed-out' }));
  }
  return state;
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function usePortalSession(): PortalSession {
  return useSyncExternalStore(subscribe, current, current);
}
