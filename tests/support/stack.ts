/**
 * Helpers for tests that run against the real local stack: supabase-js
 * clients (anon, service role, signed in as a seeded person), superuser SQL,
 * database reset, the mail catcher, and service restarts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import WebSocket from 'ws';
import { ROOT } from '../../stack/config.ts';
import type { Text as Sms } from '../../stack/sms/index.ts';
import type { Database } from '../../src/lib/database.types.ts';
import { env } from './env.ts';

export { env };

export type Client = SupabaseClient<Database>;

const clientOptions = {
  auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
} as const;

export function anonClient(opts: { flowType?: 'implicit' | 'pkce' } = {}): Client {
  return createClient<Database>(env.apiUrl, env.anonKey, {
    ...clientOptions,
    auth: { ...clientOptions.auth, flowType: opts.flowType ?? 'implicit' },
  });
}

export function serviceClient(): Client {
  return createClient<Database>(env.apiUrl, env.serviceRoleKey, clientOptions);
}

/** A supabase-js client signed in with a password (seeded users: password123). */
export async function signIn(email: string, password = env.password): Promise<Client> {
  const client = anonClient();
  const { error } = await client.auth.signInWithPassword({ email, password });
  if (error) throw new Error(`sign-in as ${email} failed: ${error.message}`);
  return client;
}

let pool: pg.Pool | undefined;
function db(): pg.Pool {
  if (!pool) {
    pool = new pg.Pool({ connectionString: env.dbUrl, max: 4 });
    // Idle connections die when a fault test restarts Postgres; the pool
    // replaces them on the next query.
    pool.on('error', () => undefined);
  }
  return pool;
}

/** Superuser SQL against the test database (setup and inspection only). */
export async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  return (await db().query<T>(text, params)).rows;
}

export async function closeDb(): Promise<void> {
  await pool?.end();
  pool = undefined;
}

/**
 * Tables holding reference data loaded by migrations (not by the seed: ZIP
 * centroids, the status reasons admins keep):
 * resetDb keeps them.
 */
export const STATIC_TABLES = ['zip_centroids', 'status_reasons', 'taxonomy_category_map'];

/** Empties every table the seed fills and runs supabase/seed.sql again. */
export async function resetDb(): Promise<void> {
  const tables = await sql<{ name: string }>(
    `select format('%I.%I', schemaname, tablename) as name from pg_tables
      where schemaname = 'public' and not (tablename = any($1))`,
    [STATIC_TABLES],
  );
  const names = [
    'auth.users',
    'auth.flow_state',
    'auth.audit_log_entries',
    'private.sms_opt_outs',
    ...tables.map((t) => t.name),
  ];
  const seed = readFileSync(join(ROOT, 'supabase', 'seed.sql'), 'utf8');
  // The stack keeps working meanwhile (the notification sender, Realtime): a
  // TRUNCATE of many tables can deadlock with one of its statements. Postgres
  // then aborts one side; if it is us, try again.
  for (let attempt = 1; ; attempt++) {
    const client = await db().connect();
    try {
      await client.query('begin');
      await client.query(`truncate ${names.join(', ')} restart identity cascade`);
      await client.query(seed);
      await client.query('commit');
      return;
    } catch (err) {
      await client.query('rollback');
      if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
    } finally {
      client.release();
    }
  }
}

// ---------------------------------------------------------------------------
// Mail catcher (MailDev JSON API)
// ---------------------------------------------------------------------------

export interface Mail {
  id: string;
  subject: string;
  text: string;
  html: string;
  to: { address: string; name?: string }[];
  from: { address: string; name?: string }[];
  date: string;
  headers: Record<string, string>;
}

export const mail = {
  async list(): Promise<Mail[]> {
    const res = await fetch(`${env.mailUrl}/api/email`);
    if (!res.ok) throw new Error(`mail catcher answered ${res.status}`);
    return (await res.json()) as Mail[];
  },
  async clear(): Promise<void> {
    await fetch(`${env.mailUrl}/api/email/all`, { method: 'DELETE' });
  },
  /** Messages to an address (case-insensitive). */
  async to(address: string): Promise<Mail[]> {
    const a = address.toLowerCase();
    return (await mail.list()).filter((m) => m.to.some((t) => t.address.toLowerCase() === a));
  },
  async waitFor(predicate: (m: Mail) => boolean, timeoutMs = 10000): Promise<Mail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await mail.list()).find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('no matching email arrived in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  },
};

// ---------------------------------------------------------------------------
// SMS catcher (the stack's Twilio: stack/sms)
// ---------------------------------------------------------------------------

/** A text in the SMS catcher, as its API lists it. */
export type { Sms };

export const sms = {
  async list(): Promise<Sms[]> {
    const res = await fetch(`${env.smsUrl}/api/sms`);
    if (!res.ok) throw new Error(`SMS catcher answered ${res.status}`);
    return (await res.json()) as Sms[];
  },
  async clear(): Promise<void> {
    await fetch(`${env.smsUrl}/api/sms`, { method: 'DELETE' });
  },
  /** Texts we sent to a number (E.164). */
  async to(number: string): Promise<Sms[]> {
    return (await sms.list()).filter((t) => t.to === number && t.direction === 'outbound-api');
  },
  async waitFor(predicate: (t: Sms) => boolean, timeoutMs = 10000): Promise<Sms> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await sms.list()).find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('no matching text arrived in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  },
  /** Plays a text from `from` into the inbound webhook, as Twilio would. */
  async reply(from: string, body: string): Promise<{ webhook_status: number; replies: string[] }> {
    const res = await fetch(`${env.smsUrl}/api/sms/reply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from, body }),
    });
    if (!res.ok) throw new Error(`SMS catcher answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { webhook_status: number; replies: string[] };
  },
  async faults(f: {
    outage?: number | null;
    undeliverable?: Record<string, { status: 'failed' | 'undelivered'; error_code: number }>;
  }): Promise<void> {
    const res = await fetch(`${env.smsUrl}/api/sms/faults`, { method: 'PUT', body: JSON.stringify(f) });
    if (!res.ok) throw new Error(`SMS catcher answered ${res.status}: ${await res.text()}`);
  },
};

// ---------------------------------------------------------------------------
// Service control (test-only endpoint of the global setup)
// ---------------------------------------------------------------------------

export type ControllableService =
  'postgres' | 'postgrest' | 'mail' | 'auth' | 'realtime' | 'functions' | 'workers' | 'sms';

export async function control(action: 'restart' | 'stop' | 'start', service: ControllableService): Promise<void> {
  const res = await fetch(`${env.controlUrl}/${action}/${service}`, { method: 'POST' });
  if (!res.ok) throw new Error(`${action} ${service} failed: ${res.status} ${await res.text()}`);
}
