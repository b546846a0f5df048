/**
 * With `[auth.email] enable_confirmations = true` (as a hosted project with
 * "Confirm email" on): sign-up answers with the user and a confirmation
 * email, a duplicate address is not revealed, and an email change needs both
 * links. A second Auth instance (tests/support/auth-instance.ts) runs with
 * that setting and sign-up on; supabase-js's AuthClient talks to it directly.
 */
import type { AuthClient } from '@supabase/supabase-js';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthInstance, startAuthInstance } from '../support/auth-instance.ts';
import { env, resetDb, sql } from '../support/stack.ts';
import { countMail, createUser, follow, fragment, freshEmail, linkIn, mailTo } from './helpers.ts';

const CONFIRM = /confirm your email/i;
let instance: AuthInstance;

function auth(flowType: 'implicit' | 'pkce' = 'implicit'): InstanceType<typeof AuthClient> {
  return instance.client({ flowType });
}

beforeAll(async () => {
  await resetDb();
  instance = await startAuthInstance((config) => {
    config.auth.enableSignup = true;
    config.auth.email.enableConfirmations = true;
  });
});

afterAll(async () => {
  await instance?.close();
});

describe('sign-up with confirmations on', () => {
  it('answers with the unconfirmed user and emails a confirmation link', async () => {
    const email = freshEmail('confirm');
    const client = auth();
    const { data, error } = await client.signUp({
      email,
      password: 'confirm-pass-1',
      options: { data: { first_name: 'Cy' } },
    });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    expect(data.user!.email).toBe(email);
    expect(data.user!.email_confirmed_at).toBeUndefined();
    expect(data.user!.confirmation_sent_at).toBeTruthy();
    expect(data.user!.identities).toHaveLength(1);
    expect(data.user!.user_metadata).toMatchObject({ first_name: 'Cy', email_verified: false });

    const before = await auth().signInWithPassword({ email, password: 'confirm-pass-1' });
    expect(before.error).toMatchObject({ status: 400, code: 'email_not_confirmed' });

    const { status, location } = await follow(linkIn(await mailTo(email, CONFIRM)));
    expect(status).toBe(303);
    expect(fragment(location).get('type')).toBe('signup');
    expect(fragment(location).get('access_token')).toBeTruthy();
    expect((await auth().signInWithPassword({ email, password: 'confirm-pass-1' })).error).toBeNull();
  });

  it('a confirmed address gets a look-alike user: no session, no email, no second account', async () => {
    const email = freshEmail('taken');
    const real = await createUser(email, 'real-pass-1');
    const { data, error } = await auth().signUp({ email, password: 'other-pass-1' });
    expect(error).toBeNull();
    expect(data.session).toBeNull();
    expect(data.user!.email).toBe(email);
    expect(data.user!.id).not.toBe(real.id);
    expect(data.user!.identities).toEqual([]);
    expect(data.user!.role).toBe('');
    // a sign-up right after it, through the same service, does send its email: nothing came for the taken address first
    const later = freshEmail('later');
    expect((await auth().signUp({ email: later, password: 'later-pass-1' })).error).toBeNull();
    await mailTo(later, /confirm/i);
    expect(await countMail(email, /.*/)).toBe(0);
    expect(await sql('select id from auth.users where lower(email) = $1', [email])).toHaveLength(1);
  });

  it('signing up again before confirming resends the confirmation, once max_frequency has passed', async () => {
    const email = freshEmail('again');
    const first = await auth().signUp({ email, password: 'again-pass-1' });
    expect(first.error).toBeNull();
    const soon = await auth().signUp({ email, password: 'again-pass-1' });
    expect(soon.error).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' });

    await sql(`update auth.users set confirmation_sent_at = now() - interval '1 minute' where email = $1`, [email]);
    const later = await auth().signUp({ email, password: 'again-pass-1' });
    expect(later.error).toBeNull();
    expect(later.data.user!.id).toBe(first.data.user!.id);
    await mailTo(email, CONFIRM, 1);
  });

  it('PKCE sign-up: the confirmation link lands with ?code= and the exchange gives the session', async () => {
    const email = freshEmail('pkce-signup');
    const client = auth('pkce');
    const { error } = await client.signUp({
      email,
      password: 'pkce-pass-1',
      options: { emailRedirectTo: `${env.appUrl}/welcome` },
    });
    expect(error).toBeNull();
    const link = linkIn(await mailTo(email, CONFIRM));
    expect(new URL(link).searchParams.get('token')).toMatch(/^pkce_/);
    const { location } = await follow(link);
    expect(location.pathname).toBe('/welcome');
    const code = location.searchParams.get('code')!;
    const { data, error: exchangeError } = await client.exchangeCodeForSession(code);
    expect(exchangeError).toBeNull();
    expect(data.user!.email).toBe(email);
    expect(decodeJwt(data.session!.access_token).amr).toEqual([
      { method: 'email/signup', timestamp: expect.any(Number) },
    ]);
  });

  it('a magic link for a new address sends the confirmation email, which signs the person in', async () => {
    const email = freshEmail('otp-new');
    expect((await auth().signInWithOtp({ email })).error).toBeNull();
    const { location } = await follow(linkIn(await mailTo(email, CONFIRM)));
    expect(fragment(location).get('type')).toBe('signup');
    const { data } = await auth().getUser(fragment(location).get('access_token')!);
    expect(data.user!.email_confirmed_at).toBeTruthy();
  });
});

describe('secure email change (double_confirm_changes) with confirmations on', () => {
  it('needs the links sent to both addresses', async () => {
    const before = freshEmail('two-old');
    const after = freshEmail('two-new');
    await createUser(before, 'two-step-1');
    const client = auth();
    expect((await client.signInWithPassword({ email: before, password: 'two-step-1' })).error).toBeNull();
    expect((await client.updateUser({ email: after })).error).toBeNull();

    const first = await follow(linkIn(await mailTo(before, /confirm your new email/i)));
    expect(fragment(first.location).get('message')).toBe(
      'Confirmation link accepted. Please proceed to confirm link sent to the other email',
    );
    expect((await client.getUser()).data.user!.email).toBe(before);

    const second = await follow(linkIn(await mailTo(after, /confirm your new email/i)));
    expect(fragment(second.location).get('type')).toBe('email_change');
    expect((await client.getUser()).data.user!.email).toBe(after);
  });
});
