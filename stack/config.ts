/**
 * Configuration of the embedded local stack: ports, keys and the parts of
 * supabase/config.toml the local services honour. One place, read once.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SUPABASE_DIR = join(ROOT, 'supabase');

/** The Supabase CLI's local demo keys (what `supabase start` prints). Development only. */
export const KEYS = {
  jwtSecret: 'super-secret-jwt-token-with-at-least-32-characters-long',
  anonKey:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0',
  serviceRoleKey:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU',
} as const;

export const DB_PASSWORD = 'postgres';

/**
 * The SMS catcher's Twilio account (development only): it answers Twilio's
 * Messages API with these credentials, signs its webhooks with this auth
 * token, and sends from this number. The stack hands them to edge functions
 * as TWILIO_* variables and uses them for Auth's `[auth.sms.twilio]`.
 */
export const SMS_CATCHER = {
  accountSid: 'AC00000000000000000000000000000000',
  authToken: 'local-sms-catcher-auth-token',
  from: '+15005550006',
} as const;

export interface StackPorts {
  /** API gateway (Kong's place): /rest/v1, /auth/v1, /realtime/v1, /functions/v1 */
  api: number;
  db: number;
  mailWeb: number;
  smtp: number;
  /** SMS catcher: Twilio's Messages API, its page and /api/sms (the port after the mail catcher's SMTP). */
  sms: number;
  postgrest: number;
  postgrestAdmin: number;
  auth: number;
  realtime: number;
  functions: number;
  /** Health port of the workers (pg_cron and pg_net, stack/workers). */
  workers: number;
}

/**
 * Ports derived from one base so that several stacks (dev, tests) never
 * collide. Base 54321 gives the Supabase CLI's own local ports.
 */
export function portsFrom(base: number): StackPorts {
  return {
    api: base,
    db: base + 1,
    mailWeb: base + 3,
    smtp: base + 4,
    sms: base + 5,
    postgrest: base + 10,
    postgrestAdmin: base + 11,
    auth: base + 12,
    realtime: base + 13,
    functions: base + 14,
    workers: base + 15,
  };
}

export const DEFAULT_BASE_PORT = 54321;

export function dbUrl(port: number, user = 'postgres', password = DB_PASSWORD): string {
  return `postgresql://${user}:${password}@127.0.0.1:${port}/postgres`;
}

// ---------------------------------------------------------------------------
// supabase/config.toml
// ---------------------------------------------------------------------------

/** Durations in config.toml are Go-style strings ("5s", "1m30s") or seconds. */
export function parseDuration(value: unknown, fallbackSeconds: number): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.trim() === '') return fallbackSeconds;
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let matched = false;
  for (const m of value.matchAll(re)) {
    matched = true;
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n / 1000 : m[2] === 's' ? n : m[2] === 'm' ? n * 60 : n * 3600;
  }
  return matched ? total : fallbackSeconds;
}

export interface EmailTemplate {
  subject?: string;
  content_path?: string;
}

export interface SupabaseConfig {
  projectId: string;
  api: { schemas: string[]; extraSearchPath: string[]; maxRows: number };
  auth: {
    siteUrl: string;
    additionalRedirectUrls: string[];
    jwtExpiry: number;
    enableSignup: boolean;
    enableRefreshTokenRotation: boolean;
    refreshTokenReuseInterval: number;
    minimumPasswordLength: number;
    /** `[auth.rate_limit]`: see stack/auth/limits.ts for what each one limits. */
    rateLimit: AuthRateLimits;
    email: {
      enableSignup: boolean;
      enableConfirmations: boolean;
      doubleConfirmChanges: boolean;
      securePasswordChange: boolean;
      maxFrequency: number;
      otpLength: number;
      otpExpiry: number;
      templates: Record<string, EmailTemplate>;
    };
  };
  functions: Record<string, { verifyJwt: boolean; entrypoint?: string }>;
  seedPaths: string[];
  raw: Record<string, unknown>;
}

/**
 * `[auth.rate_limit]` as the CLI hands it to GoTrue: email_sent (per hour,
 * whole project), anonymous_users (per hour per IP), token_refresh,
 * sign_in_sign_ups and token_verifications (per 5 minutes per IP).
 */
export interface AuthRateLimits {
  emailSent: number;
  anonymousUsers: number;
  tokenRefresh: number;
  signInSignUps: number;
  tokenVerifications: number;
}

type Table = Record<string, unknown>;
const tbl = (v: unknown): Table => (v && typeof v === 'object' ? (v as Table) : {});

