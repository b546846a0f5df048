/**
 * Reads committed changes of publication `supabase_realtime` through a
 * permanent logical replication slot (`pgoutput`) that this service owns.
 * The slot survives restarts of Postgres and of the service: after either, the
 * stream resumes from the slot's confirmed position. A transaction's position
 * is confirmed only once its changes have been handed over to the channels.
 */
import pg from 'pg';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';

export const SLOT_NAME = 'supabase_realtime_local';
export const PUBLICATION = 'supabase_realtime';

export interface RelationInfo {
  oid: number;
  schema: string;
  table: string;
  replicaIdentity: string;
  columns: { name: string; typeOid: number; isKey: boolean }[];
}

export interface RawChange {
  type: 'INSERT' | 'UPDATE' | 'DELETE';
  relation: RelationInfo;
  /** Text-format values (undefined = unchanged TOAST value not sent). */
  record: Record<string, string | null | undefined> | null;
  old: Record<string, string | null | undefined> | null;
}

export interface Transaction {
  commitTime: Date;
  changes: RawChange[];
  endLsn: string;
}

type Log = (line: string) => void;

/** Drops the slot (for db:reset): stops whoever streams from it first. */
export async function dropSlot(dbUrl: string, slot = SLOT_NAME): Promise<boolean> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    for (let i = 0; i < 50; i++) {
      const r = await client.query<{ active_pid: number | null }>(
        'select active_pid from pg_replication_slots where slot_name = $1',
        [slot],
      );
      if (r.rowCount === 0) return false;
      const pid = r.rows[0]!.active_pid;
      if (pid) {
        await client.query('select pg_terminate_backend($1)', [pid]);
        await new Promise((res) => setTimeout(res, 50));
        continue;
      }
      try {
        await client.query('select pg_drop_replication_slot($1)', [slot]);
        return true;
      } catch (err) {
        // Raced with a reconnecting stream: try again.
        if (!/is active/.test(String((err as Error).message))) throw err;
        await new Promise((res) => setTimeout(res, 50));
      }
    }
    throw new Error(`replication slot ${slot} stays active`);
  } finally {
    await client.end();
  }
}

/**
 * Creates the slot if it is missing; frees it from a stale holder; replaces it
 * when Postgres has invalidated it (its WAL was removed after falling more than
 * max_slot_wal_keep_size behind, e.g. a large import while the service was
 * down): such a slot can never stream again, and what it missed is gone.
 */
async function ensureSlot(dbUrl: string, slot: string, fromNow: boolean, log: Log): Promise<void> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const r = await client.query<{ active_pid: number | null; wal_status: string | null }>(
      'select active_pid, wal_status from pg_replication_slots where slot_name = $1',
      [slot],
    );
    const lost = r.rows[0]?.wal_status === 'lost' && !r.rows[0].active_pid;
    if (lost) {
      log(`replication slot ${slot} was invalidated by Postgres (its WAL was removed); creating it anew`);
      await client.query('select pg_drop_replication_slot($1)', [slot]);
    }
    if (r.rowCount === 0 || lost) {
      await client.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
      return;
    }
    if (fromNow && !r.rows[0]!.active_pid) {
      // Start from the end of WAL: what was sent while nobody streamed is
      // not delivered late (hosted streams from a new temporary slot).
      await client.query('select pg_replication_slot_advance($1, pg_current_wal_lsn())', [slot]);
      return;
    }
    const pid = r.rows[0]!.active_pid;
    if (pid) {
      // A previous run of this service that did not shut down cleanly.
      await client.query('select pg_terminate_backend($1)', [pid]);
      for (let i = 0; i < 40; i++) {
        const again = await client.query(
          'select 1 from pg_replication_slots where slot_name = $1 and active_pid is not null',
          [slot],
        );
        if (again.rowCount === 0) break;
        await new Promise((res) => setTimeout(res, 50));
      }
    }
  } finally {
    await client.end();
  }
}

/**
 * Reports `lsn` as written and flushed. pg-logical-replication's acknowledge()
 * reports its argument + 1; a walsender that is shutting down waits until the
 * reported position equals the end of WAL exactly, so pass one byte less.
 */
async function ackExactly(service: LogicalReplicationService, lsn: string): Promise<void> {
  const [hi, lo] = lsn.split('/').map((x) => BigInt(`0x${x}`));
  const v = ((hi! << 32n) | lo!) - 1n;
  if (v < 0n) return;
  const prev = `${(v >> 32n).toString(16).toUpperCase()}/${(v & 0xffffffffn).toString(16).toUpperCase()}`;
  await service.acknowledge(prev).catch(() => undefined);
}

export class ChangeStream {
  private service: LogicalReplicationService | null = null;
  private stopping = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private current: { commitTime: Date; changes: RawChange[] } | null = null;
  private queue: Transaction[] = [];
  private draining = false;
  private processedLsn: string | null = null;
  private relations = new Map<number, RelationInfo>();
  private startedOnce = false;
  /** Resolves each time the stream (re)starts; for status and tests. */
  connected = false;
  private firstStart: { resolve: () => void; reject: (e: Error) => void } | null = null;

  constructor(
    private opts: {
      dbUrl: string;
      slot?: string;
      publication?: string;
      /** Skip what was committed before the service (re)started (not on stream reconnects). */
      fromNow?: boolean;
      onTransaction: (tx: Transaction) => Promise<void>;
      onRelation?: (rel: RelationInfo) => void;
      onConnected?: () => void;
      log: Log;
    },
  ) {}

