import { portalClient } from './session';

/**
 * Emails a magic link that brings the seeker back to the portal. Seekers
 * never have a password. Accounts are not created here: an unknown address
 * gets the same answer as a known one, so the form tells nobody who is a client.
 */
export async function sendPortalSignInLink(email: string) {
  const supabase = await portalClient();
  const { error } = await supabase.auth.signInWithOtp({
    email,
    options: { shouldCreateUser: false, emailRedirectTo: new URL('/portal', window.location.origin).toString() },
  });
  if (error && !/signups not allowed|otp_disabled/i.test(`${error.message} ${error.code ?? ''}`)) throw error;
}
