/**
 * Whatever a client sends, the Auth service answers with a 4xx and a JSON
 * message, never a 500: wrong JSON types, odd characters, huge values, and
 * malformed query strings on every endpoint.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { env, resetDb, signIn } from '../support/stack.ts';
import { authFetch, freshEmail } from './helpers.ts';

let userToken: string;

beforeAll(async () => {
  await resetDb();
  const client = await signIn('helen@eastside.example');
  userToken = (await client.auth.getSession()).data.session!.access_token;
});

const long = 'x'.repeat(20_000);
const bodies = [
  '',
  'null',
  '{}',
  '[]',
  '"text"',
  '42',
  '{"email": 1, "password": true}',
  '{"email": "a@b.example", "password": ["x"]}',
  '{"email": "a@b.example", "password": "pass-word-1", "data": "not an object"}',
  '{"email": "a@b.example", "password": "pass-word-1", "data": {"name": "\\u0000"}}',
  `{"email": "${long}@example.com", "password": "pass-word-1"}`,
  `{"email": "long@pw.example", "password": "${long}"}`,
  '{"email": "not an email", "password": "pass-word-1"}',
  '{"email": "a@b.example", "code_challenge": "short", "code_challenge_method": "s256"}',
  '{"email": "a@b.example", "code_challenge": "' + 'a'.repeat(50) + '", "code_challenge_method": "md5"}',
  '{"refresh_token": "\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"}',
  '{"auth_code": "not-a-uuid", "code_verifier": "v"}',
  '{"type": "signup", "token_hash": "\\u0000"}',
  '{"type": "nonsense", "token": "123456", "email": "a@b.example"}',
  '{"type": "email", "token": "123456", "email": "a@b.example", "token_hash": "abc"}',
  '{"type": "magiclink", "token_hash": "abc", "redirect_to": "https://evil.example"}',
  '{"email": "a@b.example", "create_user": "yes"}',
  '{"ban_duration": "99999999999999h"}',
  '{"ban_duration": "forever"}',
  '{"email": "a@b.example", "user_metadata": [1], "app_metadata": 3}',
  '{"type": "signup", "email": "a@b.example"}',
  '{"type": "email_change_new", "email": "helen@eastside.example", "new_email": "not-an-email"}',
];

const endpoints: { method: string; path: string; token?: () => string }[] = [
  { method: 'POST', path: '/signup' },
  { method: 'POST', path: '/token?grant_type=password' },
  { method: 'POST', path: '/token?grant_type=refresh_token' },
  { method: 'POST', path: '/token?grant_type=pkce' },
  { method: 'POST', path: '/token?grant_type=' },
  { method: 'POST', path: '/otp' },
  { method: 'POST', path: '/magiclink' },
  { method: 'POST', path: '/verify' },
  { method: 'POST', path: '/recover' },
  { method: 'POST', path: '/resend' },
  { method: 'PUT', path: '/user', token: () => userToken },
  { method: 'POST', path: '/logout?scope=nowhere', token: () => userToken },
  { method: 'POST', path: '/admin/users', token: () => env.serviceRoleKey },
  { method: 'PUT', path: '/admin/users/10000000-0000-4000-8000-000000000002', token: () => env.serviceRoleKey },
  { method: 'POST', path: '/admin/generate_link', token: () => env.serviceRoleKey },
  { method: 'POST', path: '/invite', token: () => env.serviceRoleKey },
];

describe('bad input never causes a server error', () => {
  it('every endpoint answers every malformed body with a 4xx JSON error', async () => {
    const failures: string[] = [];
    for (const e of endpoints) {
      for (const body of bodies) {
        const res = await authFetch(e.path, { method: e.method, body, token: e.token?.() });
        const text = await res.text();
        const json = (() => {
          try {
            return JSON.parse(text);
          } catch {
            return undefined;
          }
        })();
        const ok = res.status >= 200 && res.status < 500 && json !== undefined;
        if (!ok) failures.push(`${e.method} ${e.path} ${body.slice(0, 60)} → ${res.status} ${text.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('odd query strings and ids get a 4xx (or, for an email link, a redirect)', async () => {
    const service = env.serviceRoleKey;
    const cases: [string, string, string | undefined][] = [
      ['GET', '/verify', undefined],
      ['GET', '/verify?type=signup', undefined],
      ['GET', '/verify?token=%00&type=signup', undefined],
      ['GET', `/verify?token=pkce_${'a'.repeat(56)}&type=email&redirect_to=%00`, undefined],
      ['GET', `/verify?token=abc&type=magiclink&redirect_to=${encodeURIComponent('javascript:alert(1)')}`, undefined],
      ['GET', '/admin/users?page=-1', service],
      ['GET', '/admin/users?per_page=99999999999999999999999', service],
      ['GET', '/admin/users?page=99999999999999999999&per_page=50', service],
      ['GET', '/admin/users?filter=%25%00', service],
      ['GET', '/admin/users/not-a-uuid', service],
      ['GET', '/admin/users/%00', service],
      ['DELETE', '/admin/users/00000000-0000-4000-8000-000000000000', service],
      ['GET', '/user', 'not.a.jwt'],
      ['GET', '/user', `${'e'.repeat(5000)}.x.y`],
      ['GET', '/nowhere', undefined],
      ['PATCH', '/user', userToken],
    ];
    const failures: string[] = [];
    for (const [method, path, token] of cases) {
      const res = await authFetch(path, { method, token, redirect: 'manual' });
      const fine = (res.status >= 400 && res.status < 500) || res.status === 303;
      if (!fine) failures.push(`${method} ${path} → ${res.status} ${(await res.text()).slice(0, 120)}`);
      if (res.status === 303) {
        const location = new URL(res.headers.get('location')!);
        expect(location.origin, path).toBe(env.appUrl);
      }
    }
    expect(failures).toEqual([]);
  });

  it('a refused body says why in its message', async () => {
    const res = await authFetch('/signup', { method: 'POST', body: `{"email": "${freshEmail('x')}", "password": 5}` });
    expect(res.status).toBe(400);
    const json = await res.json();
    expect(json.code).toBe('bad_json');
    expect(json.message).toContain('password');
  });
});
