/**
 * The channel layer: WebSocket connections speaking Phoenix (vsn 1.0.0 and
 * 2.0.0), channels joined on `realtime:<name>` topics, postgres_changes
 * dispatch, broadcast and presence (in memory). Behaviour follows hosted
 * Supabase Realtime (the `supabase/realtime` server and `realtime.apply_rls`;
 * docs/realtime.md).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import {
  FrameError,
  decodeBinary,
  decodeText,
  encodeText,
  encodeUserBroadcast,
  type Frame,
  type Vsn,
} from './protocol.ts';
import { makeVerifier, type Claims, type Verifier } from './jwt.ts';
import { FilterParseError, compilePattern, matches, parseFilter, type Condition } from './filters.ts';
import type { Authorizer, Extension, RelationMeta } from './rls.ts';
import { PUBLICATION, type RawChange, type Transaction } from './replication.ts';
import { valueFromText } from './values.ts';

/** Hosted Realtime delays join error replies (CHANNEL_ERROR_BACKOFF_MS). */
export const JOIN_ERROR_BACKOFF_MS = 5000;
/** Phoenix drops a socket with no inbound frame for this long. */
const IDLE_TIMEOUT_MS = 60_000;
/** Tokens are re-checked at least this often (and at their expiry). */
const TOKEN_CHECK_MAX_MS = 5 * 60_000;
const MAX_CHANNELS_PER_SOCKET = 100;

type Log = (line: string) => void;
type EventName = '*' | 'INSERT' | 'UPDATE' | 'DELETE';

interface PgSubscription {
  id: number;
  schema: string;
  table: string;
  event: EventName;
  conditions: Condition[];
  /** `select`: the columns wanted (the primary key always comes too); null = all. */
  select: string[] | null;
}

interface Channel {
  conn: Connection;
  topic: string;
  subTopic: string;
  /**
   * The fan-out group of broadcasts and presence: a private channel and a
   * public one of the same name are separate, as hosted keeps them (its
   * tenant topics `<id>-private:<name>` and `<id>:<name>`).
   */
  room: string;
  joinRef: string;
  token: string;
  claims: Claims;
  /** Grouping key memo: [version of the ignored-keys set, key]. */
  claimsKey: [number, string] | null;
  subs: PgSubscription[];
  broadcastSelf: boolean;
  broadcastAck: boolean;
  presenceKey: string;
  presenceEnabled: boolean;
  isPrivate: boolean;
  /**
   * Private channels: what the policies on realtime.messages allowed, per
   * extension (read checked at join and on each new token; write checked on
   * the first send and again after a new token). null = not checked yet.
   */
  policies: Record<'broadcastRead' | 'presenceRead' | 'broadcastWrite' | 'presenceWrite', boolean | null>;
  tokenTimer: NodeJS.Timeout | null;
}

/** A message sent from the database (realtime.send / broadcast_changes), as read from the replication stream. */
export interface DbMessage {
  id: string;
  topic: string;
  event: string;
  private: boolean;
  /** The payload's JSON text as stored (jsonb), or null when binary. */
  payloadJson: string | null;
  binary: Buffer | null;
}

interface Connection {
  id: number;
  ws: WebSocket;
  vsn: Vsn;
  apikey: string;
  channels: Map<string, Channel>;
  idleTimer: NodeJS.Timeout | null;
  queue: Promise<void>;
  closed: boolean;
}

interface PublicationInfo {
  /** "schema.table" of every published table. */
  published: Set<string>;
  /** "schema.table" → its columns. */
  columns: Map<string, Set<string>>;
  /** "schema.table" → the columns the subscriber's role may SELECT. */
  readable: Map<string, Set<string>>;
}

/** A deterministic, non-zero id for a postgres_changes binding (same params → same id). */
export function bindingId(params: unknown): number {
  const s = JSON.stringify(params);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % 134217727) + 1;
}

/**
 * Subscribers are grouped by claims for the RLS check. Claims that only
 * identify a token or session (`exp`, `iat`, `session_id`, `jti`) are left out
 * of the grouping key, but only while no policy or function in the database
 * mentions them (see Authorizer.unusedClaimKeys): then two sessions of the
 * same user are, for RLS, the same subscriber.
 */
function claimsKeyOf(claims: Claims, ignore: ReadonlySet<string>): string {
  const keys = Object.keys(claims)
    .filter((k) => !ignore.has(k))
    .sort();
  return JSON.stringify(claims, keys);
}

