/**
 * The local Auth service: the subset of Supabase Auth's (GoTrue v2) HTTP API
 * that @supabase/supabase-js uses, over the `auth` schema, with GoTrue's
 * status codes, error codes and response shapes (as GoTrue 2.196's source,
 * github.com/supabase/auth, and auth-js 2.119 define them; docs/auth.md).
 *
 * The gateway mounts it at /auth/v1 (prefix stripped). It never logs request
 * bodies, query strings, tokens or links: only method, path and status.
 */
import http from 'node:http';
import type { StackContext } from '../config.ts';
import type { RunningService } from '../service.ts';
import { badRequest, notFound, sendError, sendJson } from './http.ts';
import type { ClientInfo } from './sessions.ts';
import { createCore, type AuthOptions, type Ctx } from './core.ts';
import { emailLinks } from './mail-links.ts';
import { tokenRoutes } from './tokens.ts';
import { verifyRoutes } from './verify.ts';
import { userRoutes } from './user.ts';
import { adminRoutes } from './admin.ts';

export type { AuthOptions } from './core.ts';

export async function start(ctx: StackContext, opts: AuthOptions = {}): Promise<RunningService> {
  const core = createCore(ctx, opts);
  const { pool, limiter, mailer } = core;
  const links = emailLinks(core);
  const { settings, signup, token } = tokenRoutes(core, links);
  const { otp, recover, resend, verifyGet, verifyPost } = verifyRoutes(core, links);
  const { getUser, updateUser, logout } = userRoutes(core, links);
  const { adminListUsers, adminCreateUser, adminGetUser, adminUpdateUser, adminDeleteUser, adminGenerateLink, invite } =
    adminRoutes(core, links);

  // -------------------------------------------------------------------------
  // Routing
  // -------------------------------------------------------------------------

  async function route(c: Ctx): Promise<void> {
    const method = c.req.method ?? 'GET';
    if (c.url.search.includes('%00') || c.url.pathname.includes('%00')) {
      throw badRequest('validation_failed', 'The request contains a null character');
    }
    // Behind the gateway the /auth/v1 prefix is already gone; reached directly, it may not be.
    const path = c.url.pathname.replace(/^\/auth\/v1(?=\/|$)/, '').replace(/\/+$/, '') || '/';
    const key = `${method} ${path}`;
    switch (key) {
      case 'GET /health':
        return sendJson(c.res, 200, {
          version: 'v2.196.0',
          name: 'GoTrue',
          description: 'GoTrue is a user registration and authentication API',
        });
      case 'GET /settings':
        return settings(c);
      case 'GET /authorize':
        // No OAuth provider is enabled locally (config.toml [auth.external.*]).
        throw badRequest('validation_failed', 'Unsupported provider: provider is not enabled');
      case 'GET /.well-known/jwks.json':
        return sendJson(c.res, 200, { keys: [] });
      case 'POST /signup':
        return signup(c);
      case 'POST /token':
        return token(c);
      case 'POST /otp':
        limiter.check('otp', c.client.ip);
        return otp(c, false);
      case 'POST /magiclink':
        limiter.check('otp', c.client.ip);
        return otp(c, true);
      case 'GET /verify':
        limiter.check('verify', c.client.ip);
        return verifyGet(c);
      case 'POST /verify':
        limiter.check('verify', c.client.ip);
        return verifyPost(c);
      case 'GET /user':
        return getUser(c);
      case 'PUT /user':
        return updateUser(c);
      case 'POST /logout':
        return logout(c);
      case 'POST /recover':
        limiter.check('otp', c.client.ip);
        return recover(c);
      case 'POST /resend':
        limiter.check('otp', c.client.ip);
        return resend(c);
      case 'POST /invite':
        return invite(c);
      case 'GET /admin/users':
        return adminListUsers(c);
      case 'POST /admin/users':
        return adminCreateUser(c);
      case 'POST /admin/generate_link':
        return adminGenerateLink(c);
    }
    const m = /^\/admin\/users\/([^/]+)$/.exec(path);
    if (m) {
      const id = decodeURIComponent(m[1]!);
      if (method === 'GET') return adminGetUser(c, id);
      if (method === 'PUT') return adminUpdateUser(c, id);
      if (method === 'DELETE') return adminDeleteUser(c, id);
    }
    throw notFound('not_found', 'Not Found');
  }

  let requestCounter = 0;
  const server = http.createServer((req, res) => {
    const started = performance.now();
    const requestId = `${Date.now().toString(36)}-${(requestCounter++).toString(36)}`;
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://auth.local');
    } catch {
      url = new URL('http://auth.local/');
    }
    const forwarded = String(req.headers['x-forwarded-for'] ?? '')
      .split(',')[0]!
      .trim();
    const client: ClientInfo = {
      ip: forwarded || req.socket.remoteAddress?.replace(/^::ffff:/, '') || '',
      userAgent: String(req.headers['user-agent'] ?? ''),
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Origin': String(req.headers.origin ?? '*'),
        'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE',
        'Access-Control-Allow-Headers':
          'Accept, Authorization, Content-Type, X-Client-IP, X-Client-Info, X-JWT-AUD, x-use-cookie, X-Supabase-Api-Version, apikey',
        'Access-Control-Expose-Headers': 'X-Total-Count, Link, X-Supabase-Api-Version',
      });
      res.end();
      return;
    }
    route({ req, res, url, client })
      .catch((err: unknown) => sendError(req, res, err, requestId))
      .finally(() => {
        if (ctx.dev || process.env.AUTH_LOG_REQUESTS) {
          // Path only: query strings carry tokens and links.
          console.log(`${req.method} ${url.pathname} ${res.statusCode} ${Math.round(performance.now() - started)}ms`);
        }
      });
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.ports.auth, '127.0.0.1', () => resolve());
  });
  // Fail fast when the database is not reachable.
  await pool.query('select 1');

  return {
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      mailer.close();
      await pool.end();
    },
  };
}
