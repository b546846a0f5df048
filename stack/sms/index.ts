/**
 * The SMS catcher: the local stack's Twilio. It answers Twilio's Messages API
 * and keeps every text in memory, so the whole flow runs offline and tests
 * read what was "sent", as the mail catcher does for email.
 *
 *   POST /2010-04-01/Accounts/{sid}/Messages.json   Twilio's create-message call
 *        (form: To, From or MessagingServiceSid, Body, StatusCallback; HTTP
 *        Basic auth with SMS_CATCHER's SID and token): 201 with the message
 *        resource (status "queued"), then status callbacks "sent" and
 *        "delivered" (or the failure set for that number), signed with
 *        X-Twilio-Signature as Twilio signs them.
 *   GET  /                 a page listing the texts, with a form to reply
 *   GET  /api/sms          [{ id, to, from, body, date, direction, status, error_code, segments, encoding }]
 *   DELETE /api/sms        forgets them all
 *   POST /api/sms/reply    { from, body }: plays a reply into the inbound
 *        webhook (SMS_INBOUND_URL, from the environment or supabase/.env; a
 *        path is on this stack's gateway), signed as Twilio signs it; the
 *        webhook's TwiML <Message> answers are kept as texts back to `from`.
 *   GET/PUT /api/sms/faults  { outage: HTTP status | null, undeliverable:
 *        { "+1…": { status: "failed" | "undelivered", error_code } } } for
 *        fault tests: an outage answers every create call with that status.
 *
 * It knows nothing of the app: which URL is the inbound webhook is the
 * project's configuration, as it is a phone number's setting at Twilio.
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import { SMS_CATCHER, projectEnv, type StackContext } from '../config.ts';
import type { RunningService } from '../service.ts';

/** A text as the catcher's JSON API lists it (`GET /api/sms`). */
export interface Text {
  id: string;
  to: string;
  from: string;
  body: string;
  date: string;
  direction: 'outbound-api' | 'outbound-reply' | 'inbound';
  status: string;
  error_code: number | null;
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
}

interface Faults {
  outage: number | null;
  undeliverable: Record<string, { status: 'failed' | 'undelivered'; error_code: number }>;
}

const MAX_TEXTS = 2000;
const E164 = /^\+[1-9][0-9]{7,14}$/;
const GSM =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXT = '\f^{}\\[~]|€';

/** Segments as Twilio reports num_segments (the provider's own count, independent of the sender's). */
export function providerSegments(body: string): { segments: number; encoding: 'GSM-7' | 'UCS-2' } {
  const chars = [...body];
  const gsm = chars.every((c) => GSM.includes(c) || GSM_EXT.includes(c));
  const sizes = chars.map((c) => (gsm ? (GSM_EXT.includes(c) ? 2 : 1) : c.length));
  const [single, per] = gsm ? [160, 153] : [70, 67];
  const total = sizes.reduce((a, b) => a + b, 0);
  let segments = 1;
  if (total > single) {
    let used = 0;
    for (const s of sizes) {
      if (used + s > per) {
        segments++;
        used = 0;
      }
      used += s;
    }
  }
  return { segments, encoding: gsm ? 'GSM-7' : 'UCS-2' };
}

