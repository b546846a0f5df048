/**
 * Signing in by email: magic links (implicit and PKCE), the 6-digit code,
 * password recovery and sign-up, with the emails read from the mail catcher
 * and the links opened like a browser would. And what must be refused: used,
 * expired and tampered links, foreign redirects, resends inside
 * max_frequency. config.toml turns self sign-up off; what sign-up does when
 * a project turns it on runs against a second Auth instance with
 * `enable_signup = true`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthInstance, startAuthInstance } from '../support/auth-instance.ts';
import { anonClient, env, resetDb, serviceClient, sql } from '../support/stack.ts';
import { authFetch, codeIn, countMail, createUser, follow, fragment, freshEmail, linkIn, mailTo } from './helpers.ts';

const SIGN_IN = /sign-in link/i;
const RESET = /reset your/i;

let open: AuthInstance;

beforeAll(async () => {
  await resetDb();
  open = await startAuthInstance((config) => {
    config.auth.enableSignup = true;
  });
});

afterAll(async () => {
  await open?.close();
});

describe('magic link, implicit flow', () => {
  it('emails a link that signs the user in, with the session in the URL fragment', async () => {
    const email = freshEmail('implicit');
    await createUser(email);
    const { data, error } = await anonClient().auth.signInWithOtp({ email });
    expect(error).toBeNull();
    expect(data).toEqual({ user: null, session: null });

    const message = await mailTo(email, SIGN_IN);
    expect(message.html).toContain('lang="en"');
    const link = linkIn(message);
    expect(new URL(link).searchParams.get('type')).toBe('magiclink');
    const { status, location } = await follow(link);
    expect(status).toBe(303);
    expect(location.origin).toBe(env.appUrl);
    const params = fragment(location);
    expect(params.get('token_type')).toBe('bearer');
    expect(params.get('type')).toBe('magiclink');
    expect(Number(params.get('expires_in'))).toBeGreaterThan(3500);

    const client = anonClient();
    const set = await client.auth.setSession({
      access_token: params.get('access_token')!,
      refresh_token: params.get('refresh_token')!,
    });
    expect(set.error).toBeNull();
    expect(set.data.user!.email).toBe(email);
    const amr = JSON.parse(Buffer.from(params.get('access_token')!.split('.')[1]!, 'base64url').toString()).amr;
    expect(amr[0].method).toBe('otp');
  });

  it('makes no account for an unknown address (sign-up is off): otp_disabled, or signup_disabled with create_user', async () => {
    const email = freshEmail('stranger');
    const refused = await anonClient().auth.signInWithOtp({ email, options: { shouldCreateUser: false } });
    expect(refused.error).toMatchObject({ status: 422, code: 'otp_disabled', message: 'Signups not allowed for otp' });
    const creating = await anonClient().auth.signInWithOtp({ email });
    expect(creating.error).toMatchObject({
      status: 422,
      code: 'signup_disabled',
      message: 'Signups not allowed for this instance',
    });
    expect(await sql('select id from auth.users where lower(email) = $1', [email])).toEqual([]);
    expect(await countMail(email, /.*/)).toBe(0);
  });

  it('with sign-up on, creates the account of a first-time address, unless create_user is false', async () => {
    const email = freshEmail('newcomer');
    const refused = await open.client().signInWithOtp({ email, options: { shouldCreateUser: false } });
    expect(refused.error).toMatchObject({ status: 422, code: 'otp_disabled' });

    const { error } = await open.client().signInWithOtp({ email, options: { data: { first_name: 'Nia' } } });
    expect(error).toBeNull();
    const { location } = await follow(linkIn(await mailTo(email, SIGN_IN)));
    const token = fragment(location).get('access_token')!;
    const { data } = await anonClient().auth.getUser(token);
    expect(data.user!.email).toBe(email);
    expect(data.user!.user_metadata).toMatchObject({ first_name: 'Nia', email_verified: true });
    expect(data.user!.email_confirmed_at).toBeTruthy();
  });

  it('a link works once: the second click lands with otp_expired', async () => {
    const email = freshEmail('twice');
    await createUser(email);
    await anonClient().auth.signInWithOtp({ email });
    const link = linkIn(await mailTo(email, SIGN_IN));
    expect(fragment((await follow(link)).location).get('access_token')).toBeTruthy();

    const again = await follow(link);
    expect(again.status).toBe(303);
    const params = fragment(again.location);
    expect(params.get('access_token')).toBeNull();
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('error_code')).toBe('otp_expired');
    expect(params.get('error_description')).toBe('Email link is invalid or has expired');
  });

  it('an expired link is refused', async () => {
    const email = freshEmail('expired');
    const user = await createUser(email);
    await anonClient().auth.signInWithOtp({ email });
    const link = linkIn(await mailTo(email, SIGN_IN));
    // otp_expiry is one hour.
    await sql(`update auth.one_time_tokens set created_at = created_at - interval '61 minutes' where user_id = $1`, [
      user.id,
    ]);
    const { location } = await follow(link);
    expect(fragment(location).get('error_code')).toBe('otp_expired');
    expect(fragment(location).get('access_token')).toBeNull();
  });

  it('a tampered token is refused', async () => {
    const email = freshEmail('tampered');
    await createUser(email);
    await anonClient().auth.signInWithOtp({ email });
    const link = new URL(linkIn(await mailTo(email, SIGN_IN)));
    const token = link.searchParams.get('token')!;
    link.searchParams.set('token', (token[0] === 'a' ? 'b' : 'a') + token.slice(1));
    const { location } = await follow(link.toString());
    expect(fragment(location).get('error_code')).toBe('otp_expired');
    // The genuine link still works afterwards.
    link.searchParams.set('token', token);
    expect(fragment((await follow(link.toString())).location).get('access_token')).toBeTruthy();
  });

  it('keeps an allowed redirect_to, and replaces a foreign one by the site URL', async () => {
    const email = freshEmail('redirect');
    await createUser(email);
    const allowed = 'http://127.0.0.1:5173/auth/callback?next=%2Freferrals';
    await anonClient().auth.signInWithOtp({ email, options: { emailRedirectTo: allowed } });
    const first = await mailTo(email, SIGN_IN);
    expect(new URL(linkIn(first)).searchParams.get('redirect_to')).toBe(allowed);
    const landed = (await follow(linkIn(first))).location;
    expect(`${landed.origin}${landed.pathname}${landed.search}`).toBe(allowed);

    await sql(`update auth.users set recovery_sent_at = now() - interval '1 minute' where email = $1`, [email]);
    await anonClient().auth.signInWithOtp({ email, options: { emailRedirectTo: 'https://evil.example/steal' } });
    const second = await mailTo(email, SIGN_IN, 1);
    expect(second.text).not.toContain('evil.example');
    const { location } = await follow(linkIn(second));
    expect(location.origin).toBe(env.appUrl);
    expect(location.host).not.toBe('evil.example');
    expect(fragment(location).get('access_token')).toBeTruthy();
  });

  it('a link with a foreign redirect_to edited in still lands on the site URL', async () => {
    const email = freshEmail('edited');
    await createUser(email);
    await anonClient().auth.signInWithOtp({ email });
    const link = new URL(linkIn(await mailTo(email, SIGN_IN)));
    link.searchParams.set('redirect_to', 'https://evil.example/');
    const { location } = await follow(link.toString());
    expect(location.origin).toBe(env.appUrl);
  });

  it('refuses a second email inside max_frequency with 429 over_email_send_rate_limit', async () => {
    const email = freshEmail('hurry');
    await createUser(email);
    expect((await anonClient().auth.signInWithOtp({ email })).error).toBeNull();
    const again = await anonClient().auth.signInWithOtp({ email });
    expect(again.error).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' });
    expect(again.error!.message).toMatch(/^For security purposes, you can only request this after \d+ seconds\.$/);
    expect(await countMail(email, SIGN_IN)).toBe(1);
  });
});