export function loadSupabaseConfig(path = join(SUPABASE_DIR, 'config.toml')): SupabaseConfig {
  const raw = parse(readFileSync(path, 'utf8')) as Table;
  const api = tbl(raw.api);
  const auth = tbl(raw.auth);
  const email = tbl(auth.email);
  const rateLimit = tbl(auth.rate_limit);
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
  const functionsRaw = tbl(raw.functions);
  const functions: SupabaseConfig['functions'] = {};
  for (const [name, v] of Object.entries(functionsRaw)) {
    const f = tbl(v);
    functions[name] = {
      verifyJwt: f.verify_jwt !== false,
      entrypoint: typeof f.entrypoint === 'string' ? f.entrypoint : undefined,
    };
  }
  const seed = tbl(tbl(raw.db).seed);
  return {
    projectId: String(raw.project_id ?? 'local'),
    api: {
      schemas: (api.schemas as string[]) ?? ['public'],
      extraSearchPath: (api.extra_search_path as string[]) ?? ['public', 'extensions'],
      maxRows: Number(api.max_rows ?? 1000),
    },
    auth: {
      siteUrl: String(auth.site_url ?? 'http://127.0.0.1:3000'),
      additionalRedirectUrls: (auth.additional_redirect_urls as string[]) ?? [],
      jwtExpiry: Number(auth.jwt_expiry ?? 3600),
      enableSignup: auth.enable_signup !== false,
      enableRefreshTokenRotation: auth.enable_refresh_token_rotation !== false,
      refreshTokenReuseInterval: Number(auth.refresh_token_reuse_interval ?? 10),
      minimumPasswordLength: Number(auth.minimum_password_length ?? 6),
      rateLimit: {
        emailSent: num(rateLimit.email_sent, 30),
        anonymousUsers: num(rateLimit.anonymous_users, 30),
        tokenRefresh: num(rateLimit.token_refresh, 150),
        signInSignUps: num(rateLimit.sign_in_sign_ups, 30),
        tokenVerifications: num(rateLimit.token_verifications, 30),
      },
      email: {
        enableSignup: email.enable_signup !== false,
        enableConfirmations: email.enable_confirmations === true,
        doubleConfirmChanges: email.double_confirm_changes !== false,
        securePasswordChange: email.secure_password_change === true,
        maxFrequency: parseDuration(email.max_frequency, 60),
        otpLength: Number(email.otp_length ?? 6),
        otpExpiry: Number(email.otp_expiry ?? 3600),
        templates: Object.fromEntries(
          Object.entries(tbl(email.template)).map(([k, v]) => [k, tbl(v) as EmailTemplate]),
        ),
      },
    },
    functions,
    seedPaths: ((seed.sql_paths as string[]) ?? ['./seed.sql']).map((p) => join(SUPABASE_DIR, p)),
    raw,
  };
}

// ---------------------------------------------------------------------------
// What every service process of the stack is told by the supervisor
// ---------------------------------------------------------------------------

export interface StackContext {
  ports: StackPorts;
  /** Root folder of this stack's state (Postgres data lives in `${dataDir}/db`). */
  dataDir: string;
  /** Public URL of the gateway, as clients and emails see it. */
  apiUrl: string;
  /** The app's URL (auth.site_url unless overridden, e.g. by tests). */
  siteUrl: string;
  /** Superuser connection string of the local database. */
  dbUrl: string;
  /** true under `npm run dev` (watch and reload). */
  dev: boolean;
  /**
   * More folders of edge functions (`<dir>/<name>/index.ts`), served after
   * supabase/functions; the test stack serves its fixtures this way, so they
   * are never part of a deploy.
   */
  extraFunctionDirs?: string[];
}

export function makeContext(opts: {
  basePort?: number;
  dataDir?: string;
  siteUrl?: string;
  dev?: boolean;
  extraFunctionDirs?: string[];
}): StackContext {
  const ports = portsFrom(opts.basePort ?? DEFAULT_BASE_PORT);
  return {
    ports,
    dataDir: resolve(opts.dataDir ?? join(ROOT, '.stack')),
    apiUrl: `http://127.0.0.1:${ports.api}`,
    siteUrl: opts.siteUrl ?? loadSupabaseConfig().auth.siteUrl,
    dbUrl: dbUrl(ports.db),
    dev: opts.dev ?? false,
    extraFunctionDirs: opts.extraFunctionDirs?.map((d) => resolve(d)),
  };
}

/**
 * KEY=VALUE lines of supabase/.env: the project's own settings for the local
 * stack (the Supabase CLI reads the same file for env() in config.toml);
 * the process environment wins over it.
 */
export function projectEnv(name: string): string | undefined {
  if (process.env[name] !== undefined) return process.env[name];
  const file = join(SUPABASE_DIR, '.env');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && m[1] === name) return m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return undefined;
}

export const CONTEXT_ENV = 'STACK_CONTEXT';

/** The context a service process was started with (see stack/service.ts). */
export function contextFromEnv(): StackContext {
  const raw = process.env[CONTEXT_ENV];
  if (!raw) throw new Error(`${CONTEXT_ENV} is not set: start services through the stack supervisor`);
  return JSON.parse(raw) as StackContext;
}
