/**
 * HTTP plumbing of the local Auth service: GoTrue's error shapes (which
 * depend on the request's X-Supabase-Api-Version header), JSON bodies decoded
 * the way Go's encoding/json would accept them, and small response helpers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error GoTrue answers with `{code, message}` (or the legacy shape). */
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** OAuth-style errors ignore the API version: always 400 {error, error_description}. */
export class OAuthError extends Error {
  constructor(
    public error: string,
    public description: string,
  ) {
    super(description);
  }
}

export class WeakPasswordError extends Error {
  constructor(
    message: string,
    public reasons: string[],
  ) {
    super(message);
  }
}

export const badRequest = (code: string, msg: string) => new ApiError(400, code, msg);
export const forbidden = (code: string, msg: string) => new ApiError(403, code, msg);
export const notFound = (code: string, msg: string) => new ApiError(404, code, msg);
export const unprocessable = (code: string, msg: string) => new ApiError(422, code, msg);
export const tooManyRequests = (code: string, msg: string) => new ApiError(429, code, msg);
export const internal = (msg: string) => new ApiError(500, 'unexpected_failure', msg);

const API_VERSION_HEADER = 'x-supabase-api-version';
const API_VERSION_2024 = '2024-01-01';

/**
 * GoTrue knows one dated API version (2024-01-01). A request naming that date
 * or a later one gets the new error shape and the header echoed back.
 */
function usesApiVersion2024(req: IncomingMessage): boolean {
  const raw = req.headers[API_VERSION_HEADER];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value) return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m) return false;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return false;
  return value.trim() >= API_VERSION_2024;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(req: IncomingMessage, res: ServerResponse, err: unknown, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof OAuthError) {
    sendJson(res, 400, { error: err.error, error_description: err.description });
    return;
  }
  const v2024 = usesApiVersion2024(req);
  const headers: Record<string, string> = {};
  if (v2024) headers['X-Supabase-Api-Version'] = API_VERSION_2024;
  if (err instanceof WeakPasswordError) {
    const payload = { weak_password: { reasons: err.reasons } };
    if (v2024) {
      sendJson(res, 422, { code: 'weak_password', message: err.message, ...payload }, headers);
    } else {
      headers['x-sb-error-code'] = 'weak_password';
      sendJson(res, 422, { code: 422, error_code: 'weak_password', msg: err.message, ...payload }, headers);
    }
    return;
  }
  let e: ApiError;
  if (err instanceof ApiError) {
    e = err;
  } else {
    // An unexpected failure: log what it was (never request data), answer as GoTrue does.
    console.error('unexpected failure:', err instanceof Error ? err.stack ?? err.message : String(err));
    e = new ApiError(500, 'unexpected_failure', 'Unexpected failure, please check server logs for more information');
  }
  headers['x-sb-error-code'] = e.code;
  if (v2024) {
    sendJson(res, e.status, { code: e.code, message: e.message, ...(e.extra ?? {}) }, headers);
  } else {
    const body: Record<string, unknown> = { code: e.status, error_code: e.code, msg: e.message, ...(e.extra ?? {}) };
    if (e.status >= 500) body.error_id = requestId;
    sendJson(res, e.status, body, headers);
  }
}

// ---------------------------------------------------------------------------
// Request bodies
// ---------------------------------------------------------------------------

const MAX_BODY = 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, 'request_too_large', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export type Json = Record<string, unknown>;

/**
 * Decodes a request body as GoTrue does (json.Unmarshal into a struct): an
 * empty or invalid body, or anything but an object (or null), is 400 bad_json.
 */
export function parseJsonBody(raw: string): Json {
  const bad = (why: string) => badRequest('bad_json', `Could not parse request body as JSON: ${why}`);
  if (raw.trim() === '') throw bad('unexpected end of JSON input');
  let value: unknown;
  let nul = false;
  try {
    // Postgres cannot store U+0000 in text or jsonb: refuse it here, not with a database error.
    value = JSON.parse(raw, (key, v: unknown) => {
      if (key.includes('\0') || (typeof v === 'string' && v.includes('\0'))) nul = true;
      return v;
    });
  } catch (err) {
    throw bad(err instanceof Error ? err.message : 'invalid character');
  }
  if (nul) throw bad('null characters (\\u0000) are not allowed');
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    const kind = Array.isArray(value) ? 'array' : typeof value;
    throw bad(`json: cannot unmarshal ${kind} into Go value of type struct`);
  }
  return value as Json;
}

function goKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** A string field ('' when absent or null); any other JSON type is bad_json. */
export function str(body: Json, key: string): string {
  const v = body[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') {
    throw badRequest('bad_json', `Could not parse request body as JSON: json: cannot unmarshal ${goKind(v)} into Go struct field .${key} of type string`);
  }
  return v;
}

/** Like str() but tells "absent/null" (undefined) apart from "". */
export function optStr(body: Json, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  return str(body, key);
}

export function bool(body: Json, key: string, fallback: boolean): boolean {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') {
    throw badRequest('bad_json', `Could not parse request body as JSON: json: cannot unmarshal ${goKind(v)} into Go struct field .${key} of type bool`);
  }
  return v;
}

/** An object field (a Go map): undefined when absent or null. */
export function obj(body: Json, key: string): Json | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw badRequest('bad_json', `Could not parse request body as JSON: json: cannot unmarshal ${goKind(v)} into Go struct field .${key} of type map[string]interface {}`);
  }
  return v as Json;
}

export function redirect(res: ServerResponse, location: string, status = 303): void {
  res.writeHead(status, { Location: location, 'Content-Length': 0 });
  res.end();
}

/** url.Values.Encode(): keys sorted, values escaped as Go's QueryEscape. */
export function goEncode(params: URLSearchParams): string {
  const keys = [...new Set(params.keys())].sort();
  const esc = (s: string) =>
    encodeURIComponent(s)
      .replace(/%20/g, '+')
      .replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  const parts: string[] = [];
  for (const k of keys) for (const v of params.getAll(k)) parts.push(`${esc(k)}=${esc(v)}`);
  return parts.join('&');
}
