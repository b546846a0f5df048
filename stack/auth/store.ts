/**
 * The auth schema as GoTrue reads and writes it: users (looked up as GoTrue
 * does, `instance_id` = the nil uuid), identities, one-time tokens, audit
 * log; and the user object as GoTrue serializes it.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import pg from 'pg';

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Timestamps stay as Postgres prints them; `rfc3339()` formats them as Go does. */
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 1184 || oid === 1114) return (v: string) => v;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export function createPool(dbUrl: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: dbUrl, max: 10, types: types as pg.CustomTypesConfig });
  pool.on('error', (err) => console.error('idle database connection failed:', err.message));
  return pool;
}

export type Db = pg.Pool | pg.PoolClient;

export async function tx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('begin');
    const out = await fn(c);
    await c.query('commit');
    return out;
  } catch (err) {
    await c.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** "2026-01-01 10:00:00.123456+00" → "2026-01-01T10:00:00.123456Z" */
export function rfc3339(v: string | null | undefined): string | undefined {
  if (!v) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?([+-]\d{2}(?::?\d{2})?|Z)?$/.exec(v);
  if (!m) return new Date(v).toISOString();
  const frac = m[3] ? m[3].replace(/0+$/, '') : '';
  let zone = m[4] ?? 'Z';
  if (/^[+-]00(:?00)?$/.test(zone) || zone === 'Z') zone = 'Z';
  else if (/^[+-]\d{2}$/.test(zone)) zone += ':00';
  return `${m[1]}T${m[2]}${frac === '.' ? '' : frac}${zone}`;
}

export function toMillis(v: string | null | undefined): number | undefined {
  const s = rfc3339(v);
  return s ? Date.parse(s) : undefined;
}

export interface UserRow {
  instance_id: string | null;
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: string | null;
  invited_at: string | null;
  confirmation_token: string | null;
  confirmation_sent_at: string | null;
  recovery_token: string | null;
  recovery_sent_at: string | null;
  email_change_token_new: string | null;
  email_change: string | null;
  email_change_sent_at: string | null;
  last_sign_in_at: string | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: string | null;
  updated_at: string | null;
  phone: string | null;
  phone_confirmed_at: string | null;
  phone_change: string | null;
  phone_change_sent_at: string | null;
  confirmed_at: string | null;
  email_change_token_current: string | null;
  email_change_confirm_status: number | null;
  banned_until: string | null;
  reauthentication_sent_at: string | null;
  is_sso_user: boolean;
  deleted_at: string | null;
  is_anonymous: boolean;
}

export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Record<string, unknown>;
  provider: string;
  last_sign_in_at: string | null;
  created_at: string | null;
  updated_at: string | null;
  email: string | null;
}

export const isConfirmed = (u: UserRow) => !!u.email_confirmed_at || !!u.phone_confirmed_at;
export const isBanned = (u: UserRow) => !!u.banned_until && (toMillis(u.banned_until) ?? 0) > Date.now();
export const hasPassword = (u: UserRow) => !!u.encrypted_password;

export async function findUserById(db: Db, id: string, forUpdate = false): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `select * from auth.users where instance_id = $1 and id = $2${forUpdate ? ' for update' : ''}`,
    [NIL_UUID, id],
  );
  return rows[0];
}

export async function findUserByEmail(db: Db, email: string, aud = 'authenticated'): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `select * from auth.users
      where instance_id = $1 and lower(email) = $2 and aud = $3 and is_sso_user = false
      limit 1`,
    [NIL_UUID, email.toLowerCase(), aud],
  );
  return rows[0];
}

export async function loadIdentities(db: Db, userId: string): Promise<IdentityRow[]> {
  const { rows } = await db.query<IdentityRow>(
    'select * from auth.identities where user_id = $1 order by created_at nulls first, id',
    [userId],
  );
  return rows;
}

