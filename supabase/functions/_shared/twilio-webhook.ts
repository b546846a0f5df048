// Twilio's webhooks (status callbacks, incoming messages) as our functions
// receive them: a form-encoded POST signed with the account's auth token.
// X-Twilio-Signature = base64(HMAC-SHA1(auth token, URL + each POST parameter
// name and value, sorted by name)), over the URL Twilio was given
// (https://www.twilio.com/docs/usage/webhooks/webhooks-security). The URL is
// rebuilt from SUPABASE_URL (the public address), as the function behind the
// gateway sees only its own path.

/** The signature Twilio sends for `url` and these form parameters. */
export async function twilioSignature(authToken: string, url: string, params: URLSearchParams): Promise<string> {
  const names = [...new Set(params.keys())].sort();
  let data = url;
  for (const name of names) for (const value of params.getAll(name)) data += name + value;
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(authToken),
    { name: 'HMAC', hash: 'SHA-1' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(data)));
  return btoa(String.fromCharCode(...mac));
}

function equal(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The public URL of this function for this request: SUPABASE_URL/functions/v1/<name>?<query>. */
export function publicUrl(req: Request, name: string, supabaseUrl: string): string {
  const u = new URL(req.url);
  return `${supabaseUrl.replace(/\/+$/, '')}/functions/v1/${name}${u.search}`;
}

export type Verified = { ok: true; params: URLSearchParams } | { ok: false; status: number; error: string };

/** Reads a Twilio webhook: POST, form-encoded, correctly signed; otherwise why not (4xx). */
export async function readTwilioWebhook(
  req: Request,
  name: string,
  env: (k: string) => string | undefined,
): Promise<Verified> {
  if (req.method !== 'POST') return { ok: false, status: 405, error: 'Use POST' };
  const token = env('TWILIO_AUTH_TOKEN');
  if (!token) return { ok: false, status: 503, error: 'Text messages are not set up (no TWILIO_AUTH_TOKEN)' };
  if (!(req.headers.get('content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return { ok: false, status: 415, error: 'Send application/x-www-form-urlencoded, as Twilio does' };
  }
  const raw = await req.text();
  if (raw.length > 20000) return { ok: false, status: 413, error: 'Too large' };
  const params = new URLSearchParams(raw);
  const given = req.headers.get('x-twilio-signature') ?? '';
  const expected = await twilioSignature(token, publicUrl(req, name, env('SUPABASE_URL') ?? ''), params);
  if (!given || !equal(given, expected)) return { ok: false, status: 403, error: 'Invalid X-Twilio-Signature' };
  return { ok: true, params };
}
