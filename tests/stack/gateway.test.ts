/**
 * The gateway and the runtime behave as Supabase's do for the clients:
 * apikey checks, JWT checks by PostgREST and the functions runtime, CORS
 * for the app's origin, 404s, and the mail catcher receiving SMTP.
 */
import { createClient } from '@supabase/supabase-js';
import { SignJWT } from 'jose';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { anonClient, env, mail, serviceClient } from '../support/stack.ts';

const secret = new TextEncoder().encode(env.jwtSecret);
const sign = (claims: Record<string, unknown>, key = secret, exp = '1h') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt().setExpirationTime(exp).sign(key);

describe('gateway: API keys', () => {
  it('refuses a request without apikey with 401 and a JSON message', async () => {
    const res = await fetch(`${env.restUrl}/`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: 'No API key found in request' });
  });

  it('refuses an unknown apikey', async () => {
    const res = await fetch(`${env.restUrl}/`, { headers: { apikey: 'not-a-key' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: 'Invalid API key' });
  });

  it('lets anon call PostgREST with the anon key (as header or query parameter)', async () => {
    expect((await fetch(`${env.restUrl}/`, { headers: { apikey: env.anonKey } })).status).toBe(200);
    expect((await fetch(`${env.restUrl}/?apikey=${env.anonKey}`)).status).toBe(200);
    // Through supabase-js: PostgREST answers anon itself (here: RLS/grants say no
    // personal data), rather than the gateway refusing the key.
    const { data, error, status } = await anonClient().from('referrals').select('id');
    expect(status === 200 ? data : error?.code).toEqual(status === 200 ? [] : '42501');
  });

  it('answers an unknown route with 404', async () => {
    const res = await fetch(`${env.apiUrl}/nowhere/v1/x`, { headers: { apikey: env.anonKey } });
    expect(res.status).toBe(404);
  });
});

describe('PostgREST behind the gateway: JWTs', () => {
  const withToken = (token: string) =>
    fetch(`${env.restUrl}/programs?select=id&limit=1`, {
      headers: { apikey: env.anonKey, Authorization: `Bearer ${token}` },
    });

  it('accepts a valid JWT', async () => {
    const res = await withToken(await sign({ role: 'authenticated', sub: crypto.randomUUID() }));
    expect(res.status).toBe(200);
  });

  it('refuses an expired JWT with 401', async () => {
    const token = await new SignJWT({ role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(secret);
    const res = await withToken(token);
    expect(res.status).toBe(401);
    expect((await res.json()).code).toMatch(/^PGRST30/);
  });

  it('refuses a JWT signed with another secret with 401', async () => {
    const other = new TextEncoder().encode('another-secret-that-is-at-least-32-characters');
    const res = await withToken(await sign({ role: 'authenticated' }, other));
    expect(res.status).toBe(401);
  });

  it('refuses a malformed token with 401', async () => {
    const res = await withToken('this.is-not.a-jwt');
    expect(res.status).toBe(401);
  });
});

describe('gateway: CORS', () => {
  it('answers the preflight from the app origin', async () => {
    const res = await fetch(`${env.restUrl}/referrals`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://127.0.0.1:5173',
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'apikey, authorization, content-type, prefer, x-client-info',
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('sends exactly one allow-origin header and exposes Content-Range on proxied responses', async () => {
    const res = await fetch(`${env.restUrl}/programs?select=id`, {
      headers: { apikey: env.anonKey, Origin: 'http://127.0.0.1:5173', Prefer: 'count=exact' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toContain('Content-Range');
  });
});

describe('edge functions', () => {
  it('answers 404 for an unknown function', async () => {
    const res = await fetch(`${env.functionsUrl}/no-such-function`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${env.anonKey}` },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('runs a real function through supabase.functions.invoke with the caller JWT checked', async () => {
    const { data, error } = await anonClient().functions.invoke('hello', { body: { name: 'Ana' } });
    expect(error).toBeNull();
    expect(data).toMatchObject({ message: 'Hello Ana', role: 'anon' });

    const { data: asService } = await serviceClient().functions.invoke('hello', { body: {} });
    expect(asService).toMatchObject({ role: 'service_role' });
  });

  it('refuses a call without a JWT, or with a forged one, with 401', async () => {
    const none = await fetch(`${env.functionsUrl}/hello`, { method: 'POST' });
    expect(none.status).toBe(401);
    const other = new TextEncoder().encode('another-secret-that-is-at-least-32-characters');
    const forged = createClient(env.apiUrl, env.anonKey, {
      global: { headers: { Authorization: `Bearer ${await sign({ role: 'service_role' }, other)}` } },
      auth: { persistSession: false },
      realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
    });
    const { error } = await forged.functions.invoke('hello', { body: {} });
    expect(error).not.toBeNull();
    expect((error as { context?: Response }).context?.status).toBe(401);
  });
});

describe('mail catcher', () => {
  it('receives a message sent to its SMTP port and lists it in its JSON API', async () => {
    await mail.clear();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: env.ports.smtp, secure: false });
    const subject = `Stack check ${Date.now()}`;
    await transport.sendMail({ from: 'stack@example.org', to: 'someone@example.org', subject, text: 'hello' });
    const m = await mail.waitFor((x) => x.subject === subject);
    expect(m.to[0]?.address).toBe('someone@example.org');
    expect(m.text.trim()).toBe('hello');
  });
});
