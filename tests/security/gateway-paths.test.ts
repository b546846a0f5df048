/**
 * Abuse tests of the gateway's routing, written as the attacker: raw HTTP
 * request lines (node:http sends the path as given; fetch and URL would
 * resolve the dot segments themselves) that try to reach a keyed route
 * through an open one, or another service through a prefix. The gateway
 * decides on the normalised path (as Kong's router does), so every variant
 * either meets the key check of the route it really names (401) or, when it
 * does not normalise cleanly, is refused with 400. The honest paths still work.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { env, sql } from '../support/stack.ts';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with the path exactly as written, through the gateway. */
function raw(
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: env.ports.api,
        method,
        path,
        headers: {
          ...(opts.body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(opts.body) } : {}),
          ...opts.headers,
        },
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const json = (r: RawResponse) => JSON.parse(r.body) as Record<string, unknown>;
const emails: string[] = [];
const freshEmail = (tag: string) => {
  const e = `path-${tag}-${randomUUID().slice(0, 8)}@attacker.example`;
  emails.push(e);
  return e;
};
const userExists = async (email: string) =>
  (await sql<{ n: number }>('select count(*)::int as n from auth.users where email = $1', [email]))[0]!.n > 0;

afterAll(async () => {
  await sql('delete from auth.users where email = any($1)', [emails]);
});

describe('signing up without an API key through the open /verify route', () => {
  // Each resolves to /auth/v1/signup, which needs the key.
  const dotted = [
    '/auth/v1/verify/../signup',
    '/auth/v1/verify/%2e%2e/signup',
    '/auth/v1/verify/%2E%2E/signup',
    '/auth/v1/verify/.%2e/signup',
    '/auth/v1/verify/./../signup',
    '/auth/v1/callback/../signup',
    '/auth/v1//verify/../signup',
    '//auth/v1/verify/../signup',
    '/auth/v1/verify/../signup?redirect_to=x',
  ];
  for (const path of dotted) {
    it(`${path}: meets the key check of /auth/v1/signup (401) and creates no account`, async () => {
      const email = freshEmail('dot');
      const res = await raw('POST', path, { body: JSON.stringify({ email, password: 'password123' }) });
      expect(res.status).toBe(401);
      expect(json(res)).toEqual({
        message: 'No API key found in request',
        hint: 'No `apikey` request header or url param was found.',
      });
      expect(await userExists(email)).toBe(false);
    });
  }

  // These do not normalise cleanly: refused before any routing.
  const unclean = [
    '/auth/v1/verify%2f..%2fsignup',
    '/auth/v1/verify%2F..%2Fsignup',
    '/auth/v1/verify/..%2fsignup',
    '/auth/v1/verify\\..\\signup',
    '/auth/v1/verify/..\\signup',
    '/auth/v1/verify%5c..%5csignup',
    '/auth/v1/verify/%2e%2e%5csignup',
    '/auth/v1/verify/%zz/../signup',
    '/auth/v1/verify/%00/../signup',
  ];
  for (const path of unclean) {
    it(`${JSON.stringify(path)}: refused with 400, no account`, async () => {
      const email = freshEmail('enc');
      const res = await raw('POST', path, { body: JSON.stringify({ email, password: 'password123' }) });
      expect(res.status).toBe(400);
      expect(json(res)).toEqual({ message: 'Bad request' });
      expect(await userExists(email)).toBe(false);
    });
  }
});