function phxRef(): string {
  return 'F' + randomBytes(9).toString('base64url');
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export class RealtimeServer {
  private verify: Verifier;
  private conns = new Set<Connection>();
  /** room (see Channel.room) → its channels. */
  private topics = new Map<string, Set<Channel>>();
  /** "schema.table" → channels with a postgres_changes subscription there; wildcards under "*". */
  private byTable = new Map<string, Set<Channel>>();
  private wildcard = new Set<Channel>();
  /** room → presence key → (channel → meta) */
  private presence = new Map<string, Map<string, Map<Channel, Record<string, unknown>>>>();
  private nextConnId = 1;

  constructor(private opts: { jwtSecret: string; authorizer: Authorizer; log: Log; joinErrorBackoffMs?: number }) {
    this.verify = makeVerifier(opts.jwtSecret);
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  // -------------------------------------------------------------------------
  // Connections
  // -------------------------------------------------------------------------

  /** Checks the apikey before the upgrade: an error message, or null when fine. */
  async checkConnect(
    req: IncomingMessage,
    url: URL,
  ): Promise<{ status: number; error: string } | { apikey: string; vsn: Vsn }> {
    const header = req.headers['x-api-key'];
    const apikey = (typeof header === 'string' && header) || url.searchParams.get('apikey');
    if (!apikey) return { status: 401, error: 'API key is missing' };
    const check = await this.verify(apikey);
    if (!check.ok) return { status: 401, error: check.message };
    const vsnParam = url.searchParams.get('vsn') ?? '1.0.0';
    if (vsnParam !== '1.0.0' && vsnParam !== '2.0.0')
      return { status: 400, error: `Unsupported serializer version ${vsnParam}` };
    return { apikey, vsn: vsnParam };
  }

  accept(ws: WebSocket, apikey: string, vsn: Vsn): void {
    const conn: Connection = {
      id: this.nextConnId++,
      ws,
      vsn,
      apikey,
      channels: new Map(),
      idleTimer: null,
      queue: Promise.resolve(),
      closed: false,
    };
    this.conns.add(conn);
    ws.binaryType = 'nodebuffer';
    this.touch(conn);
    ws.on('message', (data, isBinary) => {
      this.touch(conn);
      const buf = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data as ArrayBuffer);
      conn.queue = conn.queue
        .then(() => this.onFrame(conn, buf, isBinary))
        .catch((err: unknown) => {
          this.opts.log(`error handling a message: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        });
    });
    ws.on('close', () => this.dropConnection(conn));
    ws.on('error', () => this.dropConnection(conn));
  }

  private touch(conn: Connection): void {
    if (conn.idleTimer) clearTimeout(conn.idleTimer);
    conn.idleTimer = setTimeout(() => conn.ws.close(1000, 'idle timeout'), IDLE_TIMEOUT_MS);
    conn.idleTimer.unref();
  }

  private dropConnection(conn: Connection): void {
    if (conn.closed) return;
    conn.closed = true;
    if (conn.idleTimer) clearTimeout(conn.idleTimer);
    for (const ch of [...conn.channels.values()]) this.removeChannel(ch);
    this.conns.delete(conn);
  }

  closeAll(code = 1001, reason = 'server shutting down'): void {
    for (const conn of [...this.conns]) {
      try {
        conn.ws.close(code, reason);
      } catch {
        conn.ws.terminate();
      }
      this.dropConnection(conn);
    }
  }

  private send(
    conn: Connection,
    joinRef: string | null,
    ref: string | null,
    topic: string,
    event: string,
    payload: unknown,
    payloadJson?: string,
  ): void {
    if (conn.closed || conn.ws.readyState !== WebSocket.OPEN) return;
    conn.ws.send(encodeText(conn.vsn, joinRef, ref, topic, event, payload, payloadJson));
  }

  private reply(
    conn: Connection,
    frame: { joinRef: string | null; ref: string | null; topic: string },
    status: 'ok' | 'error',
    response: unknown,
  ): void {
    this.send(conn, frame.joinRef, frame.ref, frame.topic, 'phx_reply', { status, response });
  }

  private push(ch: Channel, event: string, payload: unknown): void {
    this.send(ch.conn, ch.joinRef, null, ch.topic, event, payload);
  }

  private systemMessage(ch: Channel, extension: string, status: 'ok' | 'error', message: string): void {
    this.push(ch, 'system', { extension, status, message, channel: ch.subTopic });
  }

  /** Ends a channel from the server side: system error, then phx_close. */
  private shutdownChannel(ch: Channel, message: string): void {
    this.systemMessage(ch, 'system', 'error', message);
    this.send(ch.conn, ch.joinRef, ch.joinRef, ch.topic, 'phx_close', {});
    this.removeChannel(ch);
  }

  // -------------------------------------------------------------------------
  // Frames
  // -------------------------------------------------------------------------

  private async onFrame(conn: Connection, buf: Buffer, isBinary: boolean): Promise<void> {
    let frame: Frame;
    try {
      frame = isBinary ? decodeBinary(buf) : decodeText(buf.toString('utf8'), conn.vsn);
    } catch (err) {
      const e = err instanceof FrameError ? err : new FrameError('malformed message');
      this.send(conn, e.joinRef, e.ref, e.topic ?? 'phoenix', 'phx_reply', {
        status: 'error',
        response: { reason: e.message },
      });
      return;
    }
    const { topic, event } = frame;
    if (topic === 'phoenix' && event === 'heartbeat') {
      this.reply(conn, frame, 'ok', {});
      return;
    }
    if (event === 'phx_join') return this.join(conn, frame);
    const ch = conn.channels.get(topic);
    if (event === 'phx_leave') {
      this.reply(conn, frame, 'ok', {});
      if (ch) {
        this.send(conn, ch.joinRef, ch.joinRef, ch.topic, 'phx_close', {});
        this.removeChannel(ch);
      }
      return;
    }
    if (!ch || (frame.joinRef !== null && frame.joinRef !== ch.joinRef)) {
      this.send(conn, null, frame.ref, topic, 'phx_reply', {
        status: 'error',
        response: { reason: 'unmatched topic' },
      });
      return;
    }
    const payload = frame.payload as Record<string, unknown>;
    switch (event) {
      case 'access_token':
        return this.accessToken(ch, payload);
      case 'broadcast':
        return this.broadcastFromClient(ch, frame);
      case 'presence':
        return this.presenceEvent(ch, frame);
      default:
        this.reply(conn, frame, 'error', { reason: `unknown event ${event}` });
    }
  }

  // -------------------------------------------------------------------------
  // Join
  // -------------------------------------------------------------------------

  private joinError(conn: Connection, frame: Frame, reason: string): void {
    const delay = this.opts.joinErrorBackoffMs ?? JOIN_ERROR_BACKOFF_MS;
    const t = setTimeout(() => this.reply(conn, frame, 'error', { reason }), delay);
    t.unref();
  }

  private async join(conn: Connection, frame: Frame): Promise<void> {
    const { topic } = frame;
    if (!topic.startsWith('realtime:')) {
      this.send(conn, null, frame.ref, topic, 'phx_reply', {
        status: 'error',
        response: { reason: 'unmatched topic' },
      });
      return;
    }
    const subTopic = topic.slice('realtime:'.length);
    if (!subTopic) return this.joinError(conn, frame, 'TopicNameRequired: You must provide a topic name');
    const joinRef = frame.joinRef ?? frame.ref ?? '';

    // A second join of the same topic replaces the first (Phoenix closes the old one).
    const previous = conn.channels.get(topic);
    if (previous) {
      this.send(conn, previous.joinRef, previous.joinRef, topic, 'phx_close', {});
      this.removeChannel(previous);
    }
    if (conn.channels.size >= MAX_CHANNELS_PER_SOCKET) {
      return this.joinError(conn, frame, 'ChannelRateLimitReached: Too many channels');
    }

    const payload = frame.payload as Record<string, unknown>;
    const config = isRecord(payload.config) ? payload.config : {};
    let token =
      (typeof payload.access_token === 'string' && payload.access_token) ||
      (typeof payload.user_token === 'string' && payload.user_token) ||
      '';
    if (!token || token.startsWith('sb_')) token = conn.apikey;
    const check = await this.verify(token);
    if (!check.ok) return this.joinError(conn, frame, `${check.code}: ${check.message}`);

    const broadcast = isRecord(config.broadcast) ? config.broadcast : {};
    const presence = isRecord(config.presence) ? config.presence : {};
    const isPrivate = truthy(config.private);
    if (isRecord(broadcast.replay) && !isPrivate) {
      return this.joinError(conn, frame, 'UnableToReplayMessages: Replay is not allowed for public channels');
    }
    const presenceEnabled = truthy(presence.enabled);
    let policies: Channel['policies'] = {
      broadcastRead: null,
      presenceRead: null,
      broadcastWrite: null,
      presenceWrite: null,
    };
    if (isPrivate) {
      const read = await this.readPolicies(check.claims, subTopic, presenceEnabled);
      if (!read || !(read.broadcastRead || read.presenceRead)) {
        return this.joinError(
          conn,
          frame,
          `Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}`,
        );
      }
      policies = { ...policies, ...read };
    }

    const ch: Channel = {
      conn,
      topic,
      subTopic,
      room: isPrivate ? `private|${topic}` : topic,
      joinRef,
      token,
      claims: check.claims,
      claimsKey: null,
      subs: [],
      broadcastSelf: truthy(broadcast.self),
      broadcastAck: truthy(broadcast.ack),
      presenceKey: typeof presence.key === 'string' && presence.key !== '' ? presence.key : randomUUID(),
      presenceEnabled,
      isPrivate,
      policies,
      tokenTimer: null,
    };

    // postgres_changes: each binding echoed with an id; valid ones registered
    // before the reply so no change committed after SUBSCRIBED is missed.
    const requested = Array.isArray(config.postgres_changes) ? config.postgres_changes : [];
    const echoed: Record<string, unknown>[] = [];
    const errors: string[] = [];
    let info: PublicationInfo | null = null;
    if (requested.length) {
      try {
        info = await this.publicationInfo(check.claims.role);
      } catch (err) {
        this.opts.log(`could not read publication ${PUBLICATION}: ${(err as Error).message}`);
      }
    }
    for (const item of requested) {
      const params = isRecord(item) ? item : {};
      const id = bindingId(params);
      echoed.push({ ...params, id });
      const parsed = this.parseSubscription(params, id, info);
      if (typeof parsed === 'string') errors.push(parsed);
      else ch.subs.push(parsed);
    }

    conn.channels.set(topic, ch);
    let set = this.topics.get(ch.room);
    if (!set) this.topics.set(ch.room, (set = new Set()));
    set.add(ch);
    for (const s of ch.subs) this.indexSub(ch, s);
    this.armTokenTimer(ch);

    this.reply(conn, frame, 'ok', { postgres_changes: echoed });

    if (requested.length) {
      if (errors.length) {
        this.systemMessage(ch, 'postgres_changes', 'error', errors.join('; '));
      } else {
        this.systemMessage(ch, 'postgres_changes', 'ok', 'Subscribed to PostgreSQL');
      }
    }
    if (ch.presenceEnabled && ch.policies.presenceRead !== false)
      this.push(ch, 'presence_state', this.presenceState(ch.room));
    if (truthy(broadcast.replication_ready)) {
      this.systemMessage(ch, 'system', 'ok', 'Replication connection established');
    }
  }

  private parseSubscription(
    params: Record<string, unknown>,
    id: number,
    info: PublicationInfo | null,
  ): PgSubscription | string {
    const rawEvent = typeof params.event === 'string' ? params.event.toUpperCase() : '*';
    const event: EventName = rawEvent === 'INSERT' || rawEvent === 'UPDATE' || rawEvent === 'DELETE' ? rawEvent : '*';
    let schema = typeof params.schema === 'string' && params.schema ? params.schema : undefined;
    let table = typeof params.table === 'string' && params.table ? params.table : undefined;
    if (!schema && table) schema = 'public';
    if (schema && !table) table = '*';
    if (!schema) schema = 'public';
    if (!table) table = '*';
    const describe = () =>
      `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [event: ${rawEvent}, schema: ${schema}, table: ${table}, filters: ${
        typeof params.filter === 'string' ? params.filter : '[]'
      }]`;
    let conditions: Condition[];
    try {
      conditions = parseFilter(typeof params.filter === 'string' ? params.filter : null);
    } catch (err) {
      if (err instanceof FilterParseError) return err.message;
      throw err;
    }
    if (Array.isArray(params.select) && (schema === '*' || table === '*')) {
      return 'Error parsing `select` params: select is not allowed on wildcard schema or table';
    }
    const select = Array.isArray(params.select)
      ? params.select.filter((c): c is string => typeof c === 'string')
      : null;
    if (info) {
      const any = [...info.published].some((t) => {
        const [s, n] = t.split('.');
        return (schema === '*' || s === schema) && (table === '*' || n === table);
      });
      if (!any) return describe();
      if (schema !== '*' && table !== '*') {
        const cols = info.columns.get(`${schema}.${table}`);
        if (cols && conditions.some((c) => !cols.has(c.column))) return describe();
        // As hosted's subscription_check_filters: a filter or `select` column
        // must be one the subscriber's role may read. Otherwise a filter
        // would test values the role has no privilege to see.
        const readable = info.readable.get(`${schema}.${table}`) ?? new Set<string>();
        const hidden = [...conditions.map((c) => c.column), ...(select ?? [])].find((c) => !readable.has(c));
        if (hidden !== undefined) {
          const kind = conditions.some((c) => c.column === hidden) ? 'filter' : 'select';
          return `Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [event: ${rawEvent}, schema: ${schema}, table: ${table}, filters: ${
            typeof params.filter === 'string' ? params.filter : '[]'
          }]. Exception: ERROR P0001 (raise_exception) invalid column for ${kind} ${hidden}`;
        }
      }
    }
    for (const c of conditions) {
      if (c.op !== 'match' && c.op !== 'imatch') continue;
      try {
        compilePattern(c.value ?? '', c.op === 'imatch');
      } catch (err) {
        return `Unable to subscribe to changes with given parameters. An exception happened so please check your connect parameters: [event: ${rawEvent}, schema: ${schema}, table: ${table}, filters: ${String(
          params.filter,
        )}]. Exception: ERROR P0001 (raise_exception) invalid regular expression for ${c.op} filter: ${(err as Error).message}`;
      }
    }
    return { id, schema, table, event, conditions, select };
  }

  /**
   * The published tables, their columns, and which of them `role` may SELECT
   * (hosted checks filter and `select` columns against the subscriber's
   * column privileges when the subscription is created).
   */
  private async publicationInfo(role: string): Promise<PublicationInfo> {
    const { rows } = await this.opts.authorizer.pool.query<{ t: string; col: string; readable: boolean }>(
      `select format('%s.%s', p.schemaname, p.tablename) as t, a.attname as col,
              coalesce(exists (select 1 from pg_roles where rolname = $2)
                       and has_column_privilege($2, c.oid, a.attnum, 'SELECT'), false) as readable
         from pg_publication_tables p
         join pg_class c on c.relname = p.tablename
         join pg_namespace n on n.oid = c.relnamespace and n.nspname = p.schemaname
         join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        where p.pubname = $1`,
      [PUBLICATION, role],
    );
    const published = new Set<string>();
    const columns = new Map<string, Set<string>>();
    const readable = new Map<string, Set<string>>();
    for (const r of rows) {
      published.add(r.t);
      let s = columns.get(r.t);
      if (!s) columns.set(r.t, (s = new Set()));
      s.add(r.col);
      let rd = readable.get(r.t);
      if (!rd) readable.set(r.t, (rd = new Set()));
      if (r.readable) rd.add(r.col);
    }
    return { published, columns, readable };
  }

  /**
   * Private channels, read side (hosted: Authorization.get_read_authorizations
   * at join and on every new access token): the broadcast extension, and
   * presence when the channel enables it. null when the check failed (a
   * policy that raises, no partition): the caller refuses.
   */
  private async readPolicies(
    claims: Claims,
    subTopic: string,
    presence: boolean,
  ): Promise<{ broadcastRead: boolean; presenceRead: boolean | null } | null> {
    const exts: Extension[] = presence ? ['broadcast', 'presence'] : ['broadcast'];
    try {
      const p = await this.opts.authorizer.permissions(claims, subTopic, exts, false);
      return { broadcastRead: p.broadcast === true, presenceRead: presence ? p.presence === true : null };
    } catch (err) {
      this.opts.log(`RlsPolicyError on ${subTopic}: ${(err as Error).message}`);
      return null;
    }
  }

  /** Private channels, write side: checked once, then cached until the token changes. */
  private async mayWrite(ch: Channel, ext: Extension): Promise<boolean> {
    const key = ext === 'broadcast' ? 'broadcastWrite' : 'presenceWrite';
    const known = ch.policies[key];
    if (known !== null) return known;
    try {
      const p = await this.opts.authorizer.permissions(ch.claims, ch.subTopic, [ext], true);
      ch.policies[key] = p[ext] === true;
    } catch (err) {
      this.opts.log(`RlsPolicyError on ${ch.subTopic}: ${(err as Error).message}`);
      return false;
    }
    return ch.policies[key]!;
  }

  private indexSub(ch: Channel, s: PgSubscription): void {
    if (s.schema === '*' || s.table === '*') {
      this.wildcard.add(ch);
      return;
    }
    const key = `${s.schema}.${s.table}`;
    let set = this.byTable.get(key);
    if (!set) this.byTable.set(key, (set = new Set()));
    set.add(ch);
  }

  private removeChannel(ch: Channel): void {
    const conn = ch.conn;
    if (conn.channels.get(ch.topic) === ch) conn.channels.delete(ch.topic);
    const set = this.topics.get(ch.room);
    set?.delete(ch);
    if (set && set.size === 0) this.topics.delete(ch.room);
    for (const s of ch.subs) {
      const key = `${s.schema}.${s.table}`;
      const t = this.byTable.get(key);
      t?.delete(ch);
      if (t && t.size === 0) this.byTable.delete(key);
    }
    this.wildcard.delete(ch);
    if (ch.tokenTimer) clearTimeout(ch.tokenTimer);
    ch.tokenTimer = null;
    this.untrack(ch);
  }

  // -------------------------------------------------------------------------
  // Tokens
  // -------------------------------------------------------------------------

  private armTokenTimer(ch: Channel): void {
    if (ch.tokenTimer) clearTimeout(ch.tokenTimer);
    const ms = Math.max(0, Math.min(TOKEN_CHECK_MAX_MS, ch.claims.exp * 1000 - Date.now()));
    ch.tokenTimer = setTimeout(() => {
      ch.tokenTimer = null;
      void this.confirmToken(ch);
    }, ms + 5);
    ch.tokenTimer.unref();
  }

  private async confirmToken(ch: Channel): Promise<void> {
    if (ch.conn.channels.get(ch.topic) !== ch) return;
    const check = await this.verify(ch.token);
    if (check.ok) return this.armTokenTimer(ch);
    this.shutdownChannel(ch, check.message);
  }

  private async accessToken(ch: Channel, payload: Record<string, unknown>): Promise<void> {
    const token = payload.access_token;
    if (typeof token !== 'string' || token === '' || token.startsWith('sb_') || token === ch.token) return;
    const check = await this.verify(token);
    if (!check.ok) {
      this.shutdownChannel(ch, check.message);
      return;
    }
    if (ch.isPrivate) {
      // Hosted re-evaluates the read policies with the new token and ends
      // the channel when a read permission it had is gone.
      const read = await this.readPolicies(check.claims, ch.subTopic, ch.policies.presenceRead !== null);
      const revoked =
        !read ||
        (ch.policies.broadcastRead === true && !read.broadcastRead) ||
        (ch.policies.presenceRead === true && read.presenceRead === false);
      if (revoked) {
        this.shutdownChannel(ch, `You no longer have permission to read from this Channel topic: ${ch.subTopic}`);
        return;
      }
      ch.policies = { ...read, broadcastWrite: null, presenceWrite: null };
    }
    ch.token = token;
    ch.claims = check.claims;
    ch.claimsKey = null;
    this.armTokenTimer(ch);
  }

  // -------------------------------------------------------------------------
  // Broadcast
  // -------------------------------------------------------------------------

  private async broadcastFromClient(ch: Channel, frame: Frame): Promise<void> {
    const payload = frame.payload as Record<string, unknown>;
    if (typeof payload.event !== 'string') {
      this.reply(ch.conn, frame, 'error', { reason: 'broadcast needs an event' });
      return;
    }
    // Private channels: a send needs INSERT rights on realtime.messages for
    // the topic (checked once per token); without them the message is
    // dropped and not acknowledged, as hosted does.
    if (ch.isPrivate && !(await this.mayWrite(ch, 'broadcast'))) return;
    this.fanOut(ch.room, payload.event, payload.payload ?? {}, frame.binary ?? null, ch.broadcastSelf ? null : ch);
    if (ch.broadcastAck) this.reply(ch.conn, frame, 'ok', {});
  }

  /** The fan-out room of a topic (see Channel.room). */
  static room(subTopic: string, isPrivate: boolean): string {
    return isPrivate ? `private|realtime:${subTopic}` : `realtime:${subTopic}`;
  }

  /**
   * Messages sent from the database, in commit order (the stream hands over
   * one transaction at a time): each to the channels of its topic's room
   * (private ones only to private channels, which the read policies let in),
   * framed as hosted frames a UserBroadcast: vsn 2.0.0 binary (kind 4, JSON
   * encoding, metadata {"id"}), vsn 1.0.0
   * {"type":"broadcast","event","payload","meta":{"id"}}.
   */
  deliverMessages(messages: DbMessage[]): void {
    for (const m of messages) {
      const set = this.topics.get(RealtimeServer.room(m.topic, m.private));
      if (!set) continue;
      const meta = { id: m.id };
      let json: string | undefined;
      let bin: Buffer | undefined;
      for (const target of set) {
        const conn = target.conn;
        if (conn.closed || conn.ws.readyState !== WebSocket.OPEN) continue;
        if (target.isPrivate && target.policies.broadcastRead !== true) continue;
        if (conn.vsn === '2.0.0') {
          bin ??= m.binary
            ? encodeUserBroadcast(target.topic, m.event, 'binary', m.binary, meta)
            : encodeUserBroadcast(target.topic, m.event, 'json', Buffer.from(m.payloadJson ?? 'null'), meta);
          conn.ws.send(bin);
          continue;
        }
        if (m.binary) continue; // raw bytes cannot travel as JSON (hosted: not delivered to vsn 1)
        json ??= `{"type":"broadcast","event":${JSON.stringify(m.event)},"payload":${m.payloadJson ?? 'null'},"meta":${JSON.stringify(meta)}}`;
        conn.ws.send(encodeText(conn.vsn, null, null, target.topic, 'broadcast', null, json));
      }
    }
  }

  /**
   * Sends a broadcast to every channel of `room` (see Channel.room: private
   * and public channels of one name are separate rooms) except `except`;
   * private channels whose read policies refused broadcast hear nothing.
   */
  fanOut(
    room: string,
    event: string,
    userPayload: unknown,
    binary: Frame['binary'] | null,
    except: Channel | null,
  ): void {
    const set = this.topics.get(room);
    if (!set) return;
    let json: string | undefined;
    let bin: Buffer | undefined;
    for (const target of set) {
      if (target === except) continue;
      const conn = target.conn;
      if (conn.closed || conn.ws.readyState !== WebSocket.OPEN) continue;
      if (target.isPrivate && target.policies.broadcastRead !== true) continue;
      const topic = target.topic;
      if (binary && conn.vsn === '2.0.0') {
        bin ??= encodeUserBroadcast(topic, event, binary.encoding, binary.body, binary.meta);
        conn.ws.send(bin);
        continue;
      }
      if (binary && binary.encoding === 'binary') continue; // raw bytes cannot travel as JSON
      json ??= JSON.stringify({ type: 'broadcast', event, payload: userPayload });
      conn.ws.send(encodeText(conn.vsn, null, null, topic, 'broadcast', null, json));
    }
  }

  // -------------------------------------------------------------------------
  // Presence
  // -------------------------------------------------------------------------

  private presenceState(room: string): Record<string, { metas: Record<string, unknown>[] }> {
    const state: Record<string, { metas: Record<string, unknown>[] }> = {};
    for (const [key, holders] of this.presence.get(room) ?? []) {
      if (holders.size) state[key] = { metas: [...holders.values()] };
    }
    return state;
  }

  private presenceDiff(room: string, joins: Record<string, unknown>, leaves: Record<string, unknown>): void {
    const set = this.topics.get(room);
    if (!set) return;
    const json = JSON.stringify({ joins, leaves });
    for (const target of set) {
      if (target.isPrivate && target.policies.presenceRead === false) continue;
      this.send(target.conn, null, null, target.topic, 'presence_diff', null, json);
    }
  }

  private async presenceEvent(ch: Channel, frame: Frame): Promise<void> {
    const payload = frame.payload as Record<string, unknown>;
    if (payload.event === 'track' && ch.isPrivate) {
      // Presence enabled by this track: read is authorised now if the join
      // skipped it, then write (hosted's PresenceHandler).
      if (ch.policies.presenceRead === null) {
        const read = await this.readPolicies(ch.claims, ch.subTopic, true);
        ch.policies.presenceRead = read?.presenceRead ?? false;
      }
      if (!(await this.mayWrite(ch, 'presence'))) {
        this.reply(ch.conn, frame, 'error', {});
        return;
      }
    }
    if (payload.event === 'track') {
      if (!isRecord(payload.payload)) {
        this.reply(ch.conn, frame, 'error', { reason: 'Presence track payload must be a map' });
        return;
      }
      let byKey = this.presence.get(ch.room);
      if (!byKey) this.presence.set(ch.room, (byKey = new Map()));
      let holders = byKey.get(ch.presenceKey);
      if (!holders) byKey.set(ch.presenceKey, (holders = new Map()));
      const previous = holders.get(ch);
      const meta: Record<string, unknown> = { ...payload.payload, phx_ref: phxRef() };
      holders.set(ch, meta);
      if (previous) {
        this.presenceDiff(
          ch.room,
          { [ch.presenceKey]: { metas: [{ ...meta, phx_ref_prev: previous.phx_ref }] } },
          { [ch.presenceKey]: { metas: [previous] } },
        );
      } else {
        this.presenceDiff(ch.room, { [ch.presenceKey]: { metas: [meta] } }, {});
      }
      this.reply(ch.conn, frame, 'ok', {});
      return;
    }
    if (payload.event === 'untrack') {
      this.untrack(ch);
      this.reply(ch.conn, frame, 'ok', {});
      return;
    }
    this.reply(ch.conn, frame, 'error', {});
  }

  private untrack(ch: Channel): void {
    const byKey = this.presence.get(ch.room);
    const holders = byKey?.get(ch.presenceKey);
    const meta = holders?.get(ch);
    if (!meta) return;
    holders!.delete(ch);
    if (holders!.size === 0) byKey!.delete(ch.presenceKey);
    if (byKey!.size === 0) this.presence.delete(ch.room);
    this.presenceDiff(ch.room, {}, { [ch.presenceKey]: { metas: [meta] } });
  }

  // -------------------------------------------------------------------------
  // postgres_changes
  // -------------------------------------------------------------------------

  /**
   * Delivers a committed transaction: finds the subscribers of each change's
   * table and event, authorises with one statement per table touched
   * (covering all its changed rows and all claims groups; for a single-row
   * commit that is one statement per change), then, in commit order, applies
   * the filters for the subscribers that may see each row and sends.
   */
  async deliverTransaction(tx: Transaction): Promise<void> {
    const commitTimestamp = tx.commitTime.toISOString();
    const prepared: Prepared[] = [];
    for (const change of tx.changes) {
      const p = await this.prepare(change);
      if (p) prepared.push(p);
    }
    if (!prepared.length) return;

    const authorizer = this.opts.authorizer;
    const { version, keys: ignore } = authorizer.unusedClaimKeys();
    const batches = new Map<string, Batch>();
    for (const p of prepared) {
      const checkRls = p.change.type !== 'DELETE';
      const key = `${p.meta.oid}:${checkRls}`;
      let b = batches.get(key);
      if (!b) {
        b = { meta: p.meta, checkRls, pkRows: [], claimsList: [], groups: new Map(), groupOf: new Map(), vis: null };
        batches.set(key, b);
      }
      p.batch = b;
      p.row = b.pkRows.length + 1;
      const pkSource = p.change.type === 'DELETE' ? p.change.old : p.change.record;
      b.pkRows.push(p.meta.pkCols.map((c) => (pkSource?.[c] ?? null) as string | null));
      for (const m of p.matched) {
        if (b.groupOf.has(m.ch)) continue;
        if (!m.ch.claimsKey || m.ch.claimsKey[0] !== version)
          m.ch.claimsKey = [version, claimsKeyOf(m.ch.claims, ignore)];
        let g = b.groups.get(m.ch.claimsKey[1]);
        if (g === undefined) {
          g = b.claimsList.length;
          b.groups.set(m.ch.claimsKey[1], g);
          b.claimsList.push(JSON.stringify(m.ch.claims));
        }
        b.groupOf.set(m.ch, g);
      }
    }
    for (const b of batches.values()) {
      const v = await withRetry(() => authorizer.visible(b.meta, b.pkRows, b.checkRls, b.claimsList));
      b.vis = { sets: v.visible.map((rows) => new Set(rows)), columns: v.columns, rls: v.rls };
    }
    for (const p of prepared) this.sendChange(p, commitTimestamp);
  }

  private candidates(schema: string, table: string): Channel[] {
    const out: Channel[] = [];
    for (const ch of this.byTable.get(`${schema}.${table}`) ?? []) out.push(ch);
    for (const ch of this.wildcard) if (!this.byTable.get(`${schema}.${table}`)?.has(ch)) out.push(ch);
    return out;
  }

  /**
   * Typed rows and the channels with a subscription to this table and event;
   * null if none. Filters are not looked at here: they are evaluated in
   * sendChange, only for subscribers that row level security lets see the row,
   * and only on columns their role may read.
   */
  private async prepare(change: RawChange): Promise<Prepared | null> {
    const { schema, table } = change.relation;
    const channels = this.candidates(schema, table);
    if (!channels.length) return null;
    const meta: RelationMeta = await withRetry(() => this.opts.authorizer.relation(change.relation.oid));

    const toTyped = (raw: Record<string, string | null | undefined> | null): Record<string, unknown> | null => {
      if (!raw) return null;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw)) {
        if (v === undefined) continue;
        const type = meta.types.get(k);
        out[k] = type ? valueFromText(v, type) : v;
      }
      return out;
    };
    const record = change.type === 'DELETE' ? null : toTyped(change.record);
    let old = toTyped(change.old);
    if (change.type === 'UPDATE' && record) {
      // Without REPLICA IDENTITY FULL the WAL has no old row: old = primary key.
      if (!old) old = Object.fromEntries(meta.pkCols.filter((c) => c in record).map((c) => [c, record[c]]));
      // Unchanged TOAST values are not in the WAL; take them from the old row.
      for (const [k, v] of Object.entries(old)) if (!(k in record)) record[k] = v;
    }

    const matched: { ch: Channel; subs: PgSubscription[] }[] = [];
    for (const ch of channels) {
      const subs = ch.subs.filter(
        (s) =>
          (s.schema === '*' || s.schema === schema) &&
          (s.table === '*' || s.table === table) &&
          (s.event === '*' || s.event === change.type),
      );
      if (subs.length) matched.push({ ch, subs });
    }
    if (!matched.length) return null;
    return { change, meta, record, old, matched, batch: null, row: 0 };
  }

  /**
   * The subscriptions of `subs` whose filters hold for this change, as seen by
   * a subscriber that may read `readable` (and, for INSERT/UPDATE, that row
   * level security already let see the row).
   *   INSERT/UPDATE: the filters test the new row's readable columns; a
   *     condition on any other column fails.
   *   DELETE on a table with RLS: Realtime cannot check RLS on a row that is
   *     gone, so the filters may learn nothing the payload does not carry: a
   *     condition on a primary-key column tests the key; a condition on any
   *     other column is not evaluated ("Delete events are not filterable").
   *   DELETE on a table without RLS: as hosted, the filters test the old row
   *     from the WAL (the whole row under REPLICA IDENTITY FULL, else the key),
   *     readable columns only; a condition on a column not there fails.
   */
  private passing(p: Prepared, subs: PgSubscription[], readable: ReadonlySet<string>, rls: boolean): PgSubscription[] {
    const { change, meta } = p;
    const source = change.type === 'DELETE' ? p.old : p.record;
    const row: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(source ?? {})) {
      if (readable.has(k) && (change.type !== 'DELETE' || !rls || meta.pkCols.includes(k))) row[k] = v;
    }
    return subs.filter((s) => {
      const conds =
        change.type === 'DELETE' && rls ? s.conditions.filter((c) => meta.pkCols.includes(c.column)) : s.conditions;
      return matches(conds, row, meta.typeNames);
    });
  }

  private sendChange(p: Prepared, commitTimestamp: string): void {
    const { change, meta, record, old } = p;
    const b = p.batch!;
    const vis = b.vis!;
    // The payload, once per role (columns the role may not read are left out).
    const dataByRole = new Map<string, string>();
    const dataFor = (role: string, select: string[] | null): string => {
      const cacheKey = select ? `${role}\u0000${select.join(',')}` : role;
      let json = dataByRole.get(cacheKey);
      if (json !== undefined) return json;
      const allowed = new Set((vis.columns[role] ?? []).filter((c) => !select || select.includes(c)));
      const pick = (row: Record<string, unknown> | null, only?: string[]) => {
        if (!row) return null;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(row)) {
          if (allowed.has(k) && (!only || only.includes(k))) out[k] = v;
        }
        return out;
      };
      const data: Record<string, unknown> = {
        schema: change.relation.schema,
        table: change.relation.table,
        commit_timestamp: commitTimestamp,
        type: change.type,
        columns: meta.columns.filter((c) => allowed.has(c.name)).map((c) => ({ name: c.name, type: c.type.name })),
      };
      if (change.type !== 'DELETE') data.record = pick(record);
      if (change.type === 'UPDATE') data.old_record = pick(old);
      if (change.type === 'DELETE') data.old_record = pick(old, vis.rls ? meta.pkCols : undefined);
      data.errors = null;
      json = JSON.stringify(data);
      dataByRole.set(cacheKey, json);
      return json;
    };
    const readableByRole = new Map<string, ReadonlySet<string>>();
    for (const m of p.matched) {
      const ch = m.ch;
      // Row level security first (INSERT/UPDATE), then the filters.
      if (!vis.sets[b.groupOf.get(ch)!]?.has(p.row)) continue;
      if (ch.conn.channels.get(ch.topic) !== ch) continue;
      const role = ch.claims.role;
      let readable = readableByRole.get(role);
      if (!readable) readableByRole.set(role, (readable = new Set(vis.columns[role] ?? [])));
      const subs = this.passing(p, m.subs, readable, vis.rls);
      if (!subs.length) continue;
      const ids: number[] = [];
      let select: Set<string> | null = new Set();
      for (const s of subs) {
        if (!ids.includes(s.id)) ids.push(s.id);
        if (select && s.select) for (const c of s.select) select.add(c);
        else select = null;
      }
      const payloadJson = `{"ids":${JSON.stringify(ids)},"data":${dataFor(role, select ? [...meta.pkCols, ...select] : null)}}`;
      this.send(ch.conn, null, null, ch.topic, 'postgres_changes', null, payloadJson);
    }
  }
}

/** A change matched by at least one channel, waiting for its authorisation. */
interface Prepared {
  change: RawChange;
  meta: RelationMeta;
  record: Record<string, unknown> | null;
  old: Record<string, unknown> | null;
  /** Channels with a subscription to this table and event (filters not yet applied). */
  matched: { ch: Channel; subs: PgSubscription[] }[];
  batch: Batch | null;
  /** 1-based position of this row in its batch. */
  row: number;
}

/** The changed rows of one table in one transaction, authorised in one statement. */
interface Batch {
  meta: RelationMeta;
  checkRls: boolean;
  pkRows: (string | null)[][];
  claimsList: string[];
  groups: Map<string, number>;
  groupOf: Map<Channel, number>;
  vis: { sets: Set<number>[]; columns: Record<string, string[]>; rls: boolean } | null;
}

function truthy(v: unknown): boolean {
  return v === true || v === 'true' || v === 1 || v === '1';
}

/** Postgres may be restarting: try a few times before giving a change up. */
async function withRetry<T>(fn: () => Promise<T>): Promise<T> {
  let lastErr: unknown;
  for (let i = 0; i < 20; i++) {
    try {
      return await fn();
    } catch (err) {
      lastErr = err;
      await new Promise((r) => setTimeout(r, 100 + i * 50));
    }
  }
  throw lastErr;
}
