/**
 * Edge functions, run as Supabase's edge runtime runs them: each
 * `supabase/functions/<name>/index.ts` is a Deno program (`deno` from npm)
 * that calls `Deno.serve`. This service routes `/<name>/...` to the function's
 * own Deno process (started on first use), checks the caller's JWT unless
 * config.toml sets `verify_jwt = false` for it, answers 404 for an unknown
 * name, and, under `npm run dev`, reloads a function when its code changes.
 * `npm:` imports resolve from the project's node_modules: no network at run time.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import httpProxy from '../http-proxy.ts';
import { jwtVerify, errors as joseErrors } from 'jose';
import { KEYS, ROOT, SMS_CATCHER, SUPABASE_DIR, loadSupabaseConfig, type StackContext, type SupabaseConfig } from '../config.ts';
import { startChild, type Child } from '../process.ts';
import type { RunningService } from '../service.ts';

const FUNCTIONS_DIR = join(SUPABASE_DIR, 'functions');
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const SECRET = new TextEncoder().encode(KEYS.jwtSecret);

interface Worker {
  child: Child;
  port: number;
  ready: Promise<void>;
}

function json(res: http.ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** KEY=VALUE lines of supabase/functions/.env (the CLI's default secrets file). */
function functionSecrets(): Record<string, string> {
  const file = join(FUNCTIONS_DIR, '.env');
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/**
 * The `[functions.*]` settings of config.toml, parsed again only when the file
 * changes (not on every request).
 */
let cachedConfig: { mtimeMs: number; functions: SupabaseConfig['functions'] } | undefined;
function functionsConfig(): SupabaseConfig['functions'] {
  const mtimeMs = statSync(join(SUPABASE_DIR, 'config.toml')).mtimeMs;
  if (cachedConfig?.mtimeMs !== mtimeMs) cachedConfig = { mtimeMs, functions: loadSupabaseConfig().functions };
  return cachedConfig.functions;
}

export function entrypointOf(name: string, extraDirs: string[] = []): string | undefined {
  if (!NAME.test(name) || name.startsWith('_')) return undefined;
  const configured = functionsConfig()[name]?.entrypoint;
  if (configured) {
    const path = join(SUPABASE_DIR, configured);
    return existsSync(path) ? path : undefined;
  }
  return [FUNCTIONS_DIR, ...extraDirs].map((dir) => join(dir, name, 'index.ts')).find((path) => existsSync(path));
}

/** Why a request may not run the function, or undefined when it may. */
async function jwtProblem(req: http.IncomingMessage): Promise<{ code: string; message: string } | undefined> {
  const header = req.headers.authorization;
  if (!header) return { code: 'UNAUTHORIZED_NO_AUTH_HEADER', message: 'Missing authorization header' };
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) return { code: 'UNAUTHORIZED_INVALID_JWT_FORMAT', message: "Auth header is not 'Bearer {token}'" };
  try {
    await jwtVerify(m[1]!, SECRET, { algorithms: ['HS256'] });
    return undefined;
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) return { code: 'UNAUTHORIZED_INVALID_JWT', message: 'JWT has expired' };
    return { code: 'UNAUTHORIZED_INVALID_JWT_FORMAT', message: 'Invalid JWT' };
  }
}

export async function start(ctx: StackContext): Promise<RunningService> {
  const workers = new Map<string, Worker>();
  const proxy = httpProxy.createProxyServer({ proxyTimeout: 150_000 });
  const denoBin = join(ROOT, 'node_modules', 'deno', 'deno');

  const spawnWorker = async (name: string, entry: string): Promise<Worker> => {
    const port = await freePort();
    const args = ['run', '--allow-all', '--no-prompt', '--node-modules-dir=manual', '--no-lock', '--quiet'];
    if (ctx.dev) args.push(`--watch=${FUNCTIONS_DIR}`, '--no-clear-screen');
    args.push(join(ROOT, 'stack', 'functions', 'deno-worker.mjs'));
    const child = startChild(`fn:${name}`, denoBin, args, {
      cwd: ROOT,
      env: {
        ...functionSecrets(),
        FUNCTION_PORT: String(port),
        FUNCTION_ENTRY: `file://${entry}`,
        SUPABASE_URL: ctx.apiUrl,
        SUPABASE_ANON_KEY: KEYS.anonKey,
        SUPABASE_SERVICE_ROLE_KEY: KEYS.serviceRoleKey,
        SUPABASE_DB_URL: ctx.dbUrl,
        SB_SITE_URL: ctx.siteUrl,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(ctx.ports.smtp),
        // Texts go to the SMS catcher, which answers Twilio's API.
        TWILIO_API_URL: `http://127.0.0.1:${ctx.ports.sms}`,
        TWILIO_ACCOUNT_SID: SMS_CATCHER.accountSid,
        TWILIO_AUTH_TOKEN: SMS_CATCHER.authToken,
        TWILIO_FROM: SMS_CATCHER.from,
        DENO_NO_UPDATE_CHECK: '1',
      },
      log: (l) => console.log(`[${name}] ${l}`),
      quietPattern: /^function listening on \d+$/,
    });
    const worker: Worker = {
      child,
      port,
      ready: child.waitForLine(`function ${name}`, /^function listening on \d+$/),
    };
    void child.exited.then(() => {
      if (workers.get(name) === worker) workers.delete(name);
    });
    return worker;
  };

  const workerFor = async (name: string, entry: string): Promise<Worker> => {
    let w = workers.get(name);
    if (!w) {
      w = await spawnWorker(name, entry);
      workers.set(name, w);
    }
    await w.ready;
    return w;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/health') return json(res, 200, { name: 'functions', workers: [...workers.keys()] });
    const name = url.pathname.split('/')[1] ?? '';
    const entry = entrypointOf(name, ctx.extraFunctionDirs);
    if (!entry) return json(res, 404, { code: 'NOT_FOUND', message: 'Requested function was not found' });
    const verify = functionsConfig()[name]?.verifyJwt ?? true;

    void (async () => {
      if (verify && req.method !== 'OPTIONS') {
        const problem = await jwtProblem(req);
        if (problem) return json(res, 401, problem);
      }
      let worker: Worker;
      try {
        worker = await workerFor(name, entry);
      } catch (err) {
        console.error(`[${name}] failed to boot: ${err instanceof Error ? err.message : String(err)}`);
        workers.get(name)?.child.stop();
        workers.delete(name);
        return json(res, 503, { code: 'BOOT_ERROR', message: 'Function failed to start (please check logs)' });
      }
      // The function sees its own path, as on Supabase: /<name>/...
      proxy.web(req, res, { target: `http://127.0.0.1:${worker.port}` }, (err) => {
        if (!res.headersSent) json(res, 502, { code: 'WORKER_ERROR', message: `Function ${name} did not answer: ${err.message}` });
        else res.destroy();
      });
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.ports.functions, '127.0.0.1', () => resolve());
  });

  return {
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await Promise.all([...workers.values()].map((w) => w.child.stop()));
    },
  };
}
