/**
 * Phone sign-in through supabase-js against the stack's Auth, as GoTrue
 * answers it: a code by text (read from the SMS catcher), verifyOtp with
 * type 'sms', and the refusals: a wrong, expired or reused code (403
 * otp_expired), a number without an account (sign-up is off), a second code
 * too soon (429), a malformed number (400), and `[auth.sms.test_otp]`.
 */
import { AuthApiError } from '@supabase/supabase-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AuthInstance, startAuthInstance } from '../support/auth-instance.ts';
import { anonClient, closeDb, env, serviceClient, sms, sql } from '../support/stack.ts';

let counter = 0;
/** A fresh number in the fictional 555-01xx range. */
function freshPhone(): string {
  return `+1512555${String(1000 + ((Date.now() + counter++ * 7) % 9000)).padStart(4, '0')}`;
}

async function phoneUser(phone: string, confirmed = true) {
  const { data, error } = await serviceClient().auth.admin.createUser({ phone, phone_confirm: confirmed });
  expect(error).toBeNull();
  return data.user!;
}

/** The code in the newest text to `phone`. */
async function codeFor(phone: string, seen = 0): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const texts = await sms.to(phone);
    if (texts.length > seen) {
      const m = /code is (\d{6})/.exec(texts[texts.length - 1]!.body);
      expect(m).not.toBeNull();
      return m![1]!;
    }
    if (Date.now() > deadline) throw new Error(`no code texted to ${phone}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Lets the next code be requested at once (max_frequency is 5 s). */
async function forgetLastSend(phone: string) {
  await sql(`update auth.users set confirmation_sent_at = now() - interval '10 seconds' where phone = $1`, [
    phone.replace('+', ''),
  ]);
}

afterAll(closeDb);

describe('a code by text', () => {
  let phone: string;
  beforeEach(async () => {
    phone = freshPhone();
    await phoneUser(phone);
  });

  it('signs in with the code from the text; the account is a phone account', async () => {
    const client = anonClient();
    const sent = await client.auth.signInWithOtp({ phone });
    expect(sent.error).toBeNull();
    expect(sent.data).toEqual({ user: null, session: null, messageId: undefined });
    const [text] = await sms.to(phone);
    expect(text!.body).toMatch(/^Your Closed Loop Referrals code is \d{6}\. Su codigo: \d{6}$/);
    expect(text!.from).toBe('+15005550006');
    const token = await codeFor(phone);

    const { data, error } = await client.auth.verifyOtp({ phone, token, type: 'sms' });
    expect(error).toBeNull();
    expect(data.session?.access_token).toBeTruthy();
    expect(data.user).toMatchObject({ phone: phone.slice(1), email: '', app_metadata: { provider: 'phone' } });
    expect(data.user?.phone_confirmed_at).toBeTruthy();
    const me = await client.auth.getUser();
    expect(me.data.user?.id).toBe(data.user!.id);
    // signed in as the phone user through the API too
    const claims = JSON.parse(Buffer.from(data.session!.access_token.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({
      sub: data.user!.id,
      phone: phone.slice(1),
      role: 'authenticated',
      amr: [{ method: 'otp' }],
    });
  });

  it('refuses a wrong code, then an expired one, then the right one used twice', async () => {
    const client = anonClient();
    expect((await client.auth.signInWithOtp({ phone })).error).toBeNull();
    const token = await codeFor(phone);
    const wrong = await client.auth.verifyOtp({ phone, token: token === '000000' ? '111111' : '000000', type: 'sms' });
    expect(wrong.error).toBeInstanceOf(AuthApiError);
    expect(wrong.error).toMatchObject({ status: 403, code: 'otp_expired', message: 'Token has expired or is invalid' });
    expect(wrong.data.session).toBeNull();

    // codes last 60 seconds
    await sql(`update auth.users set confirmation_sent_at = now() - interval '61 seconds' where phone = $1`, [
      phone.slice(1),
    ]);
    const expired = await client.auth.verifyOtp({ phone, token, type: 'sms' });
    expect(expired.error).toMatchObject({ status: 403, code: 'otp_expired' });

    expect((await client.auth.signInWithOtp({ phone })).error).toBeNull();
    const fresh = await codeFor(phone, 1);
    expect((await client.auth.verifyOtp({ phone, token: fresh, type: 'sms' })).error).toBeNull();
    const reused = await anonClient().auth.verifyOtp({ phone, token: fresh, type: 'sms' });
    expect(reused.error).toMatchObject({
      status: 403,
      code: 'otp_expired',
      message: 'Token has expired or is invalid',
    });
  });

  it('sends no second code within max_frequency (429), and one after it', async () => {
    const client = anonClient();
    expect((await client.auth.signInWithOtp({ phone })).error).toBeNull();
    const again = await client.auth.signInWithOtp({ phone });
    expect(again.error).toMatchObject({ status: 429, code: 'over_sms_send_rate_limit' });
    expect(again.error?.message).toMatch(/^For security purposes, you can only request this after [0-5] seconds\.$/);
    expect(await sms.to(phone)).toHaveLength(1);
    await forgetLastSend(phone);
    expect((await client.auth.signInWithOtp({ phone })).error).toBeNull();
    expect(await sms.to(phone)).toHaveLength(2);
  });
});

describe('who gets no code', () => {
  it('a number without an account: sign-up is off (422), or otp_disabled without create_user; nothing is texted', async () => {
    const phone = freshPhone();
    const client = anonClient();
    const signup = await client.auth.signInWithOtp({ phone });
    expect(signup.error).toMatchObject({ status: 422, code: 'signup_disabled' });
    const noCreate = await client.auth.signInWithOtp({ phone, options: { shouldCreateUser: false } });
    expect(noCreate.error).toMatchObject({ status: 422, code: 'otp_disabled', message: 'Signups not allowed for otp' });
    expect(await sms.to(phone)).toHaveLength(0);
    expect(await sql(`select 1 from auth.users where phone = $1`, [phone.slice(1)])).toHaveLength(0);
  });

  it('a phone account not yet confirmed is treated as a sign-up, refused', async () => {
    const phone = freshPhone();
    await phoneUser(phone, false);
    const res = await anonClient().auth.signInWithOtp({ phone });
    expect(res.error).toMatchObject({ status: 422, code: 'signup_disabled' });
    expect(await sms.to(phone)).toHaveLength(0);
  });

  it('a malformed number or channel: 400 validation_failed', async () => {
    const client = anonClient();
    const bad = await client.auth.signInWithOtp({ phone: '+1 (512) 555-0177' });
    expect(bad.error).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'Invalid phone number format (E.164 required)',
    });
    const phone = freshPhone();
    await phoneUser(phone);
    const res = await fetch(`${env.authUrl}/otp`, {
      method: 'POST',
      headers: { apikey: env.anonKey, 'content-type': 'application/json' },
      body: JSON.stringify({ phone, channel: 'pigeon' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error_code: 'validation_failed',
      msg: "Invalid channel, supported values are 'sms' or 'whatsapp'",
    });
    expect(await sms.to(phone)).toHaveLength(0);
  });

  it('a phone account for one number only: a second is 422 phone_exists', async () => {
    const phone = freshPhone();
    await phoneUser(phone);
    const { error } = await serviceClient().auth.admin.createUser({ phone, phone_confirm: true });
    expect(error).toMatchObject({ status: 422, code: 'phone_exists' });
  });
});

describe('[auth.sms.test_otp]', () => {
  let instance: AuthInstance;
  const TEST_PHONE = '+15125550999';

  beforeAll(async () => {
    instance = await startAuthInstance((c) => {
      const auth = c.raw.auth as Record<string, Record<string, unknown>>;
      auth.sms = { ...auth.sms, test_otp: { '15125550999': '123456' } };
    });
    await phoneUser(TEST_PHONE);
  });
  afterAll(async () => {
    await instance.close();
  });

  it('answers the fixed code for that number without texting it; other codes still fail', async () => {
    const client = instance.client();
    const res = await client.signInWithOtp({ phone: TEST_PHONE });
    expect(res.error).toBeNull();
    expect(res.data.messageId).toBe('test-otp');
    expect(await sms.to(TEST_PHONE)).toHaveLength(0);
    const wrong = await client.verifyOtp({ phone: TEST_PHONE, token: '654321', type: 'sms' });
    expect(wrong.error).toMatchObject({ status: 403, code: 'otp_expired' });
    const ok = await client.verifyOtp({ phone: TEST_PHONE, token: '123456', type: 'sms' });
    expect(ok.error).toBeNull();
    expect(ok.data.user?.phone).toBe('15125550999');
  });
});

describe('guessing codes', () => {
  let instance: AuthInstance;
  beforeAll(async () => {
    // config.toml's per-address limit on verifications (the test stack raises it for every other suite)
    instance = await startAuthInstance((c) => {
      c.auth.rateLimit.tokenVerifications = 30;
    });
  });
  afterAll(async () => {
    await instance.close();
  });

  it('stops at the burst of 30 checks from one address: 429 over_request_rate_limit', async () => {
    const phone = freshPhone();
    await phoneUser(phone);
    const client = instance.client();
    const codes: (number | undefined)[] = [];
    for (let i = 0; i < 34; i++) {
      const { error } = await client.verifyOtp({ phone, token: String(100000 + i), type: 'sms' });
      codes.push(error?.status);
    }
    expect(codes.slice(0, 30).every((s) => s === 403)).toBe(true);
    expect(codes.slice(30)).toEqual([429, 429, 429, 429]);
    const last = await client.verifyOtp({ phone, token: '999999', type: 'sms' });
    expect(last.error).toMatchObject({ status: 429, code: 'over_request_rate_limit' });
  });
});