export function identityJson(i: IdentityRow): Record<string, unknown> {
  const o: Record<string, unknown> = {
    identity_id: i.id,
    id: i.provider_id,
    user_id: i.user_id,
    identity_data: i.identity_data ?? {},
    provider: i.provider,
  };
  if (i.last_sign_in_at) o.last_sign_in_at = rfc3339(i.last_sign_in_at);
  o.created_at = rfc3339(i.created_at) ?? '0001-01-01T00:00:00Z';
  o.updated_at = rfc3339(i.updated_at) ?? '0001-01-01T00:00:00Z';
  if (i.email) o.email = i.email;
  return o;
}

/** The user as GoTrue serializes it (optional timestamps omitted when null). */
export function userJson(u: UserRow, identities: IdentityRow[] | null): Record<string, unknown> {
  const o: Record<string, unknown> = { id: u.id, aud: u.aud ?? '', role: u.role ?? '', email: u.email ?? '' };
  const opt = (key: string, v: string | null | undefined) => {
    if (v) o[key] = rfc3339(v);
  };
  opt('email_confirmed_at', u.email_confirmed_at);
  opt('invited_at', u.invited_at);
  o.phone = u.phone ?? '';
  opt('phone_confirmed_at', u.phone_confirmed_at);
  opt('confirmation_sent_at', u.confirmation_sent_at);
  opt('confirmed_at', u.confirmed_at);
  opt('recovery_sent_at', u.recovery_sent_at);
  if (u.email_change) o.new_email = u.email_change;
  opt('email_change_sent_at', u.email_change_sent_at);
  if (u.phone_change) o.new_phone = u.phone_change;
  opt('phone_change_sent_at', u.phone_change_sent_at);
  opt('reauthentication_sent_at', u.reauthentication_sent_at);
  opt('last_sign_in_at', u.last_sign_in_at);
  o.app_metadata = u.raw_app_meta_data ?? {};
  o.user_metadata = u.raw_user_meta_data ?? {};
  o.identities = identities ? identities.map(identityJson) : null;
  o.created_at = rfc3339(u.created_at) ?? '0001-01-01T00:00:00Z';
  o.updated_at = rfc3339(u.updated_at) ?? '0001-01-01T00:00:00Z';
  opt('banned_until', u.banned_until);
  opt('deleted_at', u.deleted_at);
  o.is_anonymous = u.is_anonymous ?? false;
  return o;
}

export async function fullUserJson(db: Db, u: UserRow): Promise<Record<string, unknown>> {
  return userJson(u, await loadIdentities(db, u.id));
}

// ---------------------------------------------------------------------------
// Creating users
// ---------------------------------------------------------------------------

export interface NewUser {
  id?: string;
  email: string;
  phone?: string;
  passwordHash: string | null;
  aud?: string;
  role?: string;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
  confirmed: boolean;
  invited?: boolean;
  bannedUntil?: string | null;
}

export async function insertUser(db: Db, n: NewUser): Promise<UserRow> {
  const { rows } = await db.query<UserRow>(
    `insert into auth.users (
       instance_id, id, aud, role, email, phone, encrypted_password,
       raw_app_meta_data, raw_user_meta_data, email_confirmed_at, invited_at, banned_until,
       confirmation_token, recovery_token, email_change_token_new, email_change,
       is_sso_user, is_anonymous, created_at, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9,
       case when $10::boolean then now() end, case when $11::boolean then now() end, $12,
       '', '', '', '', false, false, now(), now())
     returning *`,
    [
      NIL_UUID,
      n.id ?? randomUUID(),
      n.aud ?? 'authenticated',
      n.role ?? 'authenticated',
      n.email || null,
      n.phone || null,
      n.passwordHash ?? '',
      JSON.stringify(n.appMetadata),
      JSON.stringify(n.userMetadata),
      n.confirmed,
      n.invited ?? false,
      n.bannedUntil ?? null,
    ],
  );
  return rows[0]!;
}

export async function insertEmailIdentity(db: Db, user: UserRow, data: Record<string, unknown>): Promise<IdentityRow> {
  const { rows } = await db.query<IdentityRow>(
    `insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
     values (gen_random_uuid(), $1::text, $1::uuid, $2, 'email', now(), now(), now())
     returning *`,
    [user.id, JSON.stringify(data)],
  );
  return rows[0]!;
}

