/**
 * What every Auth route group shares: the parsed config, the pool, the rate
 * limiter and mailer, input validation, password hashing, and who is calling.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import bcrypt from 'bcryptjs';
import { KEYS, loadSupabaseConfig, type StackContext, type SupabaseConfig } from '../config.ts';
import {
  WeakPasswordError,
  badRequest,
  forbidden,
  internal,
  parseJsonBody,
  readBody,
  unprocessable,
  type Json,
} from './http.ts';
import { RateLimiter, withEnvOverrides } from './limits.ts';
import { Mailer } from './mailer.ts';
import { phoneAuth, phoneConfig } from './phone.ts';
import { RedirectPolicy } from './redirect.ts';
import { type Claims, type ClientInfo, type TokenConfig, bearerToken, verifyAccessToken } from './sessions.ts';
import { NIL_UUID, type Db, type UserRow, createPool, findUserById, insertEmailIdentity, insertUser } from './store.ts';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL_RE =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
export const ADMIN_ROLES = new Set(['service_role', 'supabase_admin']);
export const FLOW_STATE_EXPIRY_SECONDS = 300;
export const DUPLICATE_EMAIL = 'A user with this email address has already been registered';

const PASSWORD_REQUIREMENTS: Record<string, string[]> = {
  letters_digits: ['abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789'],
  lower_upper_letters_digits: ['abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789'],
  lower_upper_letters_digits_symbols: [
    'abcdefghijklmnopqrstuvwxyz',
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    '0123456789',
    '!@#$%^&*()_+-=[]{};\'\\:"|<>?,./`~',
  ],
};

export type Ctx = {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  client: ClientInfo;
};

export type AuthedCtx = Ctx & { claims: Claims; user: UserRow; sessionId: string | null };

export interface AuthOptions {
  /** Another parsed config.toml (tests run a second instance with confirmations on). */
  config?: SupabaseConfig;
}

