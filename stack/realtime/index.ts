/**
 * The local Realtime service: Supabase Realtime's client-facing behaviour for
 * `@supabase/realtime-js` (through supabase-js) on ctx.ports.realtime.
 *
 *   GET  /health                         200 once serving
 *   GET  /websocket (upgrade)            Phoenix channels, vsn 1.0.0 / 2.0.0
 *   POST /api/broadcast                  REST broadcast (send() before join)
 *   POST /api/broadcast/:topic/events/:event   httpSend(), answers 202
 *
 * The gateway strips `/realtime/v1`. postgres_changes come from the logical
 * replication slot `supabase_realtime_local` (replication.ts), are filtered
 * per subscription and authorised under RLS in one statement per change
 * (rls.ts), then pushed to the joined channels (server.ts).
 */
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { KEYS, type StackContext } from '../config.ts';
import type { RunningService } from '../service.ts';
import { makeVerifier } from './jwt.ts';
import { ChangeStream, dropSlot, PUBLICATION, SLOT_NAME, type Transaction } from './replication.ts';
import { Authorizer } from './rls.ts';
import { RealtimeServer, type DbMessage } from './server.ts';
import { maintainMessages, MESSAGES_PUBLICATION, MESSAGES_SLOT, ensureMessagesPublication } from './messages.ts';

export { dropSlot, SLOT_NAME };

const WS_PATHS = new Set(['/websocket', '/socket/websocket', '/realtime/v1/websocket']);

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: http.IncomingMessage, limit = 3_000_000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error('payload too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface RealtimeOptions {
  /** Delay of join error replies (hosted: 5000 ms). */
  joinErrorBackoffMs?: number;
  log?: (line: string) => void;
  slot?: string;
  /** How long start() waits for the replication stream before it fails (default 10 s). */
  replicationTimeoutMs?: number;
  /** Slot for realtime.messages (default MESSAGES_SLOT). */
  messagesSlot?: string;
  /** How often partitions are created and old ones dropped (default 1 h). */
  janitorIntervalMs?: number;
}

/** The broadcast rows of a committed transaction, in order. */
function dbMessages(tx: Transaction): DbMessage[] {
  const out: DbMessage[] = [];
  for (const c of tx.changes) {
    if (c.type !== 'INSERT' || !c.record) continue;
    const r = c.record;
    if (r.extension !== 'broadcast' || !r.topic || !r.id) continue;
    const hex = r.binary_payload;
    out.push({
      id: r.id,
      topic: r.topic,
      event: r.event ?? '',
      private: r.private === 't',
      payloadJson: r.payload ?? null,
      binary: typeof hex === 'string' && hex.startsWith('\\x') ? Buffer.from(hex.slice(2), 'hex') : null,
    });
  }
  return out;
}

