/**
 * The supervisor of the embedded local stack: starts Postgres, applies the
 * platform slice, migrations and seed, then PostgREST, the mail catcher, our
 * Node services (auth, realtime, functions, workers, the SMS catcher) and the gateway; stops
 * them all on request. `npm run stack` runs it in the foreground (stack/cli.ts);
 * tests call `startStack()` on their own ports.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CONTEXT_ENV, ROOT, makeContext, type StackContext, type StackPorts } from './config.ts';
import { migrate } from './migrate.ts';
import { startPostgres, type PostgresHandle } from './postgres.ts';
import { startPostgrest } from './postgrest.ts';
import { startGateway } from './gateway.ts';
import { isPortFree, startChild, type Child } from './process.ts';

/** Our own services, each `stack/<name>/main.ts`, listening on ctx.ports[name]. */
export const NODE_SERVICES = ['auth', 'realtime', 'functions', 'workers', 'sms'] as const;
export type NodeService = (typeof NODE_SERVICES)[number];

const PORT_NAMES: Record<keyof StackPorts, string> = {
  api: 'API gateway',
  db: 'Postgres',
  mailWeb: 'mail catcher web UI',
  smtp: 'mail catcher SMTP',
  sms: 'SMS catcher',
  postgrest: 'PostgREST',
  postgrestAdmin: 'PostgREST admin',
  auth: 'auth service',
  realtime: 'realtime service',
  functions: 'edge functions',
  workers: 'workers (pg_cron, pg_net)',
};

export interface StartOptions {
  basePort?: number;
  dataDir?: string;
  siteUrl?: string;
  dev?: boolean;
  /** Start from an empty database (tests). */
  fresh?: boolean;
  /** More edge-function folders to serve after supabase/functions (test fixtures). */
  extraFunctionDirs?: string[];
  /** Another migrations folder than supabase/migrations (tests). */
  migrationsDir?: string;
  log?: (service: string, line: string) => void;
  /**
   * A service exited after it was ready, without being asked to: called at
   * once with its exit and last output lines, and what the supervisor does.
   * Without it the report goes to `log('supervisor', …)`.
   */
  onCrash?: (report: CrashReport) => void;
}

export interface CrashReport {
  service: string;
  code: number | null;
  signal: string | null;
  /** Its last output lines (at most 20). */
  lastLines: string[];
  /** `restart` in `delayMs`, or `stop`: the stack stops and `failure` resolves. */
  action: 'restart' | 'stop';
  delayMs: number;
  /** One line a person reads, then the last lines, indented. */
  message: string;
}

/** Restart delays after a crash; a sixth crash within CRASH_WINDOW_MS stops the stack. */
export const RESTART_DELAYS_MS = [250, 1000, 2000, 4000, 8000];
const CRASH_WINDOW_MS = 60_000;

export interface StackHandle {
  ctx: StackContext;
  timings: Record<string, number>;
  freshDatabase: boolean;
  stop(): Promise<void>;
  restartService(name: NodeService | 'postgrest' | 'mail'): Promise<void>;
  stopService(name: NodeService | 'postgrest' | 'mail'): Promise<void>;
  startService(name: NodeService | 'postgrest' | 'mail'): Promise<void>;
  restartPostgres(): Promise<void>;
  pids(): number[];
  /**
   * Resolves (never rejects) when the supervisor gave up: Postgres died, or a
   * service kept crashing. Everything is stopped by then; the CLI exits 1.
   */
  failure: Promise<Error>;
}

export class PortInUseError extends Error {}

async function checkPorts(ports: StackPorts): Promise<void> {
  const busy: string[] = [];
  await Promise.all(
    (Object.keys(ports) as (keyof StackPorts)[]).map(async (k) => {
      if (!(await isPortFree(ports[k]))) busy.push(`port ${ports[k]} (${PORT_NAMES[k]})`);
    }),
  );
  if (busy.length) {
    throw new PortInUseError(
      `Cannot start: ${busy.sort().join(', ')} ${busy.length > 1 ? 'are' : 'is'} already in use. ` +
        `Is another stack running? Stop it, or choose other ports with STACK_BASE_PORT.`,
    );
  }
}