export function createCore(ctx: StackContext, opts: AuthOptions) {
  const conf = opts.config ?? loadSupabaseConfig();
  const a = conf.auth;
  const rawAuth = (conf.raw.auth ?? {}) as Record<string, unknown>;
  const rawEmail = (rawAuth.email ?? {}) as Record<string, unknown>;
  const rawSmtp = (rawEmail.smtp ?? {}) as Record<string, unknown>;
  const siteUrl = ctx.siteUrl || a.siteUrl;
  const externalUrl = `${ctx.apiUrl}/auth/v1`;
  const policy = new RedirectPolicy(siteUrl, a.additionalRedirectUrls);
  const autoconfirm = !a.email.enableConfirmations;
  const secureEmailChange = a.email.doubleConfirmChanges;
  const requirement = PASSWORD_REQUIREMENTS[String(rawAuth.password_requirements ?? '')] ?? [];
  const tokens: TokenConfig = {
    secret: new TextEncoder().encode(KEYS.jwtSecret),
    issuer: externalUrl,
    expiry: a.jwtExpiry,
    rotation: a.enableRefreshTokenRotation,
    reuseInterval: a.refreshTokenReuseInterval,
  };
  const pool = createPool(ctx.dbUrl);
  // The stack's own instance reads config.toml and takes GOTRUE_RATE_LIMIT_* overrides;
  // an instance given its own config (tests) gets exactly that config's limits.
  const limiter = new RateLimiter(opts.config ? a.rateLimit : withEnvOverrides(a.rateLimit, process.env));
  // Without [auth.email.smtp] in config.toml, the sender a Supabase CLI stack uses locally.
  const senderName = typeof rawSmtp.sender_name === 'string' && rawSmtp.sender_name ? rawSmtp.sender_name : 'Admin';
  const senderEmail =
    typeof rawSmtp.admin_email === 'string' && rawSmtp.admin_email ? rawSmtp.admin_email : 'admin@email.com';
  const mailer = new Mailer({
    smtpPort: ctx.ports.smtp,
    templates: a.email.templates,
    from: `"${senderName}" <${senderEmail}>`,
  });

  // -------------------------------------------------------------------------
  // Validation helpers
  // -------------------------------------------------------------------------

  function validateEmail(email: string): string {
    if (email === '') throw badRequest('validation_failed', 'An email address is required');
    if (email.length > 255) throw badRequest('validation_failed', 'An email address is too long');
    if (!EMAIL_RE.test(email))
      throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
    return email.toLowerCase();
  }

  function passwordProblems(password: string): { message: string; reasons: string[] } | undefined {
    const reasons: string[] = [];
    const messages: string[] = [];
    if ([...password].length < a.minimumPasswordLength) {
      reasons.push('length');
      messages.push(`Password should be at least ${a.minimumPasswordLength} characters.`);
    }
    if (requirement.length && !requirement.every((set) => [...password].some((ch) => set.includes(ch)))) {
      reasons.push('characters');
      messages.push(`Password should contain at least one character of each: ${requirement.join(', ')}.`);
    }
    return reasons.length ? { message: messages.join(' '), reasons } : undefined;
  }

  function checkPasswordStrength(password: string): void {
    // bcrypt reads 72 bytes: a longer password would be cut, so GoTrue refuses it.
    if (Buffer.byteLength(password, 'utf8') > 72) {
      throw unprocessable('validation_failed', 'Password cannot be longer than 72 characters');
    }
    const p = passwordProblems(password);
    if (p) throw new WeakPasswordError(p.message, p.reasons);
  }

  function validatePkce(method: string, challenge: string): 'pkce' | 'implicit' {
    if (method === '' && challenge === '') return 'implicit';
    if (method === '' || challenge === '') {
      throw badRequest('validation_failed', 'PKCE flow requires code_challenge_method and code_challenge');
    }
    if (!['s256', 'plain'].includes(method.toLowerCase())) {
      throw badRequest('validation_failed', `code challenge method not supported: ${method}`);
    }
    if (challenge.length < 43 || challenge.length > 128) {
      throw badRequest('validation_failed', 'code challenge has to be between 43 and 128 characters');
    }
    if (!/^[A-Za-z0-9._~-]+$/.test(challenge)) {
      throw badRequest(
        'validation_failed',
        'code challenge can only contain alphanumeric characters, hyphens, periods, underscores and tildes',
      );
    }
    return 'pkce';
  }

  // $2a$ as GoTrue writes it (and as pgcrypto's crypt() can read); bcryptjs makes the same hash as $2b$.
  const hashPassword = async (pw: string) => (await bcrypt.hash(pw, 10)).replace(/^\$2b\$/, '$2a$');
  const randomPassword = () => randomBytes(32).toString('base64url');

  async function passwordMatches(user: UserRow, password: string): Promise<boolean> {
    const hash = user.encrypted_password ?? '';
    if (!/^\$2[abxy]?\$\d{2}\$/.test(hash)) return false;
    try {
      return await bcrypt.compare(password, hash);
    } catch {
      return false;
    }
  }

  async function createEmailUser(
    db: Db,
    email: string,
    password: string,
    data: Json,
    opts: { invited?: boolean } = {},
  ): Promise<UserRow> {
    const id = randomUUID();
    const identityData: Json = { sub: id, email, email_verified: false, phone_verified: false };
    for (const [k, v] of Object.entries(data)) if (!(k in identityData)) identityData[k] = v;
    const user = await insertUser(db, {
      id,
      email,
      passwordHash: password ? await hashPassword(password) : '',
      appMetadata: { provider: 'email', providers: ['email'] },
      userMetadata: identityData,
      confirmed: false,
      invited: opts.invited,
    });
    await insertEmailIdentity(db, user, identityData);
    return user;
  }

  async function reloadUser(db: Db, id: string): Promise<UserRow> {
    const u = await findUserById(db, id);
    if (!u) throw internal('Database error loading user');
    return u;
  }

  // Phone sign-in (codes by text): phone.ts. Its config comes from [auth.sms] the same way.
  const phone = phoneAuth(phoneConfig(rawAuth, a.enableSignup, opts.config ? {} : process.env), {
    ctx,
    pool,
    tokens,
    hashPassword,
    randomPassword,
    reloadUser,
  });

  function mergeMetadata(current: Json | null, updates: Json): Json {
    const out: Json = { ...(current ?? {}) };
    for (const [k, v] of Object.entries(updates)) {
      if (v === null) delete out[k];
      else out[k] = v;
    }
    return out;
  }

  // -------------------------------------------------------------------------
  // Authentication of callers
  // -------------------------------------------------------------------------

  async function requireUser(c: Ctx): Promise<AuthedCtx> {
    const claims = await verifyAccessToken(tokens, bearerToken(c.req.headers.authorization));
    if (!claims.sub) throw forbidden('bad_jwt', 'invalid claim: missing sub claim');
    if (!UUID_RE.test(claims.sub)) throw badRequest('bad_jwt', 'invalid claim: sub claim must be a UUID');
    const user = await findUserById(pool, claims.sub);
    if (!user) throw forbidden('user_not_found', 'User from sub claim in JWT does not exist');
    let sessionId: string | null = null;
    if (claims.session_id && claims.session_id !== NIL_UUID) {
      if (!UUID_RE.test(claims.session_id))
        throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
      const { rows } = await pool.query('select id from auth.sessions where id = $1', [claims.session_id]);
      if (!rows[0]) throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
      sessionId = claims.session_id;
    }
    return { ...c, claims, user, sessionId };
  }

  async function requireAdmin(c: Ctx): Promise<Claims> {
    const claims = await verifyAccessToken(tokens, bearerToken(c.req.headers.authorization));
    if (!claims.role || !ADMIN_ROLES.has(claims.role)) throw forbidden('not_admin', 'User not allowed');
    if (claims.session_id && claims.session_id !== NIL_UUID) {
      const { rows } = UUID_RE.test(claims.session_id)
        ? await pool.query('select id from auth.sessions where id = $1', [claims.session_id])
        : { rows: [] };
      if (!rows[0]) throw forbidden('session_not_found', 'Session from session_id claim in JWT does not exist');
    }
    return claims;
  }

  async function body(c: Ctx): Promise<Json> {
    return parseJsonBody(await readBody(c.req));
  }

  return {
    a,
    rawAuth,
    siteUrl,
    externalUrl,
    policy,
    autoconfirm,
    secureEmailChange,
    tokens,
    pool,
    limiter,
    mailer,
    phone,
    validateEmail,
    passwordProblems,
    checkPasswordStrength,
    validatePkce,
    hashPassword,
    randomPassword,
    passwordMatches,
    createEmailUser,
    reloadUser,
    mergeMetadata,
    requireUser,
    requireAdmin,
    body,
  };
}

export type AuthCore = ReturnType<typeof createCore>;