export async function start(ctx: StackContext, opts: RealtimeOptions = {}): Promise<RunningService> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const authorizer = new Authorizer(ctx.dbUrl, log);
  const realtime = new RealtimeServer({
    jwtSecret: KEYS.jwtSecret,
    authorizer,
    log,
    joinErrorBackoffMs: opts.joinErrorBackoffMs,
  });
  const stream = new ChangeStream({
    dbUrl: ctx.dbUrl,
    slot: opts.slot,
    onTransaction: (tx) => realtime.deliverTransaction(tx),
    onRelation: (rel) => authorizer.forget(rel.oid),
    log,
  });
  // Broadcast from Database: realtime.messages through its own publication
  // and slot, as hosted reads it (lib/realtime/tenants/replication_connection.ex).
  const messages = new ChangeStream({
    dbUrl: ctx.dbUrl,
    slot: opts.messagesSlot ?? MESSAGES_SLOT,
    publication: MESSAGES_PUBLICATION,
    fromNow: true,
    onTransaction: async (tx) => realtime.deliverMessages(dbMessages(tx)),
    log,
  });
  const verify = makeVerifier(KEYS.jwtSecret);

  /** Private REST broadcasts: the caller's INSERT rights on realtime.messages for the topic. */
  const mayWrite = async (claims: Record<string, unknown>, topic: string): Promise<boolean | 'error'> => {
    try {
      return (await authorizer.permissions(claims, topic, ['broadcast'], true)).broadcast === true;
    } catch (err) {
      log(`RlsPolicyError on ${topic}: ${(err as Error).message}`);
      return 'error';
    }
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/^\/realtime\/v1/, '').replace(/\/+$/, '') || '/';
    if (req.method === 'GET' && (path === '/health' || path === '/api/ping')) {
      json(res, 200, { status: 'ok', replication: stream.connected, connections: realtime.connectionCount });
      return;
    }
    const single = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/.exec(path);
    if (req.method === 'POST' && (path === '/api/broadcast' || single)) {
      void (async () => {
        const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
        const apikeyHeader = typeof req.headers.apikey === 'string' ? req.headers.apikey : undefined;
        const token = bearer && !bearer.startsWith('sb_') ? bearer : apikeyHeader;
        const check = token ? await verify(token) : null;
        if (!check?.ok) return json(res, 401, { message: 'Unauthorized' });
        let body: Buffer;
        try {
          body = await readBody(req);
        } catch {
          return json(res, 413, { message: 'Payload too large' });
        }
        if (single) {
          let topic: string;
          let event: string;
          try {
            topic = decodeURIComponent(single[1]!);
            event = decodeURIComponent(single[2]!);
          } catch {
            return json(res, 400, { message: 'Malformed topic or event in the path' });
          }
          const isPrivate = url.searchParams.get('private') === 'true';
          const room = RealtimeServer.room(topic, isPrivate);
          const type = req.headers['content-type'] ?? '';
          const isBinary = /octet-stream/.test(type);
          let payload: unknown = null;
          if (!isBinary) {
            try {
              payload = body.length ? JSON.parse(body.toString('utf8')) : {};
            } catch {
              return json(res, 400, { message: 'Invalid JSON body' });
            }
          }
          if (isPrivate) {
            // Hosted's SingleBroadcast: 403 without write rights, 422 when the check fails.
            const allowed = await mayWrite(check.claims, topic);
            if (allowed === 'error') return json(res, 422, { message: 'RLS policy error' });
            if (!allowed) return json(res, 403, { message: 'Unauthorized' });
          }
          if (isBinary) {
            realtime.fanOut(room, event, null, { event, encoding: 'binary', body, meta: null }, null);
          } else {
            realtime.fanOut(room, event, payload, null, null);
          }
          return json(res, 202, undefined);
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          return json(res, 400, { message: 'Invalid JSON body' });
        }
        const messages = (parsed as { messages?: unknown }).messages;
        if (!Array.isArray(messages)) return json(res, 422, { message: 'messages must be a list' });
        for (const m of messages as Record<string, unknown>[]) {
          if (!m || typeof m.topic !== 'string' || typeof m.event !== 'string') {
            return json(res, 422, { message: 'each message needs a topic and an event' });
          }
        }
        // Hosted's BatchBroadcast: public messages go out as they are;
        // private ones per topic only when the caller may INSERT into
        // realtime.messages for it (the service role always may), others are
        // dropped silently.
        const superUser = check.claims.role === 'service_role';
        const allowedTopics = new Map<string, boolean>();
        for (const m of messages as Record<string, unknown>[]) {
          const topic = m.topic as string;
          const isPrivate = m.private === true;
          if (isPrivate && !superUser) {
            let ok = allowedTopics.get(topic);
            if (ok === undefined) {
              ok = (await mayWrite(check.claims, topic)) === true;
              allowedTopics.set(topic, ok);
            }
            if (!ok) continue;
          }
          realtime.fanOut(RealtimeServer.room(topic, isPrivate), m.event as string, m.payload ?? {}, null, null);
        }
        json(res, 202, undefined);
      })().catch((err: unknown) => {
        log(`broadcast failed: ${String(err)}`);
        if (!res.headersSent) json(res, 500, { message: 'Internal error' });
      });
      return;
    }
    json(res, 404, { message: 'Not found' });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 3_000_000 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!WS_PATHS.has(url.pathname)) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    void realtime.checkConnect(req, url).then((result) => {
      if ('error' in result) {
        const body = JSON.stringify({ error: result.error });
        socket.end(
          `HTTP/1.1 ${result.status} ${result.status === 401 ? 'Unauthorized' : 'Bad Request'}\r\n` +
            `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => realtime.accept(ws, result.apikey, result.vsn));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.ports.realtime, '127.0.0.1', () => resolve());
  });

  authorizer.unusedClaimKeys(); // first check in the background
  // The janitor: today's partitions of realtime.messages and retention.
  const janitor = async () => {
    await maintainMessages(authorizer.pool).catch((err: Error) => log(`realtime.messages maintenance: ${err.message}`));
  };
  await janitor();
  const janitorTimer = setInterval(() => void janitor(), opts.janitorIntervalMs ?? 60 * 60_000);
  janitorTimer.unref();
  await ensureMessagesPublication(authorizer.pool).catch((err: Error) =>
    log(`could not create publication ${MESSAGES_PUBLICATION}: ${err.message}`),
  );
  await authorizer.warm(PUBLICATION).catch((err: Error) => log(`warm-up failed: ${err.message}`));
  // Wait (a bounded time) for the replication stream, so that subscribers
  // joining right after start-up do not miss changes or messages. A stream
  // that cannot start is a failed start (the supervisor reports it), never a
  // silent service that would deliver nothing.
  const replicationTimeoutMs = opts.replicationTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all([stream.start(), messages.start()]),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no stream after ${replicationTimeoutMs / 1000} s`)),
          replicationTimeoutMs,
        );
      }),
    ]);
  } catch (err) {
    const failedSlot = stream.connected ? messages.slot : stream.slot;
    clearInterval(janitorTimer);
    server.closeAllConnections();
    server.close();
    await stream.stop();
    await messages.stop();
    await authorizer.close();
    throw new Error(
      `the replication stream on slot ${failedSlot} did not start (${err instanceof Error ? err.message : String(err)}); ` +
        'see the "replication stream unavailable" line above',
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
  }

  return {
    async close() {
      realtime.closeAll();
      wss.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      clearInterval(janitorTimer);
      await stream.stop();
      await messages.stop();
      await authorizer.close();
    },
  };
}
