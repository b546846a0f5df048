/**
 * Changes to an account that go through email: a new email address
 * (confirmed by a link sent to the new address, and a notice to the current
 * one), and invitations sent by an admin.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { anonClient, env, resetDb, serviceClient, signIn, sql } from '../support/stack.ts';
import { authFetch, createUser, follow, fragment, freshEmail, linkIn, mailTo } from './helpers.ts';

beforeAll(async () => {
  await resetDb();
});

describe('changing the email address', () => {
  it('updateUser({ email }) keeps the old address until the emailed link is opened', async () => {
    const before = freshEmail('old');
    const after = freshEmail('new');
    await createUser(before, 'change-pass-1');
    const client = await signIn(before, 'change-pass-1');

    const { data, error } = await client.auth.updateUser(
      { email: after },
      { emailRedirectTo: `${env.appUrl}/account` },
    );
    expect(error).toBeNull();
    expect(data.user!.email).toBe(before);
    expect(data.user!.new_email).toBe(after);
    expect(data.user!.email_change_sent_at).toBeTruthy();

    // double_confirm_changes: both addresses hear about it.
    const toNew = await mailTo(after, /confirm your new email/i);
    await mailTo(before, /confirm your new email/i);
    expect(toNew.text).toContain(before);
    expect(toNew.text).toContain(after);

    const { location } = await follow(linkIn(toNew));
    expect(location.pathname).toBe('/account');
    expect(fragment(location).get('type')).toBe('email_change');
    const { data: fresh } = await client.auth.getUser();
    expect(fresh.user!.email).toBe(after);
    expect(fresh.user!.new_email).toBeUndefined();
    expect((await anonClient().auth.signInWithPassword({ email: after, password: 'change-pass-1' })).error).toBeNull();
    expect((await anonClient().auth.signInWithPassword({ email: before, password: 'change-pass-1' })).error?.code).toBe(
      'invalid_credentials',
    );
    const identity = await sql<{ email: string }>(`select email from auth.identities where user_id = $1`, [
      fresh.user!.id,
    ]);
    expect(identity).toEqual([{ email: after }]);
  });

  it("refuses another account's address with 422 email_exists", async () => {
    const mine = freshEmail('mine');
    await createUser(mine, 'change-pass-1');
    const client = await signIn(mine, 'change-pass-1');
    const { error } = await client.auth.updateUser({ email: 'henry@eastside.example' });
    expect(error).toMatchObject({ status: 422, code: 'email_exists' });
  });
});

describe('an admin changing the email address', () => {
  it('updateUserById({ email }) changes it at once', async () => {
    const before = freshEmail('admin-old');
    const after = freshEmail('admin-new');
    const user = await createUser(before, 'admin-change-1');
    const { data, error } = await serviceClient().auth.admin.updateUserById(user.id, { email: after });
    expect(error).toBeNull();
    expect(data.user!.email).toBe(after);
    expect((await anonClient().auth.signInWithPassword({ email: after, password: 'admin-change-1' })).error).toBeNull();
    const taken = await serviceClient().auth.admin.updateUserById(user.id, { email: 'helen@eastside.example' });
    expect(taken.error).toMatchObject({ status: 422, code: 'email_exists' });
  });
});

describe('invitations', () => {
  it('inviteUserByEmail emails an invitation whose link signs the person in', async () => {
    const email = freshEmail('invited');
    const { data, error } = await serviceClient().auth.admin.inviteUserByEmail(email, {
      data: { first_name: 'Ivy' },
      redirectTo: `${env.appUrl}/welcome`,
    });
    expect(error).toBeNull();
    expect(data.user!.email).toBe(email);
    expect(data.user!.invited_at).toBeTruthy();

    const message = await mailTo(email, /invited/i);
    const { location } = await follow(linkIn(message));
    expect(location.pathname).toBe('/welcome');
    const params = fragment(location);
    expect(params.get('type')).toBe('invite');
    const { data: user } = await anonClient().auth.getUser(params.get('access_token')!);
    expect(user.user!.email_confirmed_at).toBeTruthy();
    expect(user.user!.user_metadata).toMatchObject({ first_name: 'Ivy' });

    const again = await serviceClient().auth.admin.inviteUserByEmail(email);
    expect(again.error).toMatchObject({ status: 422, code: 'email_exists' });
  });

  it('refuses an invitation with the anon key', async () => {
    const { error } = await anonClient().auth.admin.inviteUserByEmail(freshEmail('nope'));
    expect(error).toMatchObject({ status: 403, code: 'not_admin' });
  });
});

describe('the legacy /magiclink endpoint', () => {
  it('sends the same magic link as /otp', async () => {
    const email = freshEmail('legacy');
    await createUser(email);
    const res = await authFetch('/magiclink', { method: 'POST', body: JSON.stringify({ email }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const { location } = await follow(linkIn(await mailTo(email, /sign-in link/i)));
    expect(fragment(location).get('access_token')).toBeTruthy();
  });
});

describe('a new password', () => {
  it('longer than bcrypt reads (72 bytes) is refused with 422, and the old password keeps working', async () => {
    const email = freshEmail('longpw');
    await createUser(email, 'long-pass-1');
    const client = await signIn(email, 'long-pass-1');
    const { error } = await client.auth.updateUser({ password: 'x'.repeat(73) });
    expect(error?.status).toBe(422);
    expect(error?.message).toBe('Password cannot be longer than 72 characters');
    const again = await anonClient().auth.signInWithPassword({ email, password: 'long-pass-1' });
    expect(again.error).toBeNull();
    // 72 bytes exactly is fine
    expect((await client.auth.updateUser({ password: 'y'.repeat(72) })).error).toBeNull();
  });
});
