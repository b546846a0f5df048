/**
 * Phoenix channel frames as realtime-js speaks them.
 *
 * vsn 1.0.0: JSON objects `{join_ref, ref, topic, event, payload}` both ways.
 * vsn 2.0.0: JSON arrays `[join_ref, ref, topic, event, payload]`, plus binary
 * user broadcasts: kind 3 (client → server push) and kind 4 (server → client).
 * (realtime-js `lib/serializer.ts`; the server's `V2Serializer`; docs/realtime.md, 1.1 Frames.)
 */

export type Vsn = '1.0.0' | '2.0.0';

export interface Frame {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: unknown;
  /** For binary kind 3 pushes: the user payload bytes and their encoding. */
  binary?: { event: string; encoding: 'json' | 'binary'; body: Buffer; meta: Record<string, unknown> | null };
}

export class FrameError extends Error {
  constructor(
    message: string,
    public ref: string | null = null,
    public topic: string | null = null,
    public joinRef: string | null = null,
  ) {
    super(message);
  }
}

const KIND_USER_BROADCAST_PUSH = 3;
const KIND_USER_BROADCAST = 4;

const asRef = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;

function checkShape(joinRef: unknown, ref: unknown, topic: unknown, event: unknown, payload: unknown): Frame {
  const r = asRef(ref);
  const jr = asRef(joinRef);
  if (typeof topic !== 'string' || typeof event !== 'string') {
    throw new FrameError(
      'malformed message: topic and event must be strings',
      r,
      typeof topic === 'string' ? topic : null,
      jr,
    );
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new FrameError('malformed message: payload must be an object', r, topic, jr);
  }
  return { joinRef: jr, ref: r, topic, event, payload };
}

export function decodeText(text: string, vsn: Vsn): Frame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FrameError('malformed message: invalid JSON');
  }
  if (vsn === '2.0.0') {
    if (!Array.isArray(parsed) || parsed.length !== 5) {
      throw new FrameError('malformed message: expected [join_ref, ref, topic, event, payload]');
    }
    const [joinRef, ref, topic, event, payload] = parsed as unknown[];
    return checkShape(joinRef, ref, topic, event, payload);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new FrameError('malformed message: expected an object');
  }
  const o = parsed as Record<string, unknown>;
  return checkShape(o.join_ref, o.ref, o.topic, o.event, o.payload);
}

/** Binary frames from the client: only kind 3 (user broadcast push) exists. */
export function decodeBinary(buf: Buffer): Frame {
  if (buf.length < 7) throw new FrameError('malformed message: binary frame too short');
  const kind = buf[0];
  if (kind !== KIND_USER_BROADCAST_PUSH) throw new FrameError(`malformed message: unsupported binary kind ${kind}`);
  const lens = [buf[1]!, buf[2]!, buf[3]!, buf[4]!, buf[5]!];
  const enc = buf[6];
  let off = 7;
  const take = (n: number) => {
    if (off + n > buf.length) throw new FrameError('malformed message: binary frame truncated');
    const s = buf.subarray(off, off + n).toString('utf8');
    off += n;
    return s;
  };
  const joinRef = take(lens[0]!);
  const ref = take(lens[1]!);
  const topic = take(lens[2]!);
  const event = take(lens[3]!);
  const metaText = take(lens[4]!);
  const body = buf.subarray(off);
  let meta: Record<string, unknown> | null = null;
  if (metaText) {
    try {
      meta = JSON.parse(metaText) as Record<string, unknown>;
    } catch {
      throw new FrameError('malformed message: invalid metadata', ref || null, topic, joinRef || null);
    }
  }
  let payload: unknown;
  if (enc === 1) {
    try {
      payload = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      throw new FrameError('malformed message: invalid JSON payload', ref || null, topic, joinRef || null);
    }
  } else if (enc === 0) {
    payload = null;
  } else {
    throw new FrameError('malformed message: unknown payload encoding', ref || null, topic, joinRef || null);
  }
  return {
    joinRef: joinRef || null,
    ref: ref || null,
    topic,
    event: 'broadcast',
    payload: { type: 'broadcast', event, payload },
    binary: { event, encoding: enc === 1 ? 'json' : 'binary', body: Buffer.from(body), meta },
  };
}

/** A text frame; `payloadJson` lets callers pass an already serialised payload. */
export function encodeText(
  vsn: Vsn,
  joinRef: string | null,
  ref: string | null,
  topic: string,
  event: string,
  payload: unknown,
  payloadJson?: string,
): string {
  const p = payloadJson ?? JSON.stringify(payload);
  if (vsn === '2.0.0') {
    return `[${JSON.stringify(joinRef)},${JSON.stringify(ref)},${JSON.stringify(topic)},${JSON.stringify(event)},${p}]`;
  }
  const jr = joinRef === null ? '' : `,"join_ref":${JSON.stringify(joinRef)}`;
  return `{"topic":${JSON.stringify(topic)},"event":${JSON.stringify(event)},"payload":${p},"ref":${JSON.stringify(ref)}${jr}}`;
}

/** Kind 4: server → client user broadcast (vsn 2.0.0 only). */
export function encodeUserBroadcast(
  topic: string,
  event: string,
  encoding: 'json' | 'binary',
  body: Buffer,
  meta: Record<string, unknown> | null,
): Buffer {
  const t = Buffer.from(topic, 'utf8');
  const e = Buffer.from(event, 'utf8');
  const m = Buffer.from(meta && Object.keys(meta).length ? JSON.stringify(meta) : '', 'utf8');
  if (t.length > 255 || e.length > 255 || m.length > 255)
    throw new Error('broadcast header field longer than 255 bytes');
  const head = Buffer.from([KIND_USER_BROADCAST, t.length, e.length, m.length, encoding === 'json' ? 1 : 0]);
  return Buffer.concat([head, t, e, m, body]);
}
