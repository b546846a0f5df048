/**
 * The local notifier: what makes the notification outbox drain on this
 * machine. Hosted Supabase uses pg_cron + pg_net instead (the end of
 * supabase/schemas/90_notifications.sql).
 *
 * It LISTENs on the `notification_jobs` channel (the enqueue trigger NOTIFYs
 * at commit) and calls the send-notifications edge function through the
 * gateway with the service-role key, as pg_net would on hosted. It also wakes
 * when the next retry is due and on a sweep interval (checking the outbox
 * first, so an idle stack makes no calls), so a missed NOTIFY or a restart
 * never strands a job. At most one call runs at a time; a NOTIFY that
 * arrives meanwhile triggers one more call right after.
 *
 * GET /health on ctx.ports.notifier answers 200 with its counters.
 * Env: NOTIFIER_SWEEP_MS (default 5000).
 */
import http from 'node:http';
import pg from 'pg';
import { KEYS, type StackContext } from '../config.ts';
import type { RunningService } from '../service.ts';

const CHANNEL = 'notification_jobs';

export async function start(ctx: StackContext): Promise<RunningService> {
  const sweepMs = Number(process.env.NOTIFIER_SWEEP_MS ?? 5000);
  const endpoint = `${ctx.apiUrl}/functions/v1/send-notifications`;
  const stats = { calls: 0, sweeps: 0, failures: 0, notifies: 0, listens: 0, lastResult: null as unknown, lastError: null as string | null };
  let closed = false;
  let running = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let listener: pg.Client | undefined;
  let query: pg.Pool | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const schedule = (ms: number) => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void wake(), Math.max(0, ms));
  };

  /** Milliseconds until the next job is due (retries), capped by the sweep. */
  const nextDueIn = async (): Promise<number> => {
    try {
      if (!query) {
        query = new pg.Pool({ connectionString: ctx.dbUrl, max: 1 });
        // an idle connection dropped by a Postgres restart: the pool replaces it
        query.on('error', () => undefined);
      }
      const { rows } = await query.query<{ ms: number | null }>(
        `select extract(epoch from (min(t) - now())) * 1000 as ms from (
           select min(next_attempt_at) as t from public.notification_jobs where state = 'pending'
           union all
           select min(locked_until) from public.notification_jobs where state = 'sending') x`,
      );
      const ms = rows[0]?.ms;
      return ms === null || ms === undefined ? sweepMs : Math.min(sweepMs, Math.max(0, Number(ms) + 20));
    } catch {
      // the database is away: try the sender anyway (it reports its own errors)
      return 0;
    }
  };

  /** A timer: call the sender only when something is due (a missed NOTIFY, a retry, an expired lease). */
  const wake = async (): Promise<void> => {
    if (closed || running) return;
    const due = await nextDueIn();
    if (due <= 20) return void drain();
    stats.sweeps++;
    schedule(due);
  };

  const drain = async (): Promise<void> => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    try {
      stats.calls++;
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { Authorization: `Bearer ${KEYS.serviceRoleKey}`, 'Content-Type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(120_000),
      });
      stats.lastResult = await res.json().catch(() => null);
      if (!res.ok) throw new Error(`send-notifications answered ${res.status}`);
      stats.lastError = null;
    } catch (err) {
      stats.failures++;
      stats.lastError = err instanceof Error ? err.message : String(err);
    } finally {
      running = false;
    }
    if (closed) return;
    if (again) return void drain();
    schedule(stats.lastError ? Math.min(sweepMs, 1000) : await nextDueIn());
  };

  const scheduleReconnect = () => {
    if (closed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void connectListener();
    }, 500);
  };

  /** LISTEN, reconnecting (every 0.5 s until it works) when Postgres restarts. */
  const connectListener = async (): Promise<void> => {
    if (closed) return;
    const client = new pg.Client({ connectionString: ctx.dbUrl });
    client.on('notification', () => {
      stats.notifies++;
      void drain();
    });
    client.on('error', () => undefined);
    client.on('end', () => {
      if (listener === client) listener = undefined;
      scheduleReconnect();
    });
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
      listener = client;
      stats.listens++;
      // Anything enqueued while we were not listening.
      void drain();
    } catch {
      await client.end().catch(() => undefined);
      scheduleReconnect();
    }
  };
  await connectListener();

  const server = http.createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: 'notifier', listening: Boolean(listener), running, ...stats }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.ports.notifier, '127.0.0.1', () => resolve());
  });

  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await listener?.end().catch(() => undefined);
      await query?.end().catch(() => undefined);
    },
  };
}
