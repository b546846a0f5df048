/**
 * The API gateway on one port, routing as Supabase's Kong does:
 *   /rest/v1/*      → PostgREST          (apikey required)
 *   /auth/v1/*      → auth service       (apikey required, except the
 *                                         open routes an email link or an
 *                                         OAuth redirect reaches)
 *   /realtime/v1/*  → realtime service   (apikey required; WebSocket upgrade)
 *   /functions/v1/* → functions service  (the runtime checks the JWT itself)
 * The gateway answers CORS itself and replaces upstream CORS headers, so a
 * browser never sees them twice. Upstreams get X-Forwarded-For set to the
 * real peer address (a client's own value is dropped).
 *
 * Every decision (route, apikey, open auth route) is taken on the path as
 * Kong's router normalises it (see normalisePath), and that normalised path is
 * what the upstream receives: `/auth/v1/verify/../signup` is `/auth/v1/signup`
 * to the key check and to the auth service alike. A path that does not
 * normalise cleanly is refused with 400 before any routing.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import httpProxy from './http-proxy.ts';
import { KEYS, type StackContext } from './config.ts';

const VALID_KEYS = new Set<string>([KEYS.anonKey, KEYS.serviceRoleKey]);

/**
 * Auth routes reachable without an apikey (a browser following an email link),
 * matched against the path after the /auth/v1 prefix, as keyRequired sees it.
 */
const OPEN_AUTH = /^\/(verify|callback|authorize|\.well-known\/jwks\.json)(\/|\?|$)/;

const EXPOSE_HEADERS = [
  'Content-Range', 'Content-Location', 'Content-Type', 'Content-Profile', 'Location', 'Range-Unit',
  'Preference-Applied', 'X-Total-Count', 'Link', 'X-Supabase-Api-Version', 'X-Sb-Error-Code',
  'X-Relay-Error', 'sb-request-id',
].join(', ');

interface Route {
  prefix: string;
  target: number;
  keyRequired: (path: string) => boolean;
}

export function routesFor(ctx: StackContext): Route[] {
  return [
    { prefix: '/rest/v1', target: ctx.ports.postgrest, keyRequired: () => true },
    { prefix: '/auth/v1', target: ctx.ports.auth, keyRequired: (p) => !OPEN_AUTH.test(p) },
    { prefix: '/realtime/v1', target: ctx.ports.realtime, keyRequired: () => true },
    { prefix: '/functions/v1', target: ctx.ports.functions, keyRequired: () => false },
  ];
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * The path (no query) as Kong's router normalises it before matching routes
 * (RFC 3986 6.2.2): percent-encoded unreserved characters decoded (so `%2e` is
 * a dot), `.` and `..` segments removed, repeated slashes merged. Returns null
 * for what does not normalise cleanly and no honest client sends: a malformed
 * percent escape, an encoded slash or backslash (`%2F`, `%5C`), a raw
 * backslash (WHATWG URL parsers, like the services', read it as a slash), an
 * encoded control character, or a `..` that climbs above the root.
 */
export function normalisePath(path: string): string | null {
  if (!path.startsWith('/') || path.includes('\\')) return null;
  let decoded = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i]!;
    if (ch !== '%') {
      decoded += ch;
      continue;
    }
    const hex = path.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
    const code = parseInt(hex, 16);
    if (code === 0x2f || code === 0x5c || code < 0x20 || code === 0x7f) return null;
    const c = String.fromCharCode(code);
    decoded += UNRESERVED.test(c) ? c : `%${hex.toUpperCase()}`;
    i += 2;
  }
  const out: string[] = [];
  const segments = decoded.split('/').slice(1);
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (seg === '..') {
      if (!out.length) return null;
      out.pop();
      if (last) out.push('');
    } else if (seg === '.' || (seg === '' && !last)) {
      if (last) out.push('');
    } else {
      out.push(seg);
    }
  }
  return '/' + out.join('/');
}

/**
 * The route and upstream path of a request line's target, or why it is
 * refused: 400 when its path does not normalise cleanly or when dot segments
 * would carry it out of the service its path names (`/auth/v1/../rest/v1/x`);
 * 404 when no route matches.
 */
function resolve(
  routes: Route[],
  url: string,
): { route: Route; rest: string } | { status: 400 | 404; body: { message: string } } {
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q);
  const path = normalisePath(rawPath);
  if (path === null) return { status: 400, body: { message: 'Bad request' } };
  const m = match(routes, path + query);
  if (path !== rawPath) {
    // The service named before dot segments were resolved must be the one
    // reached after: dot segments never switch services.
    const named = match(routes, rawPath.replace(/\/{2,}/g, '/') + query)?.route;
    if (named !== m?.route) return { status: 400, body: { message: 'Bad request' } };
  }
  if (!m) return { status: 404, body: { message: 'no Route matched with those values' } };
  return m;
}

function match(routes: Route[], url: string): { route: Route; rest: string } | undefined {
  for (const route of routes) {
    if (url === route.prefix || url.startsWith(route.prefix + '/') || url.startsWith(route.prefix + '?')) {
      const rest = url.slice(route.prefix.length);
      return { route, rest: rest.startsWith('/') ? rest : '/' + rest };
    }
  }
  return undefined;
}

