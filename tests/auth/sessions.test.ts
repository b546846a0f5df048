/**
 * Password sign-in, sessions and tokens through supabase-js, against the
 * local Auth service behind the gateway: what a helper or claimer does when
 * they sign in, stay signed in, change their details and sign out, and what
 * is refused.
 */
import { decodeJwt, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { anonClient, env, resetDb, signIn, sql } from '../support/stack.ts';
import { authFetch, createUser, freshEmail } from './helpers.ts';

const HELEN = 'helen@eastside.example';
const SAM = 'sam@seeker.example';

beforeAll(async () => {
  await resetDb();
});

describe('password sign-in', () => {
  it('signs a seeded user in with Supabase session and JWT claims', async () => {
    const client = anonClient();
    const { data, error } = await client.auth.signInWithPassword({ email: HELEN, password: env.password });
    expect(error).toBeNull();
    const session = data.session!;
    expect(session.token_type).toBe('bearer');
    expect(session.expires_in).toBeGreaterThan(3590);
    expect(session.refresh_token).toMatch(/^[a-z0-9]{12}$/);
    expect(session.user.email).toBe(HELEN);
    expect(session.user.identities?.[0]?.provider).toBe('email');

    const claims = decodeJwt(session.access_token);
    expect(claims).toMatchObject({
      iss: `${env.apiUrl}/auth/v1`,
      sub: session.user.id,
      aud: 'authenticated',
      email: HELEN,
      phone: '',
      role: 'authenticated',
      aal: 'aal1',
      is_anonymous: false,
      app_metadata: { provider: 'email', providers: ['email'] },
    });
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(claims.amr).toEqual([{ method: 'password', timestamp: expect.any(Number) }]);
    const [row] = await sql<{ n: number }>('select count(*)::int as n from auth.sessions where id = $1', [
      claims.session_id,
    ]);
    expect(row!.n).toBe(1);
  });

  it('refuses a wrong password with 400 invalid_credentials', async () => {
    const { data, error } = await anonClient().auth.signInWithPassword({ email: HELEN, password: 'not-her-password' });
    expect(data.session).toBeNull();
    expect(error).toMatchObject({ status: 400, code: 'invalid_credentials', message: 'Invalid login credentials' });
  });

  it('answers an unknown email exactly as a wrong password', async () => {
    const { error } = await anonClient().auth.signInWithPassword({
      email: freshEmail('nobody'),
      password: 'whatever1',
    });
    expect(error).toMatchObject({ status: 400, code: 'invalid_credentials' });
  });

  it('refuses an unconfirmed account only after the password was right', async () => {
    const email = freshEmail('unconfirmed');
    const { serviceClient } = await import('../support/stack.ts');
    const { error: createError } = await serviceClient().auth.admin.createUser({ email, password: 'pass-word-9' });
    expect(createError).toBeNull();
    const wrong = await anonClient().auth.signInWithPassword({ email, password: 'nope-nope' });
    expect(wrong.error).toMatchObject({ code: 'invalid_credentials' });
    const right = await anonClient().auth.signInWithPassword({ email, password: 'pass-word-9' });
    expect(right.error).toMatchObject({ status: 400, code: 'email_not_confirmed' });
  });
});

describe('refresh tokens', () => {
  it('rotates the refresh token and keeps the session', async () => {
    const client = await signIn(HELEN);
    const before = (await client.auth.getSession()).data.session!;
    const { data, error } = await client.auth.refreshSession();
    expect(error).toBeNull();
    expect(data.session!.refresh_token).not.toBe(before.refresh_token);
    expect(decodeJwt(data.session!.access_token).session_id).toBe(decodeJwt(before.access_token).session_id);
    const rows = await sql<{ token: string; revoked: boolean; parent: string | null }>(
      'select token, revoked, parent from auth.refresh_tokens where token = any($1) order by id',
      [[before.refresh_token, data.session!.refresh_token]],
    );
    expect(rows).toEqual([
      { token: before.refresh_token, revoked: true, parent: null },
      { token: data.session!.refresh_token, revoked: false, parent: before.refresh_token },
    ]);
  });

  it('revokes the whole session when an old refresh token is reused after the reuse interval', async () => {
    const client = await signIn(HELEN);
    const first = (await client.auth.getSession()).data.session!.refresh_token;
    const second = (await client.auth.refreshSession()).data.session!.refresh_token;
    const third = (await client.auth.refreshSession()).data.session!.refresh_token;
    expect(new Set([first, second, third]).size).toBe(3);
    // Ten seconds (refresh_token_reuse_interval) have passed since the first was used.
    await sql(`update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = $1`, [first]);

    const reused = await anonClient().auth.refreshSession({ refresh_token: first });
    expect(reused.data.session).toBeNull();
    expect(reused.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
    // The stolen family is dead: even the newest token no longer works once the interval has passed.
    const live = await sql<{ n: number }>(
      `select count(*)::int as n from auth.refresh_tokens where token = any($1) and not revoked`,
      [[first, second, third]],
    );
    expect(live[0]!.n).toBe(0);
    await sql(`update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = $1`, [third]);
    const newest = await anonClient().auth.refreshSession({ refresh_token: third });
    expect(newest.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
  });

  it('gives the current token back to a client that retries with the previous one (lost response)', async () => {
    const client = await signIn(HELEN);
    const first = (await client.auth.getSession()).data.session!.refresh_token;
    const second = (await client.auth.refreshSession()).data.session!.refresh_token;
    await sql(`update auth.refresh_tokens set updated_at = now() - interval '1 hour' where token = $1`, [first]);
    const retried = await anonClient().auth.refreshSession({ refresh_token: first });
    expect(retried.error).toBeNull();
    expect(retried.data.session!.refresh_token).toBe(second);
  });

  it('parallel refreshes with one token (several tabs) all get the same new token', async () => {
    const client = await signIn(HELEN);
    const token = (await client.auth.getSession()).data.session!.refresh_token;
    const results = await Promise.all(
      Array.from({ length: 5 }, () => anonClient().auth.refreshSession({ refresh_token: token })),
    );
    for (const r of results) expect(r.error).toBeNull();
    const issued = new Set(results.map((r) => r.data.session!.refresh_token));
    expect(issued.size).toBe(1);
    expect(issued.has(token)).toBe(false);
    const [{ n }] = (await sql<{ n: number }>(`select count(*)::int as n from auth.refresh_tokens where parent = $1`, [
      token,
    ])) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('refuses a refresh token that does not exist or is malformed', async () => {
    const unknown = await anonClient().auth.refreshSession({ refresh_token: 'abcdefghijkl' });
    expect(unknown.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
    const malformed = await anonClient().auth.refreshSession({ refresh_token: 'short' });
    expect(malformed.error).toMatchObject({ status: 400, code: 'validation_failed' });
  });
});

describe('the signed-in user', () => {
  it('getUser returns the user of the access token', async () => {
    const client = await signIn(HELEN);
    const { data, error } = await client.auth.getUser();
    expect(error).toBeNull();
    expect(data.user!.email).toBe(HELEN);
    expect(data.user!.user_metadata).toMatchObject({ first_name: 'Helen', last_name: 'Hughes' });
  });

  it('refuses a tampered access token with 403 bad_jwt', async () => {
    const client = await signIn(HELEN);
    const token = (await client.auth.getSession()).data.session!.access_token;
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: '10000000-0000-4000-8000-000000000002' })).toString('base64url')}.${s}`;
    const { error } = await anonClient().auth.getUser(forged);
    expect(error).toMatchObject({ status: 403, code: 'bad_jwt' });
    const wrongKey = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
    expect((await anonClient().auth.getUser(wrongKey)).error).toMatchObject({ status: 403, code: 'bad_jwt' });
    // The anon key is a valid JWT but names nobody.
    expect((await anonClient().auth.getUser(env.anonKey)).error).toMatchObject({ status: 403, code: 'bad_jwt' });
  });

  it('updateUser merges metadata (null deletes a key) and changes the password', async () => {
    const email = freshEmail('update');
    await createUser(email, 'first-pass-1', { first_name: 'Uma', nickname: 'U' });
    const client = await signIn(email, 'first-pass-1');
    const { data, error } = await client.auth.updateUser({ data: { last_name: 'Upton', nickname: null } });
    expect(error).toBeNull();
    expect(data.user!.user_metadata).toMatchObject({ first_name: 'Uma', last_name: 'Upton' });
    expect(data.user!.user_metadata).not.toHaveProperty('nickname');

    const same = await client.auth.updateUser({ password: 'first-pass-1' });
    expect(same.error).toMatchObject({ status: 422, code: 'same_password' });
    const weak = await client.auth.updateUser({ password: '123' });
    expect(weak.error).toMatchObject({ status: 422, code: 'weak_password', reasons: ['length'] });
    const appMeta = await authFetch('/user', {
      method: 'PUT',
      token: (await client.auth.getSession()).data.session!.access_token,
      body: JSON.stringify({ app_metadata: { role: 'admin' } }),
    });
    expect(appMeta.status).toBe(403);
    expect(await appMeta.json()).toMatchObject({ code: 'not_admin' });

    const other = await signIn(email, 'first-pass-1');
    expect((await client.auth.updateUser({ password: 'second-pass-2' })).error).toBeNull();
    expect((await anonClient().auth.signInWithPassword({ email, password: 'first-pass-1' })).error?.code).toBe(
      'invalid_credentials',
    );
    expect((await anonClient().auth.signInWithPassword({ email, password: 'second-pass-2' })).error).toBeNull();
    // A new password signs out the user's other sessions, not this one.
    expect((await other.auth.refreshSession()).error).toMatchObject({ code: 'refresh_token_not_found' });
    expect((await client.auth.getUser()).error).toBeNull();
  });
});

describe('sign-out', () => {
  it('signOut revokes the session: a refresh afterwards fails and the access token is refused', async () => {
    const client = await signIn(HELEN);
    const session = (await client.auth.getSession()).data.session!;
    const other = await signIn(HELEN);
    expect((await client.auth.signOut()).error).toBeNull();

    const refresh = await anonClient().auth.refreshSession({ refresh_token: session.refresh_token });
    expect(refresh.data.session).toBeNull();
    expect(refresh.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
    const user = await anonClient().auth.getUser(session.access_token);
    expect(user.error?.name).toBe('AuthSessionMissingError');
    // The default scope is global: the other device is signed out as well.
    expect((await other.auth.refreshSession()).error).toMatchObject({ code: 'refresh_token_not_found' });
  });

  it("scope 'local' ends only this session and 'others' every other one", async () => {
    const a = await signIn(HELEN);
    const b = await signIn(HELEN);
    const c = await signIn(HELEN);
    expect((await a.auth.signOut({ scope: 'local' })).error).toBeNull();
    expect((await b.auth.refreshSession()).error).toBeNull();
    expect((await b.auth.signOut({ scope: 'others' })).error).toBeNull();
    expect((await c.auth.refreshSession()).error).toMatchObject({ code: 'refresh_token_not_found' });
    expect((await b.auth.refreshSession()).error).toBeNull();
  });
});

describe('the JWT at PostgREST', () => {
  it('PostgREST accepts the access token and refuses a tampered one', async () => {
    const client = await signIn(HELEN);
    const token = (await client.auth.getSession()).data.session!.access_token;
    const call = (t: string) =>
      fetch(`${env.restUrl}/`, { headers: { apikey: env.anonKey, Authorization: `Bearer ${t}` } });
    expect((await call(token)).status).toBe(200);
    const tampered = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await call(tampered)).status).toBe(401);
  });

  it('row-level security sees auth.uid() as the signed-in user', async () => {
    const client = await signIn(SAM);
    const me = (await client.auth.getUser()).data.user!;
    // A seeker belongs to no organisation: the only profile they may read is their own.
    const { data, error } = await client.from('profiles').select('id');
    expect(error).toBeNull();
    expect(data).toEqual([{ id: me.id }]);
    const { data: anonRows } = await anonClient().from('profiles').select('id');
    expect(anonRows ?? []).toEqual([]);
  });
});

describe('error shapes', () => {
  it('sends the 2024-01-01 shape with the version header, and the legacy shape without it', async () => {
    const body = JSON.stringify({ email: HELEN, password: 'wrong-password' });
    const modern = await authFetch('/token?grant_type=password', { method: 'POST', body });
    expect(modern.status).toBe(400);
    expect(modern.headers.get('x-supabase-api-version')).toBe('2024-01-01');
    expect(modern.headers.get('x-sb-error-code')).toBe('invalid_credentials');
    expect(await modern.json()).toEqual({ code: 'invalid_credentials', message: 'Invalid login credentials' });

    const legacy = await authFetch('/token?grant_type=password', { method: 'POST', body, apiVersion: null });
    expect(legacy.status).toBe(400);
    expect(legacy.headers.get('x-supabase-api-version')).toBeNull();
    expect(await legacy.json()).toEqual({
      code: 400,
      error_code: 'invalid_credentials',
      msg: 'Invalid login credentials',
    });
  });

  it('answers a malformed body with 400 bad_json, never a 500', async () => {
    for (const [path, body] of [
      ['/token?grant_type=password', '{"email": '],
      ['/token?grant_type=refresh_token', 'not json'],
      ['/signup', '[1,2]'],
      ['/otp', ''],
      ['/verify', '{"type": 5}'],
      ['/recover', '"just a string"'],
    ] as const) {
      const res = await authFetch(path, { method: 'POST', body });
      expect(res.status, path).toBe(400);
      const json = await res.json();
      expect(json.code, path).toBe('bad_json');
      expect(json.message, path).toMatch(/^Could not parse request body as JSON/);
    }
  });

  it('refuses an unsupported grant type and a refresh without a token', async () => {
    const grant = await authFetch('/token?grant_type=magic', { method: 'POST', body: '{}' });
    expect(grant.status).toBe(400);
    expect(await grant.json()).toMatchObject({ code: 'invalid_credentials', message: 'unsupported_grant_type' });
    const missing = await authFetch('/token?grant_type=refresh_token', { method: 'POST', body: '{}' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'invalid_request', error_description: 'refresh_token required' });
  });
});