export async function startStack(opts: StartOptions = {}): Promise<StackHandle> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const mark = (k: string) => (timings[k] = Math.round(performance.now() - t0));
  const ctx = makeContext(opts);
  const log = opts.log ?? (() => undefined);
  await checkPorts(ctx.ports);
  if (opts.fresh) await rm(ctx.dataDir, { recursive: true, force: true });
  await mkdir(ctx.dataDir, { recursive: true });

  const children = new Map<string, Child>();
  let pgHandle: PostgresHandle | undefined;
  let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
  let stopped = false;

  const startMail = async () => {
    const child = startChild(
      'mail',
      process.execPath,
      [
        join(ROOT, 'node_modules', 'maildev', 'dist', 'bin', 'maildev.js'),
        '--smtp', String(ctx.ports.smtp), '--ip', '127.0.0.1',
        '--web', String(ctx.ports.mailWeb), '--web-ip', '127.0.0.1',
        '--mail-directory', join(ctx.dataDir, 'mail'),
        '--silent',
      ],
      { log: (l) => log('mail', l) },
    );
    children.set('mail', child);
    await child.waitForLine('mail catcher', /MailDev (API|webapp) running/);
    watch('mail', child);
  };

  const startNode = async (name: NodeService) => {
    // Realtime runs subscribers' filter patterns: V8's linear-time regex engine
    // keeps a pathological one from stalling it (stack/realtime/filters.ts).
    const v8Flags = name === 'realtime' ? ['--enable-experimental-regexp-engine'] : [];
    const args = [...v8Flags, '--import', 'tsx', join(ROOT, 'stack', name, 'main.ts')];
    const child = startChild(name, process.execPath, args, {
      env: { [CONTEXT_ENV]: JSON.stringify(ctx), NODE_NO_WARNINGS: '1' },
      cwd: ROOT,
      log: (l) => log(name, l),
      quietPattern: /^\w+ ready$/,
    });
    children.set(name, child);
    await child.waitForLine(`${name} service`, new RegExp(`^${name} ready$`));
    watch(name, child);
  };

  const startPgrst = async () => {
    const child = await startPostgrest(ctx, (l) => log('postgrest', l));
    children.set('postgrest', child);
    watch('postgrest', child);
  };

  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    for (const t of restartTimers) clearTimeout(t);
    await gateway?.close().catch(() => undefined);
    await Promise.all([...children.values()].map((c) => c.stop()));
    await pgHandle?.stop().catch(() => undefined);
  };

  // --- watching: a service that exits after it was ready ---------------------
  let giveUp: (err: Error) => void = () => undefined;
  const failure = new Promise<Error>((resolve) => (giveUp = resolve));
  const crashes = new Map<string, number[]>();
  const restartTimers = new Set<NodeJS.Timeout>();
  let ready = false;

  const report = (r: CrashReport) => {
    if (opts.onCrash) opts.onCrash(r);
    else for (const line of r.message.split('\n')) log('supervisor', line);
  };

  /** What happens when `child` (ready) exits unasked: report, then restart it or stop the stack. */
  function watch(name: string, child: Child): void {
    void child.exited.then(async (code) => {
      if (stopped || child.stopRequested()) return;
      await child.drained;
      if (stopped || child.stopRequested()) return;
      const signal = child.exitSignal();
      const now = Date.now();
      const recent = (crashes.get(name) ?? []).filter((t) => now - t < CRASH_WINDOW_MS).concat(now);
      crashes.set(name, recent);
      const canRestart = name !== 'postgres' && ready && recent.length <= RESTART_DELAYS_MS.length;
      const delayMs = canRestart ? RESTART_DELAYS_MS[recent.length - 1]! : 0;
      const lastLines = child.tail().split('\n').filter(Boolean).slice(-20);
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const what = canRestart
        ? `restarting it in ${delayMs} ms (crash ${recent.length} of ${RESTART_DELAYS_MS.length} allowed per minute)`
        : name === 'postgres'
          ? 'stopping the stack: every service needs the database'
          : `stopping the stack: it crashed ${recent.length} times within a minute`;
      const message = [
        `${name} ${how} after it was ready; ${what}.`,
        lastLines.length ? `Last output of ${name}:` : `${name} printed nothing.`,
        ...lastLines.map((l) => `  | ${l}`),
      ].join('\n');
      report({ service: name, code, signal, lastLines, action: canRestart ? 'restart' : 'stop', delayMs, message });
      if (!canRestart) {
        await stopAll();
        giveUp(new Error(`${name} ${how}; the stack stopped`));
        return;
      }
      const timer = setTimeout(() => {
        restartTimers.delete(timer);
        if (stopped || children.get(name) !== child) return;
        children.delete(name);
        starters[name]!().then(
          () => log('supervisor', `${name} restarted`),
          (err: unknown) => {
            // A start that fails is one more crash: the same backoff, then the loud stop.
            log('supervisor', `${name} did not start again: ${err instanceof Error ? err.message : String(err)}`);
            const failed = children.get(name);
            if (failed) watch(name, failed);
            else void stopAll().then(() => giveUp(new Error(`${name} could not be restarted`)));
          },
        );
      }, delayMs);
      restartTimers.add(timer);
    });
  }

  try {
    gateway = await startGateway(ctx);
    const mail = startMail().then(() => mark('mail'));
    // Stopped with the rest if a step before it fails (a migration): that
    // step's error is the one to report, not the mail catcher's exit.
    mail.catch(() => undefined);
    pgHandle = await startPostgres({ dataDir: ctx.dataDir, port: ctx.ports.db, log: (l) => log('postgres', l) });
    watch('postgres', pgHandle.child);
    mark('postgres');
    await migrate(ctx.dbUrl, { seed: 'auto', log: (l) => log('migrate', l), migrationsDir: opts.migrationsDir });
    mark('migrations');
    await Promise.all([
      startPgrst().then(() => mark('postgrest')),
      mail,
      ...NODE_SERVICES.map((n) => startNode(n).then(() => mark(n))),
    ]);
    mark('ready');
    ready = true;
  } catch (err) {
    await stopAll();
    throw err;
  }

  const starters: Record<string, () => Promise<void>> = {
    postgrest: startPgrst,
    mail: startMail,
    ...Object.fromEntries(NODE_SERVICES.map((n) => [n, () => startNode(n)])),
  };

  return {
    ctx,
    timings,
    freshDatabase: pgHandle.fresh,
    failure,
    stop: stopAll,
    async stopService(name) {
      await children.get(name)?.stop();
      children.delete(name);
    },
    async startService(name) {
      await starters[name]!();
    },
    async restartService(name) {
      await children.get(name)?.stop();
      children.delete(name);
      await starters[name]!();
    },
    async restartPostgres() {
      await pgHandle?.stop();
      pgHandle = await startPostgres({ dataDir: ctx.dataDir, port: ctx.ports.db, log: (l) => log('postgres', l) });
      watch('postgres', pgHandle.child);
    },
    pids() {
      return [...children.values()].map((c) => c.proc.pid!).concat(pgHandle?.pid() ?? []).filter(Boolean);
    },
  };
}
