/**
 * Sessions, refresh tokens and access tokens as GoTrue issues them: a
 * `sessions` row per sign-in, its AMR claims, a chain of 12-character refresh
 * tokens that rotate on every use (with reuse detection), and an HS256 JWT
 * carrying Supabase's claims.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors, type JWTPayload } from 'jose';
import type pg from 'pg';
import { ApiError, badRequest, forbidden } from './http.ts';
import { type Db, NIL_UUID, type UserRow, fullUserJson, isBanned, toMillis } from './store.ts';

export interface TokenConfig {
  secret: Uint8Array;
  issuer: string;
  expiry: number;
  rotation: boolean;
  reuseInterval: number;
}

export interface ClientInfo {
  ip: string;
  userAgent: string;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A v1 refresh token: 12 characters of [a-z0-9]. */
export function newRefreshToken(): string {
  let s = '';
  for (let i = 0; i < 12; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

export interface AmrEntry {
  method: string;
  timestamp: number;
}

async function sessionAmr(db: Db, sessionId: string): Promise<AmrEntry[]> {
  const { rows } = await db.query<{ authentication_method: string; ts: string }>(
    `select authentication_method, extract(epoch from updated_at)::bigint::text as ts
       from auth.mfa_amr_claims where session_id = $1 order by updated_at desc`,
    [sessionId],
  );
  return rows.map((r) => ({ method: r.authentication_method, timestamp: Number(r.ts) }));
}

export async function signAccessToken(
  cfg: TokenConfig,
  user: UserRow,
  sessionId: string,
  amr: AmrEntry[],
  aal = 'aal1',
): Promise<{ token: string; exp: number }> {
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + cfg.expiry;
  const claims = {
    iss: cfg.issuer,
    sub: user.id,
    aud: user.aud ?? '',
    exp,
    iat,
    email: user.email ?? '',
    phone: user.phone ?? '',
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role ?? '',
    aal,
    amr,
    session_id: sessionId,
    is_anonymous: user.is_anonymous ?? false,
  };
  const token = await new SignJWT(claims as unknown as JWTPayload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(cfg.secret);
  return { token, exp };
}

export interface SessionResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
  user: Record<string, unknown>;
  weak_password?: unknown;
}

async function tokenResponse(
  db: Db,
  cfg: TokenConfig,
  user: UserRow,
  sessionId: string,
  refreshToken: string,
  aal: string,
): Promise<SessionResponse> {
  const amr = await sessionAmr(db, sessionId);
  const { token, exp } = await signAccessToken(cfg, user, sessionId, amr, aal);
  return {
    access_token: token,
    token_type: 'bearer',
    expires_in: exp - Math.floor(Date.now() / 1000),
    expires_at: exp,
    refresh_token: refreshToken,
    user: await fullUserJson(db, user),
  };
}

/**
 * A new session for a user who just authenticated by `method` (password,
 * otp, magiclink, email/signup, recovery...): session row, AMR claim, first
 * refresh token, last_sign_in_at, and the session response.
 */
export async function issueSession(
  db: Db,
  cfg: TokenConfig,
  user: UserRow,
  method: string,
  client: ClientInfo,
): Promise<SessionResponse> {
  const sessionId = randomUUID();
  await db.query(
    `insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip, refresh_token_counter)
     values ($1, $2, now(), now(), 'aal1', $3, $4, 0)`,
    [sessionId, user.id, client.userAgent || null, ipOrNull(client.ip)],
  );
  await db.query(
    `insert into auth.mfa_amr_claims (id, session_id, created_at, updated_at, authentication_method)
     values (gen_random_uuid(), $1, now(), now(), $2)
     on conflict (session_id, authentication_method) do update set updated_at = excluded.updated_at`,
    [sessionId, method],
  );
  const refreshToken = await insertRefreshToken(db, user.id, sessionId, null);
  const { rows } = await db.query<UserRow>(
    'update auth.users set last_sign_in_at = now(), updated_at = now() where id = $1 returning *',
    [user.id],
  );
  return tokenResponse(db, cfg, rows[0] ?? user, sessionId, refreshToken, 'aal1');
}

function ipOrNull(ip: string): string | null {
  return /^[0-9a-fA-F:.]+$/.test(ip) && ip.length > 0 ? ip : null;
}

async function insertRefreshToken(db: Db, userId: string, sessionId: string, parent: string | null): Promise<string> {
  const token = newRefreshToken();
  await db.query(
    `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
     values ($1, $2, $3, false, now(), now(), $4, $5)`,
    [NIL_UUID, token, userId, parent, sessionId],
  );
  return token;
}

interface RefreshRow {
  id: string;
  token: string;
  user_id: string;
  revoked: boolean;
  updated_at: string;
  parent: string | null;
  session_id: string | null;
}

/**
 * grant_type=refresh_token, v1 tokens. Inside one transaction with the token
 * row locked: a live token rotates to a child; a revoked token that is the
 * parent of the session's live token gets that live token back; a revoked
 * token inside the reuse interval gets another child (only while the session
 * still has a live token); any other reuse revokes every token of the session
 * and fails with refresh_token_already_used, the newest token included.
 */
export async function refreshGrant(
  pool: pg.Pool,
  cfg: TokenConfig,
  token: string,
  client: ClientInfo,
): Promise<SessionResponse> {
  if (token.length !== 12 || !/^[a-z0-9]{12}$/.test(token)) {
    throw badRequest('validation_failed', 'Refresh token is not valid');
  }
  const c = await pool.connect();
  let committedError: ApiError | undefined;
  try {
    await c.query('begin');
    const { rows } = await c.query<RefreshRow>(
      'select * from auth.refresh_tokens where token = $1 for update',
      [token],
    );
    const rt = rows[0];
    if (!rt) throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
    if (!rt.session_id) throw badRequest('session_not_found', 'Invalid Refresh Token: No Valid Session Found');
    const { rows: sessions } = await c.query<{ id: string; not_after: string | null; aal: string | null }>(
      'select id, not_after, aal from auth.sessions where id = $1 for update',
      [rt.session_id],
    );
    const session = sessions[0];
    if (!session) throw badRequest('session_not_found', 'Invalid Refresh Token: No Valid Session Found');
    const { rows: users } = await c.query<UserRow>(
      'select * from auth.users where id = $1 and instance_id = $2',
      [rt.user_id, NIL_UUID],
    );
    const user = users[0];
    if (!user) throw badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
    if (isBanned(user)) throw badRequest('user_banned', 'Invalid Refresh Token: User Banned');
    if (session.not_after && (toMillis(session.not_after) ?? 0) < Date.now()) {
      throw badRequest('session_expired', 'Invalid Refresh Token: Session Expired');
    }

    let issued: string | undefined;
    if (rt.revoked) {
      const { rows: active } = await c.query<RefreshRow>(
        `select * from auth.refresh_tokens where session_id = $1 and revoked = false order by id desc limit 1`,
        [rt.session_id],
      );
      const withinReuse = Date.now() <= (toMillis(rt.updated_at) ?? 0) + cfg.reuseInterval * 1000;
      if (active[0] && active[0].parent === rt.token) {
        issued = active[0].token;
      } else if (withinReuse && active[0]) {
        // The reuse interval covers a client that refreshed twice at once, while
        // the session still has a live token. A session with none left had its
        // family revoked after a reuse: nothing of it is issued again. (GoTrue
        // 2.196 re-stamps updated_at when it revokes the family, which reopens
        // the interval for every token of the session; here it stays closed.)
        issued = await insertRefreshToken(c, user.id, rt.session_id, rt.token);
      } else if (cfg.rotation) {
        await c.query(
          'update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1 and revoked = false',
          [rt.session_id],
        );
        committedError = badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used');
        await c.query('commit');
        throw committedError;
      } else {
        issued = rt.token;
      }
    } else if (cfg.rotation) {
      await c.query('update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1', [rt.id]);
      issued = await insertRefreshToken(c, user.id, rt.session_id, rt.token);
    } else {
      issued = rt.token;
    }
    await c.query(
      `update auth.sessions set refreshed_at = now() at time zone 'utc', updated_at = now(), user_agent = $2, ip = $3
        where id = $1`,
      [rt.session_id, client.userAgent || null, ipOrNull(client.ip)],
    );
    const out = await tokenResponse(c, cfg, user, rt.session_id, issued, session.aal ?? 'aal1');
    await c.query('commit');
    return out;
  } catch (err) {
    if (err !== committedError) await c.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

// ---------------------------------------------------------------------------
// Verifying bearer tokens
// ---------------------------------------------------------------------------

export interface Claims extends JWTPayload {
  role?: string;
  session_id?: string;
  email?: string;
}

export function bearerToken(header: string | undefined): string {
  const m = /^[Bb]earer (\S+)$/.exec(header ?? '');
  if (!m) throw new ApiError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
  return m[1]!;
}

export async function verifyAccessToken(cfg: TokenConfig, token: string): Promise<Claims> {
  try {
    const { payload } = await jwtVerify(token, cfg.secret, { algorithms: ['HS256'] });
    return payload as Claims;
  } catch (err) {
    let why = 'token is malformed';
    if (err instanceof joseErrors.JWTExpired) why = 'token has invalid claims: token is expired';
    else if (err instanceof joseErrors.JWSSignatureVerificationFailed) why = 'token signature is invalid: signature is invalid';
    else if (err instanceof joseErrors.JOSEAlgNotAllowed) why = 'token signature is invalid: signing method not allowed';
    else if (err instanceof joseErrors.JWTClaimValidationFailed) why = `token has invalid claims: ${err.message}`;
    throw forbidden('bad_jwt', `invalid JWT: unable to parse or verify signature, ${why}`);
  }
}