  get slot(): string {
    return this.opts.slot ?? SLOT_NAME;
  }

  /** Resolves once streaming has started the first time. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.firstStart = { resolve, reject };
      void this.connect();
    });
  }

  private async connect(): Promise<void> {
    if (this.stopping) return;
    this.current = null;
    try {
      await ensureSlot(this.opts.dbUrl, this.slot, this.opts.fromNow === true && !this.startedOnce, this.opts.log);
      this.startedOnce = true;
    } catch (err) {
      this.scheduleRetry(err as Error);
      return;
    }
    const service = new LogicalReplicationService(
      { connectionString: this.opts.dbUrl },
      { acknowledge: { auto: false, timeoutSeconds: 0 } },
    );
    this.service = service;
    const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [this.opts.publication ?? PUBLICATION] });
    // Keep values in Postgres text format: they are typed later by column type.
    const parse = plugin.parse.bind(plugin);
    plugin.parse = (buf: Buffer) => {
      const msg = parse(buf);
      if (msg.tag === 'relation') for (const c of msg.columns) c.parser = (raw: unknown) => raw;
      return msg;
    };
    service.on('start', () => {
      this.attempt = 0;
      this.connected = true;
      this.opts.log('replication stream started');
      this.opts.onConnected?.();
      if (this.firstStart) {
        this.firstStart.resolve();
        this.firstStart = null;
      }
    });
    service.on('data', (_lsn: string, msg: Pgoutput.Message) => this.onMessage(msg));
    service.on('heartbeat', (lsn: string, _ts: number, shouldRespond: boolean) => {
      if (!shouldRespond) return;
      // Every complete transaction received so far is in our queue (in
      // memory) and will be delivered even if Postgres goes away meanwhile,
      // so everything up to the server's end of WAL can be confirmed. This
      // also lets a shutting-down Postgres finish at once (it waits for its
      // walsenders' clients to confirm the shutdown checkpoint).
      const confirmed = this.current ? this.processedLsn : lsn;
      if (confirmed) void ackExactly(service, confirmed);
    });
    service.on('error', (err: Error) => {
      if (this.service === service) this.lost(service, err);
    });
    service
      .subscribe(plugin, this.slot)
      .then(() => {
        if (this.service === service) this.lost(service, new Error('replication stream ended'));
      })
      .catch((err: Error) => {
        if (this.service === service) this.lost(service, err);
      });
  }

  private lost(service: LogicalReplicationService, err: Error): void {
    if (this.service !== service) return;
    this.service = null;
    this.connected = false;
    void service.destroy().catch(() => undefined);
    if (this.stopping) return;
    this.scheduleRetry(err);
  }

  private scheduleRetry(err: Error): void {
    if (this.stopping) return;
    const delays = [100, 250, 500, 1000, 2000];
    const delay = delays[Math.min(this.attempt, delays.length - 1)]!;
    this.attempt++;
    if (this.attempt === 1 || this.attempt % 10 === 0) {
      this.opts.log(`replication stream unavailable (${err.message}); retrying`);
    }
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private onMessage(msg: Pgoutput.Message): void {
    switch (msg.tag) {
      case 'relation': {
        const rel: RelationInfo = {
          oid: msg.relationOid,
          schema: msg.schema,
          table: msg.name,
          replicaIdentity: msg.replicaIdentity,
          columns: msg.columns.map((c) => ({ name: c.name, typeOid: c.typeOid, isKey: (c.flags & 1) === 1 })),
        };
        this.relations.set(rel.oid, rel);
        this.opts.onRelation?.(rel);
        return;
      }
      case 'begin':
        this.current = { commitTime: new Date(Number((msg.commitTime as bigint) / 1000n)), changes: [] };
        return;
      case 'insert':
      case 'update':
      case 'delete': {
        const rel = this.relations.get(msg.relation.relationOid);
        if (!this.current || !rel) return;
        if (msg.tag === 'insert') {
          this.current.changes.push({ type: 'INSERT', relation: rel, record: msg.new, old: null });
        } else if (msg.tag === 'update') {
          this.current.changes.push({
            type: 'UPDATE',
            relation: rel,
            record: msg.new,
            old: msg.old ?? msg.key ?? null,
          });
        } else {
          this.current.changes.push({ type: 'DELETE', relation: rel, record: null, old: msg.old ?? msg.key ?? null });
        }
        return;
      }
      case 'commit': {
        const cur = this.current;
        this.current = null;
        if (!cur) return;
        this.queue.push({ commitTime: cur.commitTime, changes: cur.changes, endLsn: msg.commitEndLsn ?? '0/0' });
        void this.drain();
        return;
      }
      default:
        return;
    }
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length) {
        const tx = this.queue.shift()!;
        try {
          if (tx.changes.length) await this.opts.onTransaction(tx);
        } catch (err) {
          this.opts.log(`delivering a transaction failed: ${(err as Error).message}`);
        }
        this.processedLsn = tx.endLsn;
        if (this.service) await ackExactly(this.service, tx.endLsn);
      }
    } finally {
      this.draining = false;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const s = this.service;
    this.service = null;
    this.firstStart?.reject(new Error('stopped'));
    this.firstStart = null;
    await s?.destroy().catch(() => undefined);
  }
}
