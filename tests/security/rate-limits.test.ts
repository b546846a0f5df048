/**
 * `[auth.rate_limit]` enforced per client IP, as GoTrue's limiters do: an
 * attacker guessing 6-digit codes, passwords or flooding sign-in emails is
 * cut off with 429 `over_request_rate_limit` after a burst of 30, while
 * another client is still served; a client-written X-Forwarded-For does not
 * get past the gateway; with confirmations on, the hourly email allowance
 * answers 429 `over_email_send_rate_limit`. The test stack's own Auth has its
 * limits raised (so the other suites never meet them): these run Auth
 * instances of their own with config.toml's small limits.
 */
import { AuthApiError } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthInstance, startAuthInstance } from '../support/auth-instance.ts';
import { closeDb, env, resetDb, sql } from '../support/stack.ts';
import { codeIn, countMail, createUser, freshEmail, mailTo } from '../auth/helpers.ts';

const ATTACKER_IP = '203.0.113.7';
const HONEST_IP = '198.51.100.2';
const BURST = 30; // GoTrue's burst for the per-5-minute limiters

let direct: AuthInstance; // reached as the gateway would forward to it
let gated: AuthInstance; // behind a gateway of its own
let mailing: AuthInstance; // confirmations on, 2 emails an hour

function post(baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: {
      apikey: env.anonKey,
      Authorization: `Bearer ${env.anonKey}`,
      'Content-Type': 'application/json',
      'X-Supabase-Api-Version': '2024-01-01',
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

/** Sends `n` requests one after another; the statuses in order. */
async function flood(n: number, send: (i: number) => Promise<Response>): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await send(i);
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

beforeAll(async () => {
  await resetDb();
  const small = (c: Parameters<Parameters<typeof startAuthInstance>[0]>[0]) => {
    // Refill slowly enough that a test never sees a token come back.
    c.auth.rateLimit = { ...c.auth.rateLimit, tokenVerifications: 5, tokenRefresh: 5, signInSignUps: 5 };
  };
  direct = await startAuthInstance(small);
  gated = await startAuthInstance(small, { gateway: true });
  mailing = await startAuthInstance((c) => {
    c.auth.enableSignup = true;
    c.auth.email.enableConfirmations = true;
    c.auth.rateLimit = { ...c.auth.rateLimit, emailSent: 2 };
  });
});

afterAll(async () => {
  await Promise.all([direct?.close(), gated?.close(), mailing?.close()]);
  await closeDb();
});

describe('guessing a 6-digit code', () => {
  it('60 wrong codes from one address: 30 are checked, the rest get 429 over_request_rate_limit; another client still signs in', async () => {
    const victim = freshEmail('victim');
    await createUser(victim);
    // The victim asks for a code (from their own address).
    expect(
      (await direct.client({ headers: { 'X-Forwarded-For': HONEST_IP } }).signInWithOtp({ email: victim })).error,
    ).toBeNull();
    const code = codeIn(await mailTo(victim, /sign-in link/i));

    const t0 = performance.now();
    const statuses = await flood(60, (i) =>
      post(
        direct.authUrl,
        '/verify',
        { type: 'email', email: victim, token: String(100000 + i) },
        { 'X-Forwarded-For': ATTACKER_IP },
      ),
    );
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(statuses.slice(0, BURST)).toEqual(Array(BURST).fill(403)); // otp_expired: checked, wrong
    expect(statuses.slice(BURST)).toEqual(Array(60 - BURST).fill(429));

    // GoTrue's 429 shape, and what supabase-js makes of it.
    const raw = await post(
      direct.authUrl,
      '/verify',
      { type: 'email', email: victim, token: '000000' },
      { 'X-Forwarded-For': ATTACKER_IP },
    );
    expect(raw.status).toBe(429);
    expect(raw.headers.get('x-sb-error-code')).toBe('over_request_rate_limit');
    expect(await raw.json()).toEqual({ code: 'over_request_rate_limit', message: 'Request rate limit reached' });
    const attacker = direct.client({ headers: { 'X-Forwarded-For': ATTACKER_IP } });
    const guessed = await attacker.verifyOtp({ type: 'email', email: victim, token: code });
    expect(guessed.error).toBeInstanceOf(AuthApiError);
    expect(guessed.error).toMatchObject({
      status: 429,
      code: 'over_request_rate_limit',
      message: 'Request rate limit reached',
    });
    expect(guessed.data.session).toBeNull();

    // The victim, from their own address, still signs in with the right code.
    const honest = await direct
      .client({ headers: { 'X-Forwarded-For': HONEST_IP } })
      .verifyOtp({ type: 'email', email: victim, token: code });
    expect(honest.error).toBeNull();
    expect(honest.data.session?.user.email).toBe(victim);
  });
});

describe('guessing a password and flooding sign-in emails', () => {
  it('password guesses and magic-link requests stop at the burst, each limiter on its own', async () => {
    const victim = freshEmail('pw-victim');
    await createUser(victim, 'right-password-1');
    const ip = { 'X-Forwarded-For': '203.0.113.8' };
    const guesses = await flood(BURST + 5, (i) =>
      post(direct.authUrl, '/token?grant_type=password', { email: victim, password: `guess-${i}` }, ip),
    );
    expect(guesses.slice(0, BURST)).toEqual(Array(BURST).fill(400)); // invalid_credentials
    expect(guesses.slice(BURST)).toEqual(Array(5).fill(429));
    const right = await direct
      .client({ headers: ip })
      .signInWithPassword({ email: victim, password: 'right-password-1' });
    expect(right.error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });

    // /otp, /recover and friends share sign_in_sign_ups; unknown addresses are the cheapest flood.
    const requests = await flood(BURST + 3, (i) =>
      post(direct.authUrl, '/recover', { email: `nobody-${i}@flood.example` }, ip),
    );
    expect(requests.slice(0, BURST)).toEqual(Array(BURST).fill(200));
    expect(requests.slice(BURST)).toEqual(Array(3).fill(429));
    const otp = await direct.client({ headers: ip }).signInWithOtp({ email: victim });
    expect(otp.error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
    expect(await countMail(victim, /sign-in link/i)).toBe(0);

    // The owner, from elsewhere, is unaffected.
    const owner = await direct.client({ headers: { 'X-Forwarded-For': HONEST_IP } }).signInWithPassword({
      email: victim,
      password: 'right-password-1',
    });
    expect(owner.error).toBeNull();
  });
});

describe('through the gateway', () => {
  it('a client-written X-Forwarded-For does not buy a fresh bucket', async () => {
    const statuses = await flood(BURST + 10, (i) =>
      post(
        gated.authUrl,
        '/verify',
        { type: 'email', email: 'someone@flood.example', token: '123456' },
        {
          'X-Forwarded-For': `198.18.${Math.floor(i / 250)}.${i % 250}`,
        },
      ),
    );
    expect(statuses.slice(0, BURST)).toEqual(Array(BURST).fill(403));
    expect(statuses.slice(BURST)).toEqual(Array(10).fill(429));
  });
});

describe('anonymous sign-ins (where a project enables them)', () => {
  it('anonymous_users per hour per address, burst included: the next one gets 429', async () => {
    const anon = await startAuthInstance((c) => {
      c.auth.enableSignup = true;
      (c.raw.auth as Record<string, unknown>).enable_anonymous_sign_ins = true;
      c.auth.rateLimit = { ...c.auth.rateLimit, anonymousUsers: 3 };
    });
    try {
      const ip = { 'X-Forwarded-For': '203.0.113.9' };
      for (let i = 0; i < 3; i++) expect((await anon.client({ headers: ip }).signInAnonymously()).error).toBeNull();
      const fourth = await anon.client({ headers: ip }).signInAnonymously();
      expect(fourth.error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
      expect(fourth.data.session).toBeNull();
      expect((await anon.client({ headers: { 'X-Forwarded-For': HONEST_IP } }).signInAnonymously()).error).toBeNull();
    } finally {
      await anon.close();
    }
  });
});

describe('the hourly email allowance (confirmations on)', () => {
  it('the email after email_sent is refused with 429 over_email_send_rate_limit and leaves no account', async () => {
    const addresses = [freshEmail('first'), freshEmail('second'), freshEmail('third')];
    for (const email of addresses.slice(0, 2)) {
      const { error } = await mailing.client().signUp({ email, password: 'mail-me-1' });
      expect(error).toBeNull();
      await mailTo(email, /confirm your email/i);
    }
    const third = await mailing.client().signUp({ email: addresses[2]!, password: 'mail-me-1' });
    expect(third.error).toMatchObject({
      status: 429,
      code: 'over_email_send_rate_limit',
      message: 'email rate limit exceeded',
    });
    expect(await sql('select id from auth.users where lower(email) = $1', [addresses[2]])).toEqual([]);
    expect(await countMail(addresses[2]!, /.*/)).toBe(0);
  });
});
