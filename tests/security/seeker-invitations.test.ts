/**
 * How a seeker gets an account now that self sign-up is off: a member of
 * staff who can see the seeker calls the invite-seeker function, which
 * invites the address on the seeker's record and links the record to the new
 * account. Written as the attacker: an address that is no seeker's, a seeker
 * the caller cannot see, a caller who is no member of staff, no session at
 * all, a record made with someone else's address to grab their account:
 * each gets nothing (no account, no email, no link); the honest path
 * still works end to end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, anonClient, closeDb, env, resetDb, serviceClient, signIn, sql } from '../support/stack.ts';
import { countMail, follow, fragment, linkIn, mailTo } from '../auth/helpers.ts';

const RITA = '40000000-0000-4000-8000-000000000002'; // added by Wendy at Westside (team sharing off); no account
const OMAR = '40000000-0000-4000-8000-000000000003'; // no email address
const SAM = '40000000-0000-4000-8000-000000000001'; // has an account already
const RITA_EMAIL = 'rita@seeker.example';
const WALTER_ID = '10000000-0000-4000-8000-000000000004';
const ATTACKER_EMAIL = 'attacker@evil.example';
const INVITED = /invited/i;

let wendy: Client;
let walter: Client;

async function invite(as: Client | null, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const token = as ? (await as.auth.getSession()).data.session!.access_token : env.anonKey;
  const res = await fetch(`${env.functionsUrl}/invite-seeker`, {
    method: 'POST',
    headers: { apikey: env.anonKey, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const accountsFor = (email: string) => sql('select id from auth.users where lower(email) = $1', [email]);
const linkOf = async (seekerId: string) =>
  (await sql<{ user_id: string | null }>('select user_id from public.seekers where id = $1', [seekerId]))[0]!.user_id;

beforeAll(async () => {
  await resetDb();
  wendy = await signIn('wendy@westside.example');
  walter = await signIn('walter@westside.example');
});

afterAll(async () => {
  await closeDb();
});

describe('inviting a seeker: what an attacker gets', () => {
  it('a staff member who cannot see the seeker gets 404, and nobody is invited', async () => {
    // Walter works at Westside too, but the site does not share: Rita is Wendy's.
    expect((await walter.from('seekers').select('id').eq('id', RITA)).data).toEqual([]);
    const before = await countMail(RITA_EMAIL, INVITED);
    const res = await invite(walter, { seeker_id: RITA });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ code: 'seeker_not_found' });
    expect(await accountsFor(RITA_EMAIL)).toEqual([]);
    expect(await linkOf(RITA)).toBeNull();
    expect(await countMail(RITA_EMAIL, INVITED)).toBe(before);
  });

  it('an address that is no seeker’s gets nothing: the address is never taken from the request', async () => {
    const unknown = await invite(wendy, { seeker_id: '40000000-0000-4000-8000-0000000000ff', email: ATTACKER_EMAIL });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ code: 'seeker_not_found' });
    const noId = await invite(wendy, { email: ATTACKER_EMAIL });
    expect(noId.status).toBe(400);
    expect(noId.json).toMatchObject({ code: 'invalid_request' });
    expect(await accountsFor(ATTACKER_EMAIL)).toEqual([]);
    expect(await countMail(ATTACKER_EMAIL, /.*/)).toBe(0);
  });

  it('a seeker (no member of staff) and a caller without a session are refused', async () => {
    const sam = await signIn('sam@seeker.example');
    expect((await sam.from('seekers').select('id').eq('id', SAM)).data).toHaveLength(1);
    const asSeeker = await invite(sam, { seeker_id: SAM });
    expect(asSeeker.status).toBe(403);
    expect(asSeeker.json).toMatchObject({ code: 'not_staff' });
    const anonymous = await invite(null, { seeker_id: RITA });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toMatchObject({ code: 'not_signed_in' });
    const noToken = await fetch(`${env.functionsUrl}/invite-seeker`, {
      method: 'POST',
      body: JSON.stringify({ seeker_id: RITA }),
    });
    expect(noToken.status).toBe(401);
    expect(await accountsFor(RITA_EMAIL)).toEqual([]);
  });

  it('bad input gets a clear 4xx; a record without an email or phone, or with an account, is refused', async () => {
    expect((await invite(wendy, 'not json')).status).toBe(400);
    expect((await invite(wendy, { seeker_id: 'not-a-uuid' })).status).toBe(400);
    const clara = await signIn('clara@harbor.example');
    // Omar has a phone only: a number that cannot take texts is refused, no phone at all is no_email
    await sql(`update public.seekers set phone = '555-01' where id = $1`, [OMAR]);
    const badPhone = await invite(clara, { seeker_id: OMAR });
    expect(badPhone.status).toBe(422);
    expect(badPhone.json).toMatchObject({ code: 'bad_phone' });
    await sql(`update public.seekers set phone = null where id = $1`, [OMAR]);
    const noEmail = await invite(clara, { seeker_id: OMAR });
    expect(noEmail.status).toBe(422);
    expect(noEmail.json).toMatchObject({ code: 'no_email' });
    // another account already holds the number: never attached to the record
    await sql(`update public.seekers set phone = '(512) 555-0177' where id = $1`, [OMAR]);
    expect(
      (await serviceClient().auth.admin.createUser({ phone: '+15125550177', phone_confirm: true })).error,
    ).toBeNull();
    const taken = await invite(clara, { seeker_id: OMAR });
    expect(taken.status).toBe(409);
    expect(taken.json).toMatchObject({ code: 'phone_in_use' });
    const [omar] = await sql<{ user_id: string | null }>(`select user_id from public.seekers where id = $1`, [OMAR]);
    expect(omar!.user_id).toBeNull();
    const helen = await signIn('helen@eastside.example');
    const linked = await invite(helen, { seeker_id: SAM });
    expect(linked.status).toBe(409);
    expect(linked.json).toMatchObject({ code: 'already_has_account' });
  });

  it('a seeker record made with someone else’s address does not attach their account, pending or accepted', async () => {
    // A colleague invited but not yet accepted, and a colleague with an account.
    const pending = 'new-colleague@westside.example';
    expect((await serviceClient().auth.admin.inviteUserByEmail(pending)).error).toBeNull();
    const [pendingAccount] = await accountsFor(pending);
    for (const email of [pending, 'walter@westside.example']) {
      const { data: made, error } = await wendy
        .from('seekers')
        .insert({ first_name: 'Decoy', last_name: 'Record', email, zip: '78741', preferred_contact: 'email' })
        .select('id')
        .single();
      expect(error).toBeNull();
      const res = await invite(wendy, { seeker_id: made!.id });
      expect(res.status, email).toBe(409);
      expect(res.json).toMatchObject({ code: 'email_in_use' });
      expect(await linkOf(made!.id)).toBeNull();
    }
    expect(await accountsFor(pending)).toEqual([pendingAccount]);
    await mailTo(pending, INVITED);
    expect(await countMail(pending, INVITED)).toBe(1); // the admin's invitation, not sent again
    expect(
      await sql('select id from public.seekers where user_id = any($1)', [[pendingAccount!.id, WALTER_ID]]),
    ).toEqual([]);
  });
});

