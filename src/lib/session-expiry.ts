import { supabase } from './supabase';

/**
 * Telling a deliberate sign-out from an expired session. auth-js reports both as
 * SIGNED_OUT; the sign-in page shows "Your session has expired" only for the second.
 */
const EXPIRED_KEY = 'clr.session-expired';
let signingOut = false;

export function beginSignOut() {
  signingOut = true;
}

export function wasSignOutDeliberate() {
  const deliberate = signingOut;
  signingOut = false;
  return deliberate;
}

export function markExpired() {
  sessionStorage.setItem(EXPIRED_KEY, '1');
}

/** Read and clear the flag. */
export function consumeExpired() {
  const expired = sessionStorage.getItem(EXPIRED_KEY) === '1';
  sessionStorage.removeItem(EXPIRED_KEY);
  return expired;
}

// Registered when this module loads (with the query client, before auth-js finishes
// restoring the stored session), so a session that cannot be refreshed at start-up
// is reported as expired too.
supabase.auth.onAuthStateChange((event) => {
  if (event === 'SIGNED_OUT' && !wasSignOutDeliberate()) markExpired();
});

/** The API refused our token: drop the local session; the app returns to sign-in. */
export function sessionExpired() {
  markExpired();
  void supabase.auth.signOut({ scope: 'local' });
}
