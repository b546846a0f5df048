/**
 * The supervisor of the embedded local stack: starts Postgres, applies the
 * platform slice, migrations and seed, then PostgREST, the mail catcher, our
 * Node services (auth, realtime, functions, notifier) and the gateway; stops
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
export const NODE_SERVICES = ['auth', 'realtime', 'functions', 'notifier', 'sms'] as const;
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
  notifier: 'notifier',
};

export interface StartOptions {
  basePort?: number;
  dataDir?: string;
  siteUrl?: string;
  dev?: boolean;
  /** Start from an empty database (tests). */
  fresh?: boolean;
  log?: (service: string, line: string) => void;
}

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
  };

  const startPgrst = async () => {
    children.set('postgrest', await startPostgrest(ctx, (l) => log('postgrest', l)));
  };

  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    await gateway?.close().catch(() => undefined);
    await Promise.all([...children.values()].map((c) => c.stop()));
    await pgHandle?.stop().catch(() => undefined);
  };

  try {
    gateway = await startGateway(ctx);
    const mail = startMail().then(() => mark('mail'));
    pgHandle = await startPostgres({ dataDir: ctx.dataDir, port: ctx.ports.db, log: (l) => log('postgres', l) });
    mark('postgres');
    await migrate(ctx.dbUrl, { seed: 'auto', log: (l) => log('migrate', l) });
    mark('migrations');
    await Promise.all([
      startPgrst().then(() => mark('postgrest')),
      mail,
      ...NODE_SERVICES.map((n) => startNode(n).then(() => mark(n))),
    ]);
    mark('ready');
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
    },
    pids() {
      return [...children.values()].map((c) => c.proc.pid!).concat(pgHandle?.pid() ?? []).filter(Boolean);
    },
  };
}