describe('inviting a seeker: the honest path', () => {
  it('Wendy invites Rita; the emailed link signs Rita in to the portal, where she sees her own record', async () => {
    const before = await countMail(RITA_EMAIL, INVITED);
    const res = await invite(wendy, { seeker_id: RITA, email: ATTACKER_EMAIL });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'invited', user_id: expect.any(String) });
    expect(await linkOf(RITA)).toBe(res.json.user_id);
    expect(await countMail(ATTACKER_EMAIL, /.*/)).toBe(0);

    // Not accepted yet: asking again sends the invitation again.
    const again = await invite(wendy, { seeker_id: RITA });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ status: 'invited_again', user_id: res.json.user_id });

    const message = await mailTo(RITA_EMAIL, INVITED, before + 1);
    const { location } = await follow(linkIn(message));
    expect(location.origin + location.pathname).toBe(`${env.appUrl}/portal`);
    const params = fragment(location);
    expect(params.get('type')).toBe('invite');
    const rita = anonClient();
    const set = await rita.auth.setSession({
      access_token: params.get('access_token')!,
      refresh_token: params.get('refresh_token')!,
    });
    expect(set.error).toBeNull();
    expect(set.data.user!.id).toBe(res.json.user_id);
    const { data: own } = await rita.from('seekers').select('id, first_name');
    expect(own).toEqual([{ id: RITA, first_name: 'Rita' }]);

    // Accepted: a further invitation is refused, and nobody can sign up with her address.
    const accepted = await invite(wendy, { seeker_id: RITA });
    expect(accepted.status).toBe(409);
    expect(accepted.json).toMatchObject({ code: 'already_has_account' });
    const signUp = await anonClient().auth.signUp({ email: RITA_EMAIL, password: 'attacker-pass-1' });
    expect(signUp.error).toMatchObject({ status: 422, code: 'signup_disabled' });
    expect(await accountsFor(RITA_EMAIL)).toHaveLength(1);
  });
});
