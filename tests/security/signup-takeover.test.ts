/**
 * Signing up with the address of an account that already exists (invited,
 * made by an admin and not confirmed yet, signed up and not confirmed yet, or
 * confirmed) must never hand the caller a session or set their password.
 * Written as the attacker, who knows only the address and has the anon key.
 * config.toml turns sign-up off (that is tested too); the rest runs against
 * Auth instances with sign-up on, with confirmations off (autoconfirm) and on,
 * as a project that opens sign-up would run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthInstance, startAuthInstance } from '../support/auth-instance.ts';
import { anonClient, closeDb, resetDb, serviceClient, sql } from '../support/stack.ts';
import { countMail, createUser, follow, fragment, freshEmail, linkIn, mailTo } from '../auth/helpers.ts';

const ATTACKER_PASSWORD = 'attacker-pass-1';
let autoconfirm: AuthInstance;
let confirming: AuthInstance;

interface Account {
  id: string;
  encrypted_password: string | null;
  email_confirmed_at: string | null;
}
async function account(email: string): Promise<Account[]> {
  return sql<Account>(
    'select id, encrypted_password, email_confirmed_at::text as email_confirmed_at from auth.users where lower(email) = $1',
    [email],
  );
}

/** What the attacker must not get: a session now, or later with their password. */
async function expectNothingFor(email: string, before: Account) {
  const after = await account(email);
  expect(after).toHaveLength(1);
  expect(after[0]!.id).toBe(before.id);
  expect(after[0]!.encrypted_password).toBe(before.encrypted_password);
  expect(after[0]!.email_confirmed_at).toBe(before.email_confirmed_at);
  const login = await anonClient().auth.signInWithPassword({ email, password: ATTACKER_PASSWORD });
  expect(login.data.session).toBeNull();
  expect(login.error).toMatchObject({ status: 400, code: 'invalid_credentials' });
}

async function invited(): Promise<{ email: string; before: Account }> {
  const email = freshEmail('invitee');
  const { error } = await serviceClient().auth.admin.inviteUserByEmail(email);
  expect(error).toBeNull();
  return { email, before: (await account(email))[0]! };
}

beforeAll(async () => {
  await resetDb();
  autoconfirm = await startAuthInstance((c) => {
    c.auth.enableSignup = true;
  });
  confirming = await startAuthInstance((c) => {
    c.auth.enableSignup = true;
    c.auth.email.enableConfirmations = true;
  });
});

afterAll(async () => {
  await Promise.all([autoconfirm?.close(), confirming?.close()]);
  await closeDb();
});

describe('this project (sign-up off)', () => {
  it('signUp for an invited address answers 422 signup_disabled and changes nothing; the invitation still works', async () => {
    const { email, before } = await invited();
    const { data, error } = await anonClient().auth.signUp({ email, password: ATTACKER_PASSWORD });
    expect(error).toMatchObject({ status: 422, code: 'signup_disabled' });
    expect(data.session).toBeNull();
    await expectNothingFor(email, before);

    const { location } = await follow(linkIn(await mailTo(email, /invited/i)));
    expect(fragment(location).get('access_token')).toBeTruthy();
  });
});

describe('sign-up on, confirmations off (autoconfirm)', () => {
  it('an invited address: 422 user_already_exists, no session, no password, not confirmed; the invitee still gets in', async () => {
    const { email, before } = await invited();
    const { data, error } = await autoconfirm.client().signUp({ email, password: ATTACKER_PASSWORD });
    expect(error).toMatchObject({ status: 422, code: 'user_already_exists', message: 'User already registered' });
    expect(data.session).toBeNull();
    expect(data.user).toBeNull();
    await expectNothingFor(email, before);

    const { location } = await follow(linkIn(await mailTo(email, /invited/i)));
    expect(fragment(location).get('type')).toBe('invite');
    expect(fragment(location).get('access_token')).toBeTruthy();
  });

  it('an account an admin made without confirming it: refused the same, the owner’s password still works once confirmed', async () => {
    const email = freshEmail('pending');
    const made = await serviceClient().auth.admin.createUser({ email, password: 'owner-pass-1' });
    expect(made.error).toBeNull();
    const before = (await account(email))[0]!;
    const { data, error } = await autoconfirm.client().signUp({ email, password: ATTACKER_PASSWORD });
    expect(error).toMatchObject({ status: 422, code: 'user_already_exists' });
    expect(data.session).toBeNull();
    await expectNothingFor(email, before);

    await serviceClient().auth.admin.updateUserById(before.id, { email_confirm: true });
    expect((await anonClient().auth.signInWithPassword({ email, password: 'owner-pass-1' })).error).toBeNull();
  });

  it('a confirmed account: 422 user_already_exists; a new address still signs up and gets its session', async () => {
    const email = freshEmail('owner');
    await createUser(email, 'owner-pass-1');
    const before = (await account(email))[0]!;
    const { error } = await autoconfirm.client().signUp({ email, password: ATTACKER_PASSWORD });
    expect(error).toMatchObject({ status: 422, code: 'user_already_exists' });
    await expectNothingFor(email, before);

    const honest = await autoconfirm.client().signUp({ email: freshEmail('newcomer'), password: 'newcomer-pass-1' });
    expect(honest.error).toBeNull();
    expect(honest.data.session).not.toBeNull();
  });
});

describe('sign-up on, confirmations on', () => {
  it('an invited address: no session; the confirmation goes to the invitee, the invitee’s details are not shown', async () => {
    const { email, before } = await invited();
    // Past max_frequency of the invitation email (inside it the answer is a 429).
    await sql(`update auth.users set confirmation_sent_at = now() - interval '1 minute' where id = $1`, [before.id]);
    const { data, error } = await confirming.client().signUp({
      email,
      password: ATTACKER_PASSWORD,
      options: { data: { first_name: 'Mallory' } },
    });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    expect(data.user!.identities).toEqual([]);
    expect(data.user!.user_metadata).toEqual({});
    await expectNothingFor(email, before);
  });

  it('an address that signed up and has not confirmed: no session, the first password stays, the link goes to the owner', async () => {
    const email = freshEmail('slow');
    expect((await confirming.client().signUp({ email, password: 'owner-pass-1' })).error).toBeNull();
    await mailTo(email, /confirm your email/i);
    const before = (await account(email))[0]!;
    await sql(`update auth.users set confirmation_sent_at = now() - interval '1 minute' where id = $1`, [before.id]);
    const { data, error } = await confirming.client().signUp({ email, password: ATTACKER_PASSWORD });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    await expectNothingFor(email, before);

    // The owner confirms from their mailbox; their own password is the one that works.
    const { location } = await follow(linkIn(await mailTo(email, /confirm your email/i, 1)));
    expect(fragment(location).get('access_token')).toBeTruthy();
    expect((await anonClient().auth.signInWithPassword({ email, password: 'owner-pass-1' })).error).toBeNull();
  });

  it('a confirmed account: a look-alike user with another id, no session, no email', async () => {
    const email = freshEmail('known');
    const user = await createUser(email, 'owner-pass-1');
    const before = (await account(email))[0]!;
    const { data, error } = await confirming.client().signUp({ email, password: ATTACKER_PASSWORD });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    expect(data.user!.id).not.toBe(user.id);
    await expectNothingFor(email, before);
    expect(await countMail(email, /.*/)).toBe(0);
  });
});
