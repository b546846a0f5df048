import { portalClient } from './session';

/**
 * A phone number as Auth and the texts read it (E.164), or null: ten digits
 * are a US number, as the database's private.e164 reads them.
 */
export function toE164(phone: string): string | null {
  const d = phone.replace(/[^0-9]/g, '');
  if (/^[0-9]{10}$/.test(d) && !/^\s*\+/.test(phone)) return `+1${d}`;
  if (/^1[0-9]{10}$/.test(d)) return `+${d}`;
  if (/^\s*\+/.test(phone) && /^[1-9][0-9]{7,14}$/.test(d)) return `+${d}`;
  return null;
}

export type CodeError = 'wait' | 'failed';

/**
 * Texts a sign-in code to a phone account. Accounts are not made here: a
 * number without one gets the same answer, so the form tells nobody who is a
 * client. Too soon after the last code: 'wait'.
 */
export async function sendPortalCode(phone: string): Promise<void> {
  const supabase = await portalClient();
  const { error } = await supabase.auth.signInWithOtp({ phone, options: { shouldCreateUser: false } });
  if (!error || /otp_disabled|signup_disabled/.test(error.code ?? '')) return;
  throw (error.status === 429 ? 'wait' : 'failed') satisfies CodeError;
}

/** Signs in with the code from the text; a wrong, used or expired code is 'wrong'. */
export async function verifyPortalCode({ phone, token }: { phone: string; token: string }): Promise<void> {
  const supabase = await portalClient();
  const { error } = await supabase.auth.verifyOtp({ phone, token, type: 'sms' });
  if (!error) return;
  throw error.status === 403 ? 'wrong' : error.status === 429 ? 'wait' : 'failed';
}
