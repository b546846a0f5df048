// invite-seeker: a member of staff gives a seeker a sign-in account.
//
//   POST { seeker_id }   with the staff member's access token
//
// Self sign-up is off (config.toml), so this is how a seeker gets an account.
// The address is never taken from the request: it is the email on the seeker
// record, and only a record the caller can see. Visibility is decided by the
// seekers policy: the record is read with the caller's own token. Only then
// does the service role (which can invite and can set seekers.user_id, a
// column clients cannot write) invite the address and link the record.
//
// Answers (JSON, `code` + `message`):
//   200 { status: "invited", user_id }          invitation sent, record linked
//   200 { status: "invited_again", user_id }    linked account not accepted yet: invitation sent again
//   400 invalid_request   no or malformed seeker_id
//   401 not_signed_in     no valid session
//   403 not_staff         the caller belongs to no site or program
//   404 seeker_not_found  no such seeker among those the caller can see (the same answer for both)
//   409 already_has_account   the seeker has an account (accepted, or linked meanwhile)
//   409 email_in_use          the address is another account's (confirmed, or invited and pending):
//                             never linked, so no one can attach an existing account to a seeker
//   422 no_email          the record has neither an email address nor a phone number
//
// A record with no email but a phone number gets a phone account instead
// (the number in E.164, confirmed: the seeker signs in at /portal with a code
// texted to it; staff tell them, as no message goes out of hours or to a
// number that opted out):
//   200 { status: "phone_account", user_id }   account made, record linked
//   409 phone_in_use      the number is another account's
//   422 bad_phone         the number on the record cannot receive texts
//   429 over_email_send_rate_limit               inside max_frequency of the previous invitation
import { createClient } from 'npm:@supabase/supabase-js@2.119.0';

const URL_ = Deno.env.get('SUPABASE_URL')!;
const ANON_KEY = Deno.env.get('SUPABASE_ANON_KEY')!;
const SITE_URL = Deno.env.get('SB_SITE_URL') || Deno.env.get('SITE_URL') || 'http://127.0.0.1:5173';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NO_SESSION = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false };

const SERVICE_KEY = Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!;
const admin = createClient(URL_, SERVICE_KEY, { auth: NO_SESSION });

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'authorization, x-client-info, apikey, content-type',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
};

function reply(status: number, body: Record<string, unknown>): Response {
  return Response.json(body, { status, headers: { ...CORS, 'Cache-Control': 'no-store' } });
}
const fail = (status: number, code: string, message: string) => reply(status, { code, message });

Deno.serve(async (req: Request) => {
  if (req.method === 'OPTIONS') return new Response(null, { status: 204, headers: CORS });
  if (req.method !== 'POST') return fail(405, 'method_not_allowed', 'Use POST');
  let body: { seeker_id?: unknown };
  try {
    body = await req.json();
  } catch {
    return fail(400, 'invalid_request', 'Send JSON: { "seeker_id": "<uuid>" }');
  }
  const seekerId = typeof body?.seeker_id === 'string' ? body.seeker_id : '';
  if (!UUID.test(seekerId)) return fail(400, 'invalid_request', 'seeker_id must be a seeker id (a UUID)');

  // Everything the caller is allowed to know is read as the caller.
  const authorization = req.headers.get('Authorization') ?? '';
  const jwt = authorization.replace(/^Bearer\s+/i, '');
  const asCaller = createClient(URL_, ANON_KEY, {
    auth: NO_SESSION,
    global: { headers: { Authorization: authorization } },
  });
  const { data: who, error: whoError } = await asCaller.auth.getUser(jwt);
  if (whoError || !who.user) return fail(401, 'not_signed_in', 'Sign in as a member of staff first');
  const callerId = who.user.id;

  const [sites, programs] = await Promise.all([
    asCaller.from('site_members').select('site_id', { count: 'exact', head: true }).eq('user_id', callerId),
    asCaller.from('program_members').select('program_id', { count: 'exact', head: true }).eq('user_id', callerId),
  ]);
  if (sites.error || programs.error) return serverError('membership lookup', sites.error ?? programs.error);
  if ((sites.count ?? 0) + (programs.count ?? 0) === 0) {
    return fail(403, 'not_staff', 'Only staff of a site or program can invite a seeker');
  }

  const { data: seeker, error: seekerError } = await asCaller
    .from('seekers')
    .select('id, email, phone, user_id, first_name, last_name')
    .eq('id', seekerId)
    .maybeSingle();
  if (seekerError) return serverError('seeker lookup', seekerError);
  if (!seeker) return fail(404, 'seeker_not_found', 'No seeker with this id is visible to you');
  const email = (seeker.email ?? '').trim().toLowerCase();
  if (!email && (seeker.phone ?? '').trim()) return invitePhone(seeker);
  if (!email) return fail(422, 'no_email', 'Add the seeker\u2019s email address or phone number first: the invitation is sent there');

  const redirectTo = new URL('/portal', SITE_URL).toString();
  const data = { first_name: seeker.first_name ?? '', last_name: seeker.last_name ?? '' };

  if (seeker.user_id) {
    const { data: linked, error } = await admin.auth.admin.getUserById(seeker.user_id);
    if (error || !linked.user) return serverError('linked account lookup', error);
    if (linked.user.email_confirmed_at || (linked.user.email ?? '').toLowerCase() !== email) {
      return fail(
        409,
        'already_has_account',
        'This seeker already has an account: they sign in from the portal with an emailed link',
      );
    }
    const again = await admin.auth.admin.inviteUserByEmail(email, { redirectTo, data });
    if (again.error) return authError(again.error);
    return reply(200, { status: 'invited_again', user_id: seeker.user_id });
  }

  // Only a new account is made and linked. Auth would answer an address whose account
  // is still unconfirmed (someone's pending invitation) by inviting it again and
  // returning that account, so any existing account is refused before inviting.
  let exists: boolean;
  try {
    exists = await accountExists(email);
  } catch (err) {
    return serverError('account lookup', err);
  }
  if (exists) return fail(409, 'email_in_use', 'That address already belongs to another account');

  const invited = await admin.auth.admin.inviteUserByEmail(email, { redirectTo, data });
  if (invited.error) return authError(invited.error);

  return linkAccount(seeker.id, invited.data.user!.id, 'invited');
});