describe('magic link, PKCE flow', () => {
  it('the link lands with ?code=, which exchangeCodeForSession turns into a session once', async () => {
    const email = freshEmail('pkce');
    await createUser(email);
    const client = anonClient({ flowType: 'pkce' });
    const { error } = await client.auth.signInWithOtp({
      email,
      options: { emailRedirectTo: `${env.appUrl}/auth/callback` },
    });
    expect(error).toBeNull();
    const link = linkIn(await mailTo(email, SIGN_IN));
    expect(new URL(link).searchParams.get('token')).toMatch(/^pkce_[0-9a-f]{56}$/);

    const { status, location } = await follow(link);
    expect(status).toBe(303);
    expect(location.pathname).toBe('/auth/callback');
    expect(location.hash).toBe('');
    const code = location.searchParams.get('code')!;
    expect(code).toMatch(/^[0-9a-f-]{36}$/);

    const exchanged = await client.auth.exchangeCodeForSession(code);
    expect(exchanged.error).toBeNull();
    expect(exchanged.data.session!.user.email).toBe(email);
    expect((await client.auth.getUser()).data.user!.email).toBe(email);

    // The code is single use.
    const replay = await authFetch('/token?grant_type=pkce', {
      method: 'POST',
      body: JSON.stringify({ auth_code: code, code_verifier: 'x'.repeat(64) }),
    });
    expect(replay.status).toBe(404);
    expect(await replay.json()).toMatchObject({ code: 'flow_state_not_found' });
  });

  it('refuses a code with the wrong verifier', async () => {
    const email = freshEmail('verifier');
    await createUser(email);
    await anonClient({ flowType: 'pkce' }).auth.signInWithOtp({ email });
    const code = (await follow(linkIn(await mailTo(email, SIGN_IN)))).location.searchParams.get('code')!;
    const res = await authFetch('/token?grant_type=pkce', {
      method: 'POST',
      body: JSON.stringify({ auth_code: code, code_verifier: 'not-the-verifier-'.repeat(4) }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'bad_code_verifier' });
  });

  it('a used PKCE link reports the error in the query string too', async () => {
    const email = freshEmail('pkce-twice');
    await createUser(email);
    await anonClient({ flowType: 'pkce' }).auth.signInWithOtp({ email });
    const link = linkIn(await mailTo(email, SIGN_IN));
    await follow(link);
    const { location } = await follow(link);
    expect(location.searchParams.get('error_code')).toBe('otp_expired');
    expect(location.searchParams.get('code')).toBeNull();
    expect(fragment(location).get('error_code')).toBe('otp_expired');
  });
});

describe('the 6-digit code', () => {
  it('verifyOtp with the emailed code signs the user in', async () => {
    const email = freshEmail('code');
    await createUser(email);
    await anonClient().auth.signInWithOtp({ email });
    const code = codeIn(await mailTo(email, SIGN_IN));
    const client = anonClient();
    const wrong = await client.auth.verifyOtp({ email, token: code === '000000' ? '111111' : '000000', type: 'email' });
    expect(wrong.error).toMatchObject({ status: 403, code: 'otp_expired', message: 'Token has expired or is invalid' });

    const { data, error } = await client.auth.verifyOtp({ email, token: code, type: 'email' });
    expect(error).toBeNull();
    expect(data.session!.user.email).toBe(email);
    expect((await client.auth.getUser()).data.user!.email).toBe(email);
    // Single use: the same code again is refused.
    const again = await anonClient().auth.verifyOtp({ email, token: code, type: 'email' });
    expect(again.error).toMatchObject({ status: 403, code: 'otp_expired' });
  });

  it('an expired code is refused', async () => {
    const email = freshEmail('code-expired');
    const user = await createUser(email);
    await anonClient().auth.signInWithOtp({ email });
    const code = codeIn(await mailTo(email, SIGN_IN));
    await sql(`update auth.users set recovery_sent_at = recovery_sent_at - interval '2 hours' where id = $1`, [
      user.id,
    ]);
    const { error } = await anonClient().auth.verifyOtp({ email, token: code, type: 'email' });
    expect(error).toMatchObject({ status: 403, code: 'otp_expired' });
  });

  it('verifyOtp with the token hash from the email', async () => {
    const email = freshEmail('hash');
    await createUser(email);
    await anonClient().auth.signInWithOtp({ email });
    const hash = new URL(linkIn(await mailTo(email, SIGN_IN))).searchParams.get('token')!;
    const { data, error } = await anonClient().auth.verifyOtp({ token_hash: hash, type: 'magiclink' });
    expect(error).toBeNull();
    expect(data.user!.email).toBe(email);
    const again = await anonClient().auth.verifyOtp({ token_hash: hash, type: 'magiclink' });
    expect(again.error).toMatchObject({
      status: 403,
      code: 'otp_expired',
      message: 'Email link is invalid or has expired',
    });
  });
});

describe('password recovery', () => {
  it('resetPasswordForEmail emails a recovery link; the user then sets a new password', async () => {
    const email = freshEmail('forgot');
    await createUser(email, 'old-password-1');
    const { error } = await anonClient().auth.resetPasswordForEmail(email, {
      redirectTo: `${env.appUrl}/reset-password`,
    });
    expect(error).toBeNull();
    const message = await mailTo(email, RESET);
    const { location } = await follow(linkIn(message));
    expect(location.pathname).toBe('/reset-password');
    const params = fragment(location);
    expect(params.get('type')).toBe('recovery');

    const client = anonClient();
    await client.auth.setSession({
      access_token: params.get('access_token')!,
      refresh_token: params.get('refresh_token')!,
    });
    expect((await client.auth.updateUser({ password: 'new-password-2' })).error).toBeNull();
    expect((await anonClient().auth.signInWithPassword({ email, password: 'new-password-2' })).error).toBeNull();
    expect((await anonClient().auth.signInWithPassword({ email, password: 'old-password-1' })).error?.code).toBe(
      'invalid_credentials',
    );
  });

  it('answers an unknown address exactly as a known one, and sends nothing', async () => {
    const email = freshEmail('unknown');
    const { data, error } = await anonClient().auth.resetPasswordForEmail(email);
    expect(error).toBeNull();
    expect(data).toEqual({});
    // a request right after it, for an address that exists, is sent: nothing came for the unknown one first
    const known = freshEmail('known');
    await createUser(known, 'known-pass-1');
    expect((await anonClient().auth.resetPasswordForEmail(known)).error).toBeNull();
    await mailTo(known, /.*/);
    expect(await countMail(email, /.*/)).toBe(0);
  });

  it('a second request inside max_frequency is refused with 429', async () => {
    const email = freshEmail('forgot-twice');
    await createUser(email);
    expect((await anonClient().auth.resetPasswordForEmail(email)).error).toBeNull();
    const again = await anonClient().auth.resetPasswordForEmail(email);
    expect(again.error).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' });
  });
});

describe('sign-up', () => {
  it('is off in config.toml: 422 signup_disabled, no account', async () => {
    const email = freshEmail('closed');
    const { data, error } = await anonClient().auth.signUp({ email, password: 'sign-me-up-1' });
    expect(error).toMatchObject({
      status: 422,
      code: 'signup_disabled',
      message: 'Signups not allowed for this instance',
    });
    expect(data.session).toBeNull();
    expect(await sql('select id from auth.users where lower(email) = $1', [email])).toEqual([]);
  });

  it('with sign-up on, signUp creates a confirmed user with a session (confirmations are off locally) and its metadata', async () => {
    const email = freshEmail('signup');
    const { data, error } = await open.client().signUp({
      email,
      password: 'sign-me-up-1',
      options: { data: { first_name: 'Sia', last_name: 'Stone' } },
    });
    expect(error).toBeNull();
    expect(data.session).not.toBeNull();
    expect(data.user!.email).toBe(email);
    expect(data.user!.user_metadata).toMatchObject({ first_name: 'Sia', last_name: 'Stone', email_verified: true });
    const rows = await sql<{ raw_user_meta_data: Record<string, unknown> }>(
      'select raw_user_meta_data from auth.users where email = $1',
      [email],
    );
    expect(rows[0]!.raw_user_meta_data).toMatchObject({ first_name: 'Sia', last_name: 'Stone' });
    expect((await anonClient().auth.signInWithPassword({ email, password: 'sign-me-up-1' })).error).toBeNull();
  });

  it('with sign-up on, a duplicate email creates no second user and gets no session', async () => {
    const email = freshEmail('dup');
    await createUser(email, 'original-pass-1');
    const { data, error } = await open.client().signUp({ email, password: 'attacker-pass-1' });
    expect(data.session).toBeNull();
    expect(error).toMatchObject({ status: 422, code: 'user_already_exists' });
    const rows = await sql('select id from auth.users where lower(email) = $1', [email]);
    expect(rows).toHaveLength(1);
    expect((await anonClient().auth.signInWithPassword({ email, password: 'attacker-pass-1' })).error?.code).toBe(
      'invalid_credentials',
    );
  });

  it('with sign-up on, refuses a weak password and an invalid email', async () => {
    const weak = await open.client().signUp({ email: freshEmail('weak'), password: '12345' });
    expect(weak.error).toMatchObject({ status: 422, code: 'weak_password' });
    expect(weak.error!.name).toBe('AuthWeakPasswordError');
    const invalid = await open.client().signUp({ email: 'not-an-email', password: 'long-enough-1' });
    expect(invalid.error).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('resend of a confirmation inside max_frequency is refused with 429', async () => {
    // An account an admin created without confirming it: the person asks for the confirmation email.
    const email = freshEmail('resend');
    const { error: createError } = await serviceClient().auth.admin.createUser({ email, password: 'pending-pass-1' });
    expect(createError).toBeNull();
    expect((await anonClient().auth.resend({ type: 'signup', email })).error).toBeNull();
    const message = await mailTo(email, /confirm your email/i);
    const again = await anonClient().auth.resend({ type: 'signup', email });
    expect(again.error).toMatchObject({ status: 429, code: 'over_email_send_rate_limit' });

    // The confirmation link confirms the address; the password then works.
    const { location } = await follow(linkIn(message));
    expect(fragment(location).get('type')).toBe('signup');
    expect((await anonClient().auth.signInWithPassword({ email, password: 'pending-pass-1' })).error).toBeNull();
  });
});