/** X-Twilio-Signature: base64(HMAC-SHA1(token, url + sorted name/value pairs)). */
export function twilioSignature(token: string, url: string, params: URLSearchParams): string {
  const names = [...new Set(params.keys())].sort();
  let data = url;
  for (const n of names) for (const v of params.getAll(n)) data += n + v;
  return createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function twilioError(res: http.ServerResponse, status: number, code: number, message: string): void {
  json(res, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

function readBody(req: http.IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(texts: Text[]): string {
  const rows = texts
    .slice()
    .reverse()
    .map(
      (t) =>
        `<tr><td>${esc(t.date)}</td><td>${esc(t.direction)}</td><td>${esc(t.from)}</td><td>${esc(t.to)}</td>` +
        `<td style="white-space:pre-wrap">${esc(t.body)}</td><td>${t.segments} (${t.encoding})</td>` +
        `<td>${esc(t.status)}${t.error_code ? ` ${t.error_code}` : ''}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SMS catcher</title><style>body{font-family:system-ui,sans-serif;margin:16px}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}label{display:block;margin-top:8px}</style></head>
<body><h1>SMS catcher</h1><p>Every text the local stack sent (newest first). JSON: <code>GET /api/sms</code>.
<a href="/">Refresh</a></p>
<form id="reply"><h2>Reply as a phone</h2><label for="from">From (E.164)</label><input id="from" name="from" required value="+15125550177">
<label for="body">Message</label><input id="body" name="body" required value="STOP"> <button type="submit">Send reply</button>
<p id="result" role="status"></p></form>
<table><caption>${texts.length} texts</caption><thead><tr><th scope="col">Date</th><th scope="col">Direction</th><th scope="col">From</th>
<th scope="col">To</th><th scope="col">Body</th><th scope="col">Segments</th><th scope="col">Status</th></tr></thead><tbody>${rows}</tbody></table>
<script>document.getElementById('reply').addEventListener('submit',async(e)=>{e.preventDefault();const f=new FormData(e.target);
const r=await fetch('/api/sms/reply',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({from:f.get('from'),body:f.get('body')})});
document.getElementById('result').textContent='Webhook answered '+(await r.json()).webhook_status;setTimeout(()=>location.reload(),500)});</script>
</body></html>`;
}

export async function start(ctx: StackContext): Promise<RunningService> {
  const texts: Text[] = [];
  let faults: Faults = { outage: null, undeliverable: {} };
  const pending = new Set<Promise<unknown>>();
  const inboundSetting = projectEnv('SMS_INBOUND_URL');
  const inboundUrl = inboundSetting
    ? new URL(inboundSetting, inboundSetting.startsWith('/') ? ctx.apiUrl : undefined).toString()
    : undefined;

  const keep = (t: Text) => {
    texts.push(t);
    if (texts.length > MAX_TEXTS) texts.splice(0, texts.length - MAX_TEXTS);
  };

  const signedPost = async (url: string, params: URLSearchParams): Promise<Response> =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(SMS_CATCHER.authToken, url, params),
        'user-agent': 'TwilioProxy/1.1',
      },
      body: params.toString(),
      signal: AbortSignal.timeout(15_000),
    });

  /** Reports "sent", then "delivered" (or the number's failure), one after the other, as Twilio does. */
  const callbacks = (t: Text, url: string) => {
    const fail = faults.undeliverable[t.to];
    const steps: [string, number | null][] = [
      ['sent', null],
      fail ? [fail.status, fail.error_code] : ['delivered', null],
    ];
    const run = (async () => {
      for (const [status, code] of steps) {
        t.status = status;
        t.error_code = code;
        const params = new URLSearchParams({
          AccountSid: SMS_CATCHER.accountSid,
          ApiVersion: '2010-04-01',
          From: t.from,
          MessageSid: t.id,
          MessageStatus: status,
          SmsSid: t.id,
          SmsStatus: status,
          To: t.to,
        });
        if (code) params.set('ErrorCode', String(code));
        try {
          const res = await signedPost(url, params);
          await res.arrayBuffer();
          if (res.status >= 300) console.error(`status callback answered ${res.status}`);
        } catch (err) {
          console.error(`status callback failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    })();
    pending.add(run);
    void run.finally(() => pending.delete(run));
  };

  const authorized = (req: http.IncomingMessage): boolean => {
    const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m) return false;
    return Buffer.from(m[1]!, 'base64').toString('utf8') === `${SMS_CATCHER.accountSid}:${SMS_CATCHER.authToken}`;
  };

  const createMessage = async (req: http.IncomingMessage, res: http.ServerResponse, account: string) => {
    if (!authorized(req) || account !== SMS_CATCHER.accountSid) {
      res.setHeader('www-authenticate', 'Basic realm="Twilio API"');
      return twilioError(res, 401, 20003, 'Authenticate');
    }
    if (faults.outage) return twilioError(res, faults.outage, 20500, 'Service is unavailable. Please try again.');
    const form = new URLSearchParams(await readBody(req));
    const to = form.get('To') ?? '';
    const from = form.get('From') ?? (form.get('MessagingServiceSid') ? SMS_CATCHER.from : '');
    const body = form.get('Body') ?? '';
    const callback = form.get('StatusCallback') ?? '';
    if (!to) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
    if (!E164.test(to)) return twilioError(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
    if (body === '') return twilioError(res, 400, 21602, 'Message body is required.');
    if ([...body].length > 1600)
      return twilioError(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    if (callback && !/^https?:\/\//.test(callback)) return twilioError(res, 400, 21609, 'Invalid StatusCallback URL');
    const { segments, encoding } = providerSegments(body);
    const now = new Date();
    const t: Text = {
      id: sid('SM'),
      to,
      from,
      body,
      date: now.toISOString(),
      direction: 'outbound-api',
      status: 'queued',
      error_code: null,
      segments,
      encoding,
    };
    keep(t);
    json(res, 201, {
      account_sid: SMS_CATCHER.accountSid,
      api_version: '2010-04-01',
      body,
      date_created: now.toUTCString(),
      date_sent: null,
      date_updated: now.toUTCString(),
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from,
      messaging_service_sid: form.get('MessagingServiceSid'),
      num_media: '0',
      num_segments: String(segments),
      price: null,
      price_unit: 'USD',
      sid: t.id,
      status: 'queued',
      to,
      uri: `/2010-04-01/Accounts/${SMS_CATCHER.accountSid}/Messages/${t.id}.json`,
    });
    if (callback) callbacks(t, callback);
  };

  const reply = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    let input: { from?: unknown; body?: unknown };
    try {
      input = JSON.parse(await readBody(req)) as typeof input;
    } catch {
      return json(res, 400, { error: 'Send JSON: { "from": "+1…", "body": "STOP" }' });
    }
    const from = typeof input.from === 'string' ? input.from.trim() : '';
    const body = typeof input.body === 'string' ? input.body : '';
    if (!E164.test(from))
      return json(res, 400, { error: '"from" must be a phone number in E.164 form, e.g. +15125550177' });
    if (body === '' || [...body].length > 1600) return json(res, 400, { error: '"body" must be 1 to 1600 characters' });
    if (!inboundUrl) {
      return json(res, 409, {
        error: 'No inbound webhook configured: set SMS_INBOUND_URL (environment or supabase/.env)',
      });
    }
    const { segments, encoding } = providerSegments(body);
    const t: Text = {
      id: sid('SM'),
      to: SMS_CATCHER.from,
      from,
      body,
      date: new Date().toISOString(),
      direction: 'inbound',
      status: 'received',
      error_code: null,
      segments,
      encoding,
    };
    keep(t);
    const params = new URLSearchParams({
      AccountSid: SMS_CATCHER.accountSid,
      ApiVersion: '2010-04-01',
      Body: body,
      From: from,
      MessageSid: t.id,
      NumMedia: '0',
      NumSegments: String(segments),
      SmsMessageSid: t.id,
      SmsSid: t.id,
      SmsStatus: 'received',
      To: SMS_CATCHER.from,
    });
    let status: number;
    let answer: string;
    try {
      const r = await signedPost(inboundUrl, params);
      status = r.status;
      answer = await r.text();
    } catch (err) {
      return json(res, 502, {
        error: `The inbound webhook did not answer: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
    // TwiML <Message> elements are texts back to the sender.
    const replies = [...answer.matchAll(/<Message(?:\s[^>]*)?>([\s\S]*?)<\/Message>/g)].map((m) =>
      m[1]!
        .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, '&'),
    );
    for (const text of status < 300 ? replies : []) {
      keep({
        id: sid('SM'),
        to: from,
        from: SMS_CATCHER.from,
        body: text,
        date: new Date().toISOString(),
        direction: 'outbound-reply',
        status: 'delivered',
        error_code: null,
        ...providerSegments(text),
      });
    }
    json(res, 200, { webhook_status: status, replies });
  };

  const setFaults = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    let input: Partial<Faults>;
    try {
      input = JSON.parse(await readBody(req)) as Partial<Faults>;
    } catch {
      return json(res, 400, { error: 'Send JSON: { outage, undeliverable }' });
    }
    const outage = input.outage ?? null;
    if (outage !== null && !(Number.isInteger(outage) && outage >= 400 && outage <= 599)) {
      return json(res, 400, { error: 'outage must be an HTTP error status (400-599) or null' });
    }
    const undeliverable: Faults['undeliverable'] = {};
    for (const [num, f] of Object.entries(input.undeliverable ?? {})) {
      if (!E164.test(num) || !f || !['failed', 'undelivered'].includes(f.status) || !Number.isInteger(f.error_code)) {
        return json(res, 400, {
          error: 'undeliverable: { "+1…": { "status": "failed" | "undelivered", "error_code": 30003 } }',
        });
      }
      undeliverable[num] = { status: f.status, error_code: f.error_code };
    }
    faults = { outage, undeliverable };
    json(res, 200, faults);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const route = `${req.method} ${url.pathname}`;
    const create = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(url.pathname);
    const fail = (err: unknown) => {
      if (!res.headersSent) json(res, 400, { error: err instanceof Error ? err.message : String(err) });
    };
    if (create && req.method === 'POST')
      return void createMessage(req, res, decodeURIComponent(create[1]!)).catch(fail);
    switch (route) {
      case 'GET /':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return void res.end(page(texts));
      case 'GET /health':
        return json(res, 200, { name: 'sms', texts: texts.length, inbound: Boolean(inboundUrl) });
      case 'GET /api/sms':
        return json(res, 200, texts);
      case 'DELETE /api/sms':
        texts.length = 0;
        return void res.writeHead(204).end();
      case 'POST /api/sms/reply':
        return void reply(req, res).catch(fail);
      case 'GET /api/sms/faults':
        return json(res, 200, faults);
      case 'PUT /api/sms/faults':
        return void setFaults(req, res).catch(fail);
      default:
        if (create) return twilioError(res, 405, 20004, 'Method not allowed');
        return json(res, 404, { error: 'Not found' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.ports.sms, '127.0.0.1', () => resolve());
  });
  return {
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await Promise.allSettled([...pending]);
    },
  };
}
