/**
 * The HTTP transports of send-notifications (the hosted path: Supabase blocks
 * outbound SMTP), run under Deno exactly as the function imports them, against
 * a local HTTP server that speaks a Resend-compatible email API and an SMS
 * API: the Idempotency-Key header, the JSON body, and which failures are
 * retried (429, 5xx) and which are final (other 4xx).
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../stack/config.ts';

interface Seen {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

let server: http.Server;
let url = '';
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      const to = String((body.to as string[] | string | undefined) ?? '');
      res.setHeader('content-type', 'application/json');
      if (req.url === '/sms') return res.end(JSON.stringify({ sid: 'SM123' }));
      if (to.includes('bad@')) return res.writeHead(422).end(JSON.stringify({ message: 'invalid to' }));
      if (to.includes('busy@')) return res.writeHead(429).end(JSON.stringify({ message: 'slow down' }));
      if (to.includes('down@')) return res.writeHead(503).end('unavailable');
      res.end(JSON.stringify({ id: `re_${seen.length}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

async function probe(env: Record<string, string>): Promise<Record<string, unknown>[]> {
  const { stdout } = await promisify(execFile)(
    join(ROOT, 'node_modules', 'deno', 'deno'),
    [
      'run',
      '--allow-all',
      '--no-prompt',
      '--node-modules-dir=manual',
      '--no-lock',
      '--quiet',
      join(ROOT, 'tests/notifications/deno/transports-probe.ts'),
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DENO_NO_UPDATE_CHECK: '1', ...env },
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>[];
}

describe('hosted transports (HTTP email API, SMS API)', () => {
  it('send through the email API with the idempotency key, and tell final failures from retryable ones', async () => {
    seen.length = 0;
    const out = await probe({
      EMAIL_API_KEY: 'test-key',
      EMAIL_API_URL: `${url}/emails`,
      NOTIFICATIONS_FROM: 'Referrals <notify@example.org>',
      SMTP_HOST: '127.0.0.1', // ignored: the API key wins
      PROBE_TO: 'rita@example.org,bad@example.org,busy@example.org,down@example.org',
    });
    expect(out[0]).toEqual({ transport: 'http', sms: null });
    expect(out[1]).toEqual({ to: 'rita@example.org', ok: true, id: 're_1' });
    expect(out[2]).toMatchObject({ to: 'bad@example.org', ok: false, permanent: true });
    expect(out[3]).toMatchObject({ to: 'busy@example.org', ok: false, permanent: false });
    expect(out[4]).toMatchObject({ to: 'down@example.org', ok: false, permanent: false });
    expect(out[5]).toEqual({ sms: 'not sent: no SMS provider' });

    const first = seen[0]!;
    expect(first.path).toBe('/emails');
    expect(first.headers.authorization).toBe('Bearer test-key');
    expect(first.headers['idempotency-key']).toBe('notification-rita@example.org');
    expect(first.body).toEqual({
      from: 'Referrals <notify@example.org>',
      to: ['rita@example.org'],
      subject: 'Probe',
      text: 'plain',
      html: '<p>html</p>',
      headers: { 'X-Idempotency-Key': 'notification-rita@example.org', 'Content-Language': 'es' },
    });
  }, 60_000);

  it('use an SMS provider when one is configured', async () => {
    seen.length = 0;
    const out = await probe({ SMS_API_URL: `${url}/sms`, SMS_API_KEY: 'sms-key', SMS_FROM: '+15125550100' });
    expect(out[0]).toEqual({ transport: null, sms: 'http' });
    expect(out.at(-1)).toEqual({ sms: 'SM123' });
    expect(seen[0]!.headers['idempotency-key']).toBe('notification-sms');
    expect(seen[0]!.body).toEqual({ from: '+15125550100', to: '+15125550142', body: 'hello' });
  }, 60_000);
});