/** Marks the email confirmed, in the user and in its email identity. */
export async function confirmUser(db: Db, userId: string): Promise<void> {
  await db.query(
    `update auth.users set email_confirmed_at = coalesce(email_confirmed_at, now()), confirmation_token = '',
        raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": true}'::jsonb,
        updated_at = now()
      where id = $1`,
    [userId],
  );
  await db.query(
    `update auth.identities set identity_data = identity_data || '{"email_verified": true}'::jsonb, updated_at = now()
      where user_id = $1 and provider = 'email'`,
    [userId],
  );
  await db.query('delete from auth.one_time_tokens where user_id = $1', [userId]);
}

// ---------------------------------------------------------------------------
// One-time tokens: hex(sha224(email + otp)), "pkce_" prefixed in PKCE flows
// ---------------------------------------------------------------------------

export type OneTimeTokenType =
  | 'confirmation_token'
  | 'recovery_token'
  | 'email_change_token_new'
  | 'email_change_token_current'
  | 'reauthentication_token';

export function generateOtp(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String(randomInt(10));
  return s;
}

export function tokenHash(emailOrPhone: string, otp: string): string {
  return createHash('sha224').update(emailOrPhone + otp).digest('hex');
}

export async function saveOneTimeToken(
  db: Db,
  userId: string,
  type: OneTimeTokenType,
  hash: string,
  relatesTo: string,
): Promise<void> {
  await db.query(
    `insert into auth.one_time_tokens (id, user_id, token_type, token_hash, relates_to, created_at, updated_at)
     values (gen_random_uuid(), $1, $2, $3, $4, now() at time zone 'utc', now() at time zone 'utc')
     on conflict (user_id, token_type) do update
       set token_hash = excluded.token_hash, relates_to = excluded.relates_to,
           created_at = excluded.created_at, updated_at = excluded.updated_at`,
    [userId, type, hash, relatesTo.toLowerCase()],
  );
}

export interface OneTimeTokenRow {
  user_id: string;
  token_type: OneTimeTokenType;
  token_hash: string;
  created_at: string;
}

export async function findOneTimeToken(
  db: Db,
  hash: string,
  types: OneTimeTokenType[],
): Promise<OneTimeTokenRow | undefined> {
  const { rows } = await db.query<OneTimeTokenRow>(
    `select user_id, token_type::text as token_type, token_hash, created_at
       from auth.one_time_tokens
      where token_hash = $1 and token_type = any($2::auth.one_time_token_type[])
      limit 1`,
    [hash, types],
  );
  return rows[0];
}

export async function findOneTimeTokenOfUser(
  db: Db,
  userId: string,
  type: OneTimeTokenType,
): Promise<OneTimeTokenRow | undefined> {
  const { rows } = await db.query<OneTimeTokenRow>(
    `select user_id, token_type::text as token_type, token_hash, created_at
       from auth.one_time_tokens where user_id = $1 and token_type = $2`,
    [userId, type],
  );
  return rows[0];
}

// ---------------------------------------------------------------------------
// Audit log (what GoTrue records; payload without secrets)
// ---------------------------------------------------------------------------

export async function audit(
  db: Db,
  user: Pick<UserRow, 'id' | 'email'> | null,
  action: string,
  ip: string,
  traits: Record<string, unknown> = {},
  logType = 'account',
): Promise<void> {
  const payload = {
    actor_id: user?.id ?? NIL_UUID,
    actor_username: user?.email ?? '',
    actor_via_sso: false,
    action,
    log_type: logType,
    ...(Object.keys(traits).length ? { traits } : {}),
  };
  await db.query(
    `insert into auth.audit_log_entries (instance_id, id, payload, created_at, ip_address)
     values ($1, gen_random_uuid(), $2, now(), $3)`,
    [NIL_UUID, JSON.stringify(payload), ip.slice(0, 64)],
  );
}
