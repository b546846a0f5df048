/**
 * pg_net's background worker, outside Postgres: takes committed requests from
 * `net.http_request_queue` (woken by the NOTIFY its insert trigger sends at
 * commit, and polling every second), sends them concurrently, each with its
 * own timeout, and stores the outcome in `net._http_response` under the
 * request's id (status, content type, headers, body; or `timed_out` /
 * `error_msg`), as pg_net does. Responses older than pg_net's default TTL
 * (6 hours) are deleted.
 *
 * Inside the Supabase CLI's Docker network the database reaches the API
 * gateway as `http://api.supabase.internal:8000` (or `kong:8000`); requests to
 * those hosts go to this stack's gateway, so a seed can store that URL in
 * Vault exactly as a CLI project does. Logs name the method, host and path
 * only: never headers (keys) or bodies.
 */
import pg from 'pg';
import { listenLoop } from './listen.ts';

const GATEWAY_ALIASES = new Set(['api.supabase.internal:8000', 'kong:8000']);
const TTL = '6 hours';
const BATCH = 200;

interface Request {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Buffer | null;
  timeout_milliseconds: number;
}

export interface NetStats {
  sent: number;
  failed: number;
}

export function startNet(opts: { dbUrl: string; apiUrl: string; log: (line: string) => void; pollMs?: number }) {
  const pool = new pg.Pool({ connectionString: opts.dbUrl, max: 4 });
  pool.on('error', () => undefined);
  const stats: NetStats = { sent: 0, failed: 0 };
  let closed = false;
  let draining = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let lastCleanup = 0;
  const inFlight = new Set<Promise<void>>();

  const target = (url: string): string => {
    try {
      const u = new URL(url);
      if (u.protocol === 'http:' && GATEWAY_ALIASES.has(u.host)) {
        const gw = new URL(opts.apiUrl);
        u.protocol = gw.protocol;
        u.host = gw.host;
      }
      return u.toString();
    } catch {
      return url;
    }
  };

  const send = async (r: Request): Promise<void> => {
    let row: unknown[];
    const where = (() => {
      try {
        const u = new URL(r.url);
        return `${r.method} ${u.host}${u.pathname}`;
      } catch {
        return `${r.method} (a malformed URL)`;
      }
    })();
    try {
      const res = await fetch(target(r.url), {
        method: r.method,
        headers: r.headers,
        body: r.body && r.method !== 'GET' ? new Uint8Array(r.body) : undefined,
        signal: AbortSignal.timeout(r.timeout_milliseconds),
        redirect: 'follow',
      });
      const content = await res.text();
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => (headers[k] = v));
      row = [r.id, res.status, res.headers.get('content-type'), JSON.stringify(headers), content, false, null];
      stats.sent++;
      if (res.status >= 500) opts.log(`net: ${where} answered ${res.status}`);
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
      const msg = timedOut
        ? `Timeout of ${r.timeout_milliseconds} ms reached`
        : `Couldn't connect to server: ${e.cause?.code ?? e.cause?.message ?? e.message}`;
      row = [r.id, null, null, null, null, timedOut, msg];
      stats.failed++;
      opts.log(`net: ${where} failed: ${msg}`);
    }
    await pool
      .query(
        `insert into net._http_response (id, status_code, content_type, headers, content, timed_out, error_msg)
         values ($1, $2, $3, $4, $5, $6, $7)`,
        row,
      )
      .catch(() => undefined);
  };

  const drain = async (): Promise<void> => {
    if (closed) return;
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    try {
      do {
        again = false;
        const present = await pool.query<{ ok: boolean }>(`select to_regclass('net.http_request_queue') is not null as ok`);
        if (!present.rows[0]?.ok) break;
        const { rows } = await pool.query<Request>(
          `delete from net.http_request_queue where id in (
             select id from net.http_request_queue order by id limit ${BATCH} for update skip locked)
           returning id::text, method, url, headers, body, timeout_milliseconds`,
        );
        for (const r of rows) {
          const p = send(r).finally(() => inFlight.delete(p));
          inFlight.add(p);
        }
        if (rows.length === BATCH) again = true;
        if (Date.now() - lastCleanup > 60_000) {
          lastCleanup = Date.now();
          await pool.query(`delete from net._http_response where created < now() - interval '${TTL}'`);
        }
      } while (again && !closed);
    } catch {
      // Postgres away: the poll tries again
    } finally {
      draining = false;
    }
  };

  const poll = () => {
    if (closed) return;
    timer = setTimeout(() => void drain().finally(poll), opts.pollMs ?? 1000);
  };
  const stopListening = listenLoop(opts.dbUrl, 'net_http_request_queue', () => void drain());
  poll();

  return {
    stats,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await stopListening();
      await Promise.race([Promise.all(inFlight), new Promise((r) => setTimeout(r, 5000))]);
      await pool.end().catch(() => undefined);
    },
  };
}