describe('dot segments that leave the service their path names', () => {
  const escapes: [string, string][] = [
    ['POST', '/functions/v1/../auth/v1/signup'], // functions need no apikey at the gateway
    ['POST', '/functions/v1/hello/%2e%2e/%2e%2e/../auth/v1/signup'],
    ['POST', '/rest/v1/../auth/v1/signup'],
    ['POST', '/nowhere/../auth/v1/signup'],
    ['GET', '/auth/v1/verify/../../../rest/v1/referrals'],
    ['GET', '/auth/v1/../../etc/passwd'],
    ['GET', '/auth/v1/..'],
  ];
  for (const [method, path] of escapes) {
    it(`${method} ${path}: refused with 400`, async () => {
      const email = freshEmail('svc');
      const res = await raw(method, path, {
        body: method === 'POST' ? JSON.stringify({ email, password: 'password123' }) : undefined,
      });
      expect(res.status).toBe(400);
      expect(json(res)).toEqual({ message: 'Bad request' });
      expect(await userExists(email)).toBe(false);
    });
  }

  it('reading the admin API through an open route still needs the key', async () => {
    const res = await raw('GET', '/auth/v1/verify/../admin/users');
    expect(res.status).toBe(401);
    const withAnon = await raw('GET', '/auth/v1/.well-known/../admin/users', { headers: { apikey: env.anonKey } });
    // With the anon key it is the auth service that answers: not an admin.
    expect(withAnon.status).toBe(403);
  });

  it('a WebSocket upgrade through a dot segment meets the Realtime key check', async () => {
    const res = await raw('GET', '/realtime/v1/x/../websocket?vsn=2.0.0', {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': Buffer.from(randomUUID().slice(0, 16)).toString('base64'),
      },
    });
    expect(res.status).toBe(401);
    const bad = await raw('GET', '/realtime/v1/%2e%2e/rest/v1/websocket?apikey=' + env.anonKey, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'AAAAAAAAAAAAAAAAAAAAAA==',
      },
    });
    expect(bad.status).toBe(400);
  });
});

describe('the honest paths', () => {
  it('with the key, sign-up and sign-in reach Auth, and normalised spellings of a keyed route keep working', async () => {
    // Self sign-up is off: Auth itself (past the gateway's key check) refuses it.
    const email = freshEmail('honest');
    const res = await raw('POST', '/auth/v1/signup', {
      headers: { apikey: env.anonKey },
      body: JSON.stringify({ email, password: 'password123' }),
    });
    expect(res.status).toBe(422);
    expect(json(res)).toMatchObject({ error_code: 'signup_disabled' });
    expect(await userExists(email)).toBe(false);
    for (const path of ['/auth/v1/token?grant_type=password', '/auth/v1/./token?grant_type=password']) {
      const signIn = await raw('POST', path, {
        headers: { apikey: env.anonKey },
        body: JSON.stringify({ email: 'helen@eastside.example', password: env.password }),
      });
      expect(signIn.status, path).toBe(200);
      expect(json(signIn)).toHaveProperty('access_token');
    }

    // zip_centroids is readable by anon.
    const dotted = await raw('GET', '/rest/v1/./zip_centroids?select=zip&limit=1', {
      headers: { apikey: env.anonKey },
    });
    expect(dotted.status).toBe(200);
    expect(JSON.parse(dotted.body)).toHaveLength(1);
    const unreserved = await raw('GET', '/rest/v1/%7Aip_centroids?select=zip&limit=1', {
      headers: { apikey: env.anonKey },
    });
    expect(unreserved.status).toBe(200);
    expect(JSON.parse(unreserved.body)).toEqual(JSON.parse(dotted.body));
  });

  it('the open auth routes answer without a key (the auth service, not the gateway, decides)', async () => {
    const jwks = await raw('GET', '/auth/v1/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(json(jwks)).toHaveProperty('keys');
    const verify = await raw('GET', '/auth/v1/verify?type=signup&token=not-a-token');
    expect(verify.status).not.toBe(401);
    expect(verify.status).toBeLessThan(500);
  });

  it('encoded characters in the query string are left alone', async () => {
    const res = await raw('GET', '/rest/v1/zip_centroids?select=zip&zip=eq.a%2Fb%5C..%2f', {
      headers: { apikey: env.anonKey },
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual([]);
  });

  it('an escape that normalises but is not UTF-8 gets a 4xx from the service, not a crash', async () => {
    const res = await raw('POST', '/realtime/v1/api/broadcast/%E0%A4/events/x', {
      headers: { apikey: env.anonKey },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(json(res)).toEqual({ message: 'Malformed topic or event in the path' });
  });

  it('an unknown route is still 404 in Kong’s shape', async () => {
    const res = await raw('GET', '/nowhere/v1/x', { headers: { apikey: env.anonKey } });
    expect(res.status).toBe(404);
    expect(json(res)).toEqual({ message: 'no Route matched with those values' });
  });
});