function apikeyOf(req: http.IncomingMessage): string | undefined {
  const header = req.headers['apikey'];
  if (typeof header === 'string' && header) return header;
  const q = new URL(req.url ?? '/', 'http://x').searchParams.get('apikey');
  return q ?? undefined;
}

/** Kong-style refusal; undefined when the key is fine. */
function keyProblem(req: http.IncomingMessage): { status: number; body: object } | undefined {
  const key = apikeyOf(req);
  if (!key) {
    return {
      status: 401,
      body: { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' },
    };
  }
  if (!VALID_KEYS.has(key)) {
    return {
      status: 401,
      body: { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' },
    };
  }
  return undefined;
}

/**
 * The key is the gateway's business: an `?apikey=` must not reach PostgREST,
 * which would read it as a filter on a column named apikey.
 */
function withoutApikeyParam(url: string): string {
  const q = url.indexOf('?');
  if (q < 0 || !/(^|[?&])apikey=/.test(url.slice(q))) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  params.delete('apikey');
  const rest = params.toString();
  return url.slice(0, q) + (rest ? `?${rest}` : '');
}

function corsHeaders(): Record<string, string> {
  return {
    'access-control-allow-origin': '*',
    'access-control-expose-headers': EXPOSE_HEADERS,
  };
}

function sendJson(res: http.ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...corsHeaders(),
  });
  res.end(text);
}

/**
 * The gateway is the edge: nothing in front of it is trusted, so an
 * X-Forwarded-For the client wrote itself is dropped and the proxy sets it to
 * the address the connection really comes from. Auth keys its per-IP rate
 * limits on that header, which a client could otherwise rotate at will.
 */
function dropClientForwardedFor(req: http.IncomingMessage): void {
  delete req.headers['x-forwarded-for'];
  delete req.headers['x-real-ip'];
}

function rejectUpgrade(socket: Duplex, status: number, body: object): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
}

export async function startGateway(ctx: StackContext): Promise<{ close(): Promise<void>; server: http.Server }> {
  const routes = routesFor(ctx);
  const proxy = httpProxy.createProxyServer({ xfwd: true, ws: true, proxyTimeout: 0 });

  proxy.on('proxyRes', (proxyRes) => {
    for (const h of Object.keys(proxyRes.headers)) {
      if (h.startsWith('access-control-')) delete proxyRes.headers[h];
    }
    Object.assign(proxyRes.headers, corsHeaders());
  });
  proxy.on('error', (_err, req, resOrSocket) => {
    const name = match(routes, req.url ?? '')?.route.prefix ?? 'upstream';
    const body = { message: `An invalid response was received from the upstream server (${name} is not answering)` };
    if (resOrSocket instanceof http.ServerResponse) {
      if (!resOrSocket.headersSent) sendJson(resOrSocket, 502, body);
      else resOrSocket.destroy();
    } else {
      (resOrSocket as Duplex).destroy();
    }
  });

  const server = http.createServer((req, res) => {
    const m = resolve(routes, req.url ?? '/');
    if ('status' in m) return sendJson(res, m.status, m.body);

    if (req.method === 'OPTIONS') {
      // CORS preflight: answered here, as Kong's cors plugin does.
      res.writeHead(200, {
        ...corsHeaders(),
        'access-control-allow-methods': 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS',
        'access-control-allow-headers':
          (req.headers['access-control-request-headers'] as string | undefined) ??
          'authorization, x-client-info, apikey, content-type, prefer, range, accept-profile, content-profile, x-supabase-api-version',
        'access-control-max-age': '3600',
        'content-length': '0',
      });
      return res.end();
    }

    if (m.route.keyRequired(m.rest)) {
      const problem = keyProblem(req);
      if (problem) return sendJson(res, problem.status, problem.body);
      // Kong's request-transformer: a request with only an apikey acts as that key.
      if (!req.headers.authorization) req.headers.authorization = `Bearer ${apikeyOf(req)}`;
    }
    req.url = m.route.prefix === '/realtime/v1' ? m.rest : withoutApikeyParam(m.rest);
    dropClientForwardedFor(req);
    proxy.web(req, res, { target: `http://127.0.0.1:${m.route.target}` });
  });

  server.on('upgrade', (req, socket, head) => {
    const m = resolve(routes, req.url ?? '/');
    if ('status' in m) return rejectUpgrade(socket, m.status, m.body);
    if (m.route.keyRequired(m.rest)) {
      const problem = keyProblem(req);
      if (problem) return rejectUpgrade(socket, problem.status, problem.body);
    }
    req.url = m.rest;
    dropClientForwardedFor(req);
    proxy.ws(req, socket, head, { target: `http://127.0.0.1:${m.route.target}` });
  });

  // Keep-alive sockets must not hold a stop open.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.ports.api, '127.0.0.1', () => resolve());
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        proxy.close();
      }),
  };
}
