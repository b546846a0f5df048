/**
 * The admin API (auth.admin in supabase-js), used with the service role key
 * by admins' tooling: create, list (with GoTrue's pagination headers), get,
 * update, delete and generateLink. Refused with the anon key and with a
 * signed-in user's token.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { anonClient, env, resetDb, serviceClient, signIn, sql } from '../support/stack.ts';
import { authFetch, follow, fragment, freshEmail } from './helpers.ts';

beforeAll(async () => {
  await resetDb();
});

describe('auth.admin with the service role key', () => {
  it('createUser makes a confirmed user who can sign in; a second one with the same email is refused', async () => {
    const admin = serviceClient();
    const email = freshEmail('created');
    const { data, error } = await admin.auth.admin.createUser({
      email,
      password: 'created-pass-1',
      email_confirm: true,
      user_metadata: { first_name: 'Cora' },
      app_metadata: { team: 'east' },
    });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({
      email,
      aud: 'authenticated',
      role: 'authenticated',
      app_metadata: { provider: 'email', providers: ['email'], team: 'east' },
      user_metadata: { first_name: 'Cora' },
    });
    expect(data.user!.email_confirmed_at).toBeTruthy();
    expect(data.user!.identities).toHaveLength(1);
    const signedIn = await anonClient().auth.signInWithPassword({ email, password: 'created-pass-1' });
    expect(signedIn.error).toBeNull();
    // Stored as GoTrue stores it: bcrypt $2a$, cost 10, readable by pgcrypto too.
    const [stored] = await sql<{ prefix: string; ok: boolean }>(
      `select left(encrypted_password, 7) as prefix,
              encrypted_password = extensions.crypt('created-pass-1', encrypted_password) as ok
         from auth.users where email = $1`,
      [email],
    );
    expect(stored).toEqual({ prefix: '$2a$10$', ok: true });

    const again = await admin.auth.admin.createUser({ email, password: 'other-pass-1' });
    expect(again.error).toMatchObject({ status: 422, code: 'email_exists' });
  });

  it('listUsers pages through users newest first, with X-Total-Count and Link headers', async () => {
    const admin = serviceClient();
    for (let i = 0; i < 3; i++) {
      expect(
        (await admin.auth.admin.createUser({ email: freshEmail(`list${i}`), email_confirm: true })).error,
      ).toBeNull();
    }
    const [{ n }] = (await sql<{ n: number }>(`select count(*)::int as n from auth.users`)) as [{ n: number }];
    const { data, error } = await admin.auth.admin.listUsers({ page: 1, perPage: 2 });
    expect(error).toBeNull();
    expect(data.users).toHaveLength(2);
    expect(data).toMatchObject({ total: n, nextPage: 2, lastPage: Math.ceil(n / 2) });
    expect(Date.parse(data.users[0]!.created_at)).toBeGreaterThanOrEqual(Date.parse(data.users[1]!.created_at));

    const res = await authFetch('/admin/users?page=2&per_page=2', { token: env.serviceRoleKey });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-total-count')).toBe(String(n));
    expect(res.headers.get('link')).toBe(
      `</admin/users?page=3&per_page=2>; rel="next", </admin/users?page=${Math.ceil(n / 2)}&per_page=2>; rel="last"`,
    );
    const body = await res.json();
    expect(body.aud).toBe('authenticated');
    const page2 = await admin.auth.admin.listUsers({ page: 2, perPage: 2 });
    expect(body.users.map((u: { id: string }) => u.id)).toEqual(page2.data.users.map((u) => u.id));
    expect(data.users.map((u) => u.id)).not.toContain(body.users[0].id);

    const bad = await authFetch('/admin/users?page=two', { token: env.serviceRoleKey });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'validation_failed' });
  });

  it('getUserById, updateUserById and deleteUser', async () => {
    const admin = serviceClient();
    const email = freshEmail('managed');
    const created = (
      await admin.auth.admin.createUser({
        email,
        password: 'managed-pass-1',
        email_confirm: true,
        user_metadata: { a: 1, b: 2 },
      })
    ).data.user!;
    const client = await signIn(email, 'managed-pass-1');

    const got = await admin.auth.admin.getUserById(created.id);
    expect(got.error).toBeNull();
    expect(got.data.user!.email).toBe(email);

    const updated = await admin.auth.admin.updateUserById(created.id, {
      user_metadata: { b: null, c: 3 },
      app_metadata: { role_hint: 'worker' },
      password: 'managed-pass-2',
    });
    expect(updated.error).toBeNull();
    expect(updated.data.user!.user_metadata).toEqual({ a: 1, c: 3, email_verified: true });
    expect(updated.data.user!.app_metadata).toMatchObject({ provider: 'email', role_hint: 'worker' });
    // A password set by an admin signs the user out everywhere.
    expect((await client.auth.refreshSession()).error).toMatchObject({ code: 'refresh_token_not_found' });
    expect((await anonClient().auth.signInWithPassword({ email, password: 'managed-pass-2' })).error).toBeNull();

    const banned = await admin.auth.admin.updateUserById(created.id, { ban_duration: '24h' });
    expect(banned.data.user!.banned_until).toBeTruthy();
    expect((await anonClient().auth.signInWithPassword({ email, password: 'managed-pass-2' })).error).toMatchObject({
      code: 'user_banned',
    });
    await admin.auth.admin.updateUserById(created.id, { ban_duration: 'none' });

    const deleted = await admin.auth.admin.deleteUser(created.id);
    expect(deleted.error).toBeNull();
    expect(deleted.data.user!.id).toBe(created.id);
    expect(await sql('select id from auth.users where id = $1', [created.id])).toEqual([]);
    expect(await sql('select id from auth.identities where user_id = $1', [created.id])).toEqual([]);
    const gone = await admin.auth.admin.getUserById(created.id);
    expect(gone.error).toMatchObject({ status: 404, code: 'user_not_found' });
  });

  it('generateLink gives a working magic link and code without sending email', async () => {
    const admin = serviceClient();
    const email = freshEmail('generated');
    await admin.auth.admin.createUser({ email, email_confirm: true });
    const { data, error } = await admin.auth.admin.generateLink({
      type: 'magiclink',
      email,
      options: { redirectTo: `${env.appUrl}/welcome` },
    });
    expect(error).toBeNull();
    expect(data.user!.email).toBe(email);
    expect(data.properties).toMatchObject({ verification_type: 'magiclink', redirect_to: `${env.appUrl}/welcome` });
    expect(data.properties!.hashed_token).toMatch(/^[0-9a-f]{56}$/);
    expect(data.properties!.email_otp).toMatch(/^\d{6}$/);

    const { location } = await follow(data.properties!.action_link);
    expect(location.pathname).toBe('/welcome');
    expect(fragment(location).get('access_token')).toBeTruthy();

    const recovery = await admin.auth.admin.generateLink({ type: 'recovery', email });
    const verified = await anonClient().auth.verifyOtp({
      token_hash: recovery.data.properties!.hashed_token,
      type: 'recovery',
    });
    expect(verified.error).toBeNull();
    expect(verified.data.user!.email).toBe(email);

    const unknown = await admin.auth.admin.generateLink({ type: 'recovery', email: freshEmail('nobody') });
    expect(unknown.error).toMatchObject({ status: 404, code: 'user_not_found' });
    // A magic link for an unknown address signs the person up.
    const newcomer = freshEmail('newcomer');
    const signup = await admin.auth.admin.generateLink({ type: 'magiclink', email: newcomer });
    expect(signup.error).toBeNull();
    expect(signup.data.properties!.verification_type).toBe('signup');
    expect((await follow(signup.data.properties!.action_link)).location.hash).toContain('access_token=');
  });
});

describe('the admin API refuses anyone but the service role', () => {
  it('with the anon key: 403 not_admin', async () => {
    const anon = anonClient();
    const list = await anon.auth.admin.listUsers();
    expect(list.error).toMatchObject({ status: 403, code: 'not_admin' });
    const create = await anon.auth.admin.createUser({ email: freshEmail('sneaky'), password: 'sneaky-pass-1' });
    expect(create.error).toMatchObject({ status: 403, code: 'not_admin' });
    const link = await anon.auth.admin.generateLink({ type: 'magiclink', email: 'helen@eastside.example' });
    expect(link.error).toMatchObject({ status: 403, code: 'not_admin' });
  });

  it("with a signed-in user's JWT: 403 not_admin", async () => {
    const helen = await signIn('helen@eastside.example');
    const token = (await helen.auth.getSession()).data.session!.access_token;
    for (const [method, path, body] of [
      ['GET', '/admin/users', undefined],
      ['POST', '/admin/users', JSON.stringify({ email: freshEmail('x'), password: 'whatever-1' })],
      ['GET', '/admin/users/10000000-0000-4000-8000-000000000002', undefined],
      ['PUT', '/admin/users/10000000-0000-4000-8000-000000000001', JSON.stringify({ role: 'service_role' })],
      ['DELETE', '/admin/users/10000000-0000-4000-8000-000000000002', '{}'],
      ['POST', '/admin/generate_link', JSON.stringify({ type: 'magiclink', email: 'henry@eastside.example' })],
    ] as const) {
      const res = await authFetch(path, { method, token, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect((await res.json()).code).toBe('not_admin');
    }
    const rows = await sql<{ role: string }>(`select role from auth.users where email = 'helen@eastside.example'`);
    expect(rows[0]!.role).toBe('authenticated');
  });

  it('without a bearer token: 401 no_authorization', async () => {
    const res = await fetch(`${env.authUrl}/admin/users`, {
      headers: { apikey: env.anonKey, Authorization: 'Basic abc', 'X-Supabase-Api-Version': '2024-01-01' },
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'no_authorization' });
  });
});

describe('service endpoints', () => {
  it('GET /health and GET /settings', async () => {
    const health = await authFetch('/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ name: 'GoTrue' });
    const settings = await authFetch('/settings');
    expect(await settings.json()).toMatchObject({
      external: { email: true, phone: true, google: false }, // [auth.sms] enable_signup = true: phone sign-in
      disable_signup: true, // config.toml: enable_signup = false
      mailer_autoconfirm: true,
      phone_autoconfirm: true,
    });
  });
});
