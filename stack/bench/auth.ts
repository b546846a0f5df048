/**
 * `npm run bench:auth`: how fast the local Auth service signs a user in with
 * a password and refreshes a session, measured through supabase-js and the
 * gateway (50 tries each, after a warm-up). Printed, not asserted.
 *
 * Uses the running stack of STACK_BASE_PORT (default 54321) when it answers;
 * otherwise starts a throw-away stack of its own on BENCH_BASE_PORT (default
 * 21321, below the ephemeral port range) and stops it afterwards. A running
 * stack applies config.toml's per-IP rate limits (150 token requests per 5
 * minutes): start it with GOTRUE_RATE_LIMIT_TOKEN_REFRESH=1000000 to bench it.
 */
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { KEYS, ROOT, portsFrom } from '../config.ts';

const TRIES = 50;

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function summary(name: string, samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const f = (n: number) => `${n.toFixed(1)} ms`;
  return `${name.padEnd(22)} p50 ${f(percentile(s, 50)).padStart(9)}   p95 ${f(percentile(s, 95)).padStart(9)}   min ${f(s[0]!).padStart(9)}   max ${f(s.at(-1)!).padStart(9)}   (n=${s.length})`;
}

async function reachable(apiUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${apiUrl}/auth/v1/health`, { headers: { apikey: KEYS.anonKey }, signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  let apiUrl = `http://127.0.0.1:${portsFrom(Number(process.env.STACK_BASE_PORT ?? 54321)).api}`;
  let stop: (() => Promise<void>) | undefined;
  if (!(await reachable(apiUrl))) {
    const basePort = Number(process.env.BENCH_BASE_PORT ?? 21321);
    const { startStack } = await import('../stack.ts');
    const { RATE_LIMIT_ENV } = await import('../auth/limits.ts');
    // 100+ sign-ins and refreshes from one address: more than config.toml's per-IP limits allow.
    for (const name of Object.values(RATE_LIMIT_ENV)) process.env[name] ??= '1000000';
    process.stdout.write(`No stack on ${apiUrl}; starting one on ${basePort}...\n`);
    const stack = await startStack({ basePort, dataDir: join(ROOT, `.stack-bench-${basePort}`), fresh: true, log: () => undefined });
    apiUrl = `http://127.0.0.1:${portsFrom(basePort).api}`;
    stop = () => stack.stop();
  }
  try {
    const options = {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
    };
    const admin = createClient(apiUrl, KEYS.serviceRoleKey, options);
    const email = `bench-${Date.now().toString(36)}@bench.example`;
    const password = 'bench-password-1';
    const created = await admin.auth.admin.createUser({ email, password, email_confirm: true });
    if (created.error) throw created.error;

    const client = createClient(apiUrl, KEYS.anonKey, options);
    const signInTimes: number[] = [];
    const refreshTimes: number[] = [];
    for (let i = 0; i < TRIES + 3; i++) {
      const t0 = performance.now();
      const { error } = await client.auth.signInWithPassword({ email, password });
      const dt = performance.now() - t0;
      if (error) throw error;
      if (i >= 3) signInTimes.push(dt);
    }
    for (let i = 0; i < TRIES + 3; i++) {
      const t0 = performance.now();
      const { error } = await client.auth.refreshSession();
      const dt = performance.now() - t0;
      if (error) throw error;
      if (i >= 3) refreshTimes.push(dt);
    }
    await admin.auth.admin.deleteUser(created.data.user!.id);

    process.stdout.write(`\nAuth through the gateway at ${apiUrl} (supabase-js, ${TRIES} tries each)\n`);
    process.stdout.write(`${summary('password sign-in', signInTimes)}\n`);
    process.stdout.write(`${summary('token refresh', refreshTimes)}\n`);
  } finally {
    await stop?.();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