/** A number in E.164 as the database reads it (private.e164): ten digits are a US number. */
function e164(phone: string): string | null {
  const d = phone.replace(/[^0-9]/g, '');
  if (/^[0-9]{10}$/.test(d) && !/^\s*\+/.test(phone)) return `+1${d}`;
  if (/^1[0-9]{10}$/.test(d)) return `+${d}`;
  if (/^\s*\+/.test(phone) && /^[1-9][0-9]{7,14}$/.test(d)) return `+${d}`;
  return null;
}

/** A phone account for a seeker with no email: made confirmed and linked. */
async function invitePhone(seeker: {
  id: string;
  phone: string | null;
  user_id: string | null;
  first_name: string | null;
  last_name: string | null;
}): Promise<Response> {
  if (seeker.user_id) {
    return fail(409, 'already_has_account', 'This seeker already has an account: they sign in from the portal with a texted code');
  }
  const phone = e164(seeker.phone ?? '');
  if (!phone) return fail(422, 'bad_phone', 'The phone number on the record cannot receive texts: correct it first');
  const created = await admin.auth.admin.createUser({
    phone,
    phone_confirm: true,
    user_metadata: { first_name: seeker.first_name ?? '', last_name: seeker.last_name ?? '' },
  });
  if (created.error) {
    if (created.error.code === 'phone_exists') return fail(409, 'phone_in_use', 'That number already belongs to another account');
    return serverError('phone account', created.error);
  }
  return linkAccount(seeker.id, created.data.user!.id, 'phone_account');
}

/**
 * Links the account this request made to the seeker record, only while the record
 * still has none (seekers.user_id is unique, so an account that is already some
 * other seeker's cannot be linked a second time). When it cannot be linked (the
 * record got an account meanwhile), the new account is removed again.
 */
async function linkAccount(seekerId: string, userId: string, status: 'invited' | 'phone_account'): Promise<Response> {
  const { data: linkedRows, error: linkError } = await admin
    .from('seekers')
    .update({ user_id: userId })
    .eq('id', seekerId)
    .is('user_id', null)
    .select('id');
  if (linkError || !linkedRows?.length) {
    await admin.auth.admin.deleteUser(userId);
    if (linkError) return serverError('linking the seeker', linkError);
    return fail(409, 'already_has_account', 'This seeker got an account meanwhile');
  }
  return reply(200, { status, user_id: userId });
}

/** Whether any account has this address (the admin users list, filtered as Studio filters it). */
async function accountExists(email: string): Promise<boolean> {
  const url = `${URL_}/auth/v1/admin/users?page=1&per_page=1000&filter=${encodeURIComponent(email)}`;
  const res = await fetch(url, { headers: { apikey: SERVICE_KEY, Authorization: `Bearer ${SERVICE_KEY}` } });
  if (!res.ok) throw new Error(`listing users answered ${res.status}`);
  const body = (await res.json()) as { users?: { email?: string }[] };
  return (body.users ?? []).some((u) => (u.email ?? '').toLowerCase() === email);
}

function authError(error: { status?: number; code?: string; message: string }): Response {
  if (error.code === 'email_exists')
    return fail(409, 'email_in_use', 'That address already belongs to another account');
  if (error.status === 429) return fail(429, error.code ?? 'over_email_send_rate_limit', error.message);
  return serverError('invite', error);
}

function serverError(what: string, error: unknown): Response {
  console.error(`invite-seeker: ${what} failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
  return fail(500, 'unexpected_failure', 'The invitation could not be sent. Please try again.');
}
