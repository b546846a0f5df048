/**
 * The local Auth service: the subset of Supabase Auth's (GoTrue v2) HTTP API
 * that @supabase/supabase-js uses, over the `auth` schema, with GoTrue's
 * status codes, error codes and response shapes (as GoTrue 2.196's source,
 * github.com/supabase/auth, and auth-js 2.119 define them; docs/auth.md).
 *
 * The gateway mounts it at /auth/v1 (prefix stripped). It never logs request
 * bodies, query strings, tokens or links: only method, path and status.
 */
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import bcrypt from 'bcryptjs';
import { KEYS, loadSupabaseConfig, parseDuration, type StackContext, type SupabaseConfig } from '../config.ts';
import type { RunningService } from '../service.ts';
import {
  ApiError,
  OAuthError,
  WeakPasswordError,
  badRequest,
  bool,
  forbidden,
  internal,
  notFound,
  obj,
  optStr,
  parseJsonBody,
  readBody,
  redirect,
  sendError,
  sendJson,
  str,
  tooManyRequests,
  unprocessable,
  type Json,
} from './http.ts';
import { RateLimiter, withEnvOverrides } from './limits.ts';
import { Mailer, type MailType } from './mailer.ts';
import { phoneAuth, phoneConfig, validatePhone } from './phone.ts';
import { RedirectPolicy } from './redirect.ts';
import {
  type Claims,
  type ClientInfo,
  type TokenConfig,
  bearerToken,
  issueSession,
  refreshGrant,
  verifyAccessToken,
} from './sessions.ts';
import {
  NIL_UUID,
  type Db,
  type OneTimeTokenType,
  type UserRow,
  audit,
  confirmUser,
  createPool,
  findOneTimeToken,
  findOneTimeTokenOfUser,
  findUserByEmail,
  findUserById,
  fullUserJson,
  generateOtp,
  hasPassword,
  insertEmailIdentity,
  insertUser,
  isBanned,
  isConfirmed,
  saveOneTimeToken,
  toMillis,
  tokenHash,
  tx,
  userJson,
} from './store.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL_RE =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const ADMIN_ROLES = new Set(['service_role', 'supabase_admin']);
const FLOW_STATE_EXPIRY_SECONDS = 300;
const DUPLICATE_EMAIL = 'A user with this email address has already been registered';

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

type Ctx = {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  client: ClientInfo;
};

type AuthedCtx = Ctx & { claims: Claims; user: UserRow; sessionId: string | null };

export interface AuthOptions {
  /** Another parsed config.toml (tests run a second instance with confirmations on). */
  config?: SupabaseConfig;
}

export async function start(ctx: StackContext, opts: AuthOptions = {}): Promise<RunningService> {
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
  const senderName =
    typeof rawSmtp.sender_name === 'string' && rawSmtp.sender_name ? rawSmtp.sender_name : 'Closed Loop Referrals';
  const senderEmail =
    typeof rawSmtp.admin_email === 'string' && rawSmtp.admin_email
      ? rawSmtp.admin_email
      : 'no-reply@referrals.localhost';
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
  // Phone sign-in (codes by text): stack/auth/phone.ts.
  const phoneOtp = phoneAuth(phoneConfig(rawAuth, a.enableSignup, opts.config ? {} : process.env), {
    ctx,
    pool,
    tokens,
    hashPassword,
    randomPassword,
    reloadUser,
  });

  async function passwordMatches(user: UserRow, password: string): Promise<boolean> {
    const hash = user.encrypted_password ?? '';
    if (!/^\$2[abxy]?\$\d{2}\$/.test(hash)) return false;
    try {
      return await bcrypt.compare(password, hash);
    } catch {
      return false;
    }
  }

  function frequencyCheck(sentAt: string | null): void {
    const at = toMillis(sentAt);
    const freqMs = a.email.maxFrequency * 1000;
    if (at !== undefined && at + freqMs > Date.now()) {
      const left = Math.floor((at + freqMs - Date.now()) / 1000);
      throw tooManyRequests(
        'over_email_send_rate_limit',
        `For security purposes, you can only request this after ${left} seconds.`,
      );
    }
  }

  /** Where each kind of email link starts its PKCE flow, and which send time paces it. */
  const LINK_KINDS = {
    confirmation: { providerType: 'email', method: 'email/signup', sentAt: (u: UserRow) => u.confirmation_sent_at },
    magiclink: { providerType: 'magiclink', method: 'magiclink', sentAt: (u: UserRow) => u.recovery_sent_at },
    recovery: { providerType: 'recovery', method: 'recovery', sentAt: (u: UserRow) => u.recovery_sent_at },
  } as const;

  interface LinkRequest {
    flow: 'pkce' | 'implicit';
    challengeMethod: string;
    challenge: string;
    redirectTo: string;
  }

  /**
   * A confirmation, magic-link or recovery email: the PKCE flow state when the
   * client asked for one, refused inside max_frequency, then sent.
   */
  async function sendLinkEmail(db: Db, user: UserRow, kind: keyof typeof LINK_KINDS, req: LinkRequest): Promise<void> {
    const k = LINK_KINDS[kind];
    if (req.flow === 'pkce')
      await createFlowState(db, k.providerType, k.method, req.challengeMethod, req.challenge, user.id);
    frequencyCheck(k.sentAt(user));
    await sendTokenEmail(db, user, kind, req.flow, req.redirectTo);
  }

  async function createFlowState(
    db: Db,
    providerType: string,
    method: string,
    challengeMethod: string,
    challenge: string,
    userId: string,
  ): Promise<void> {
    await db.query(
      `insert into auth.flow_state (id, user_id, auth_code, code_challenge_method, code_challenge, provider_type,
                                    authentication_method, created_at, updated_at)
       values (gen_random_uuid(), $1, $2, $3, $4, $5, $6, now(), now())`,
      [userId, randomUUID(), challengeMethod.toLowerCase(), challenge, providerType, method],
    );
  }

  function actionLink(hash: string, type: string, redirectTo: string): string {
    return `${externalUrl}/verify?token=${encodeURIComponent(hash)}&type=${encodeURIComponent(type)}&redirect_to=${encodeURIComponent(redirectTo)}`;
  }

  /** Stores a fresh OTP (hashed) for a user and emails it; GoTrue's sendX. */
  async function sendTokenEmail(
    db: Db,
    user: UserRow,
    kind: 'confirmation' | 'magiclink' | 'recovery' | 'invite',
    flow: 'pkce' | 'implicit',
    redirectTo: string,
  ): Promise<void> {
    const email = user.email ?? '';
    const otp = generateOtp(a.email.otpLength);
    const hash = (flow === 'pkce' ? 'pkce_' : '') + tokenHash(email, otp);
    const isRecovery = kind === 'magiclink' || kind === 'recovery';
    if (isRecovery) {
      await db.query(
        `update auth.users set recovery_token = $2, recovery_sent_at = now(), updated_at = now() where id = $1`,
        [user.id, hash],
      );
      await saveOneTimeToken(db, user.id, 'recovery_token', hash, email);
    } else {
      await db.query(
        `update auth.users set confirmation_token = $2, confirmation_sent_at = now(), updated_at = now()
           ${kind === 'invite' ? ', invited_at = now()' : ''} where id = $1`,
        [user.id, hash],
      );
      await saveOneTimeToken(db, user.id, 'confirmation_token', hash, email);
    }
    const type: MailType = kind === 'confirmation' ? 'signup' : kind;
    if (!autoconfirm) limiter.checkEmail();
    try {
      await mailer.send(type, email, {
        ConfirmationURL: actionLink(hash, type, redirectTo),
        Token: otp,
        TokenHash: hash,
        SiteURL: siteUrl,
        Email: email,
        RedirectTo: redirectTo,
        Data: user.raw_user_meta_data ?? {},
      });
    } catch (err) {
      console.error(`could not send the ${type} email: ${err instanceof Error ? err.message : String(err)}`);
      const what = { signup: 'confirmation', magiclink: 'magic link', recovery: 'recovery', invite: 'invite' }[
        type as 'signup'
      ];
      throw internal(`Error sending ${what} email`);
    }
  }

  async function sendEmailChange(
    db: Db,
    user: UserRow,
    newEmail: string,
    flow: 'pkce' | 'implicit',
    redirectTo: string,
  ): Promise<void> {
    frequencyCheck(user.email_change_sent_at);
    const current = user.email ?? '';
    const otpNew = generateOtp(a.email.otpLength);
    const prefix = flow === 'pkce' ? 'pkce_' : '';
    const hashNew = prefix + tokenHash(newEmail, otpNew);
    const otpCurrent = generateOtp(a.email.otpLength);
    const both = secureEmailChange && current !== '';
    const hashCurrent = both ? prefix + tokenHash(current, otpCurrent) : '';
    await db.query(
      `update auth.users set email_change = $2, email_change_token_new = $3, email_change_token_current = $4,
              email_change_confirm_status = 0, email_change_sent_at = now(), updated_at = now()
        where id = $1`,
      [user.id, newEmail, hashNew, hashCurrent],
    );
    await db.query(
      `delete from auth.one_time_tokens where user_id = $1 and token_type in ('email_change_token_new', 'email_change_token_current')`,
      [user.id],
    );
    await saveOneTimeToken(db, user.id, 'email_change_token_new', hashNew, newEmail);
    if (both) await saveOneTimeToken(db, user.id, 'email_change_token_current', hashCurrent, current);
    const base = {
      SiteURL: siteUrl,
      Email: current,
      NewEmail: newEmail,
      RedirectTo: redirectTo,
      Data: user.raw_user_meta_data ?? {},
    };
    if (!autoconfirm) limiter.checkEmail();
    try {
      await mailer.send('email_change', newEmail, {
        ...base,
        ConfirmationURL: actionLink(hashNew, 'email_change', redirectTo),
        Token: otpNew,
        TokenHash: hashNew,
      });
      if (both) {
        await mailer.send('email_change', current, {
          ...base,
          ConfirmationURL: actionLink(hashCurrent, 'email_change', redirectTo),
          Token: otpCurrent,
          TokenHash: hashCurrent,
        });
      }
    } catch (err) {
      console.error(`could not send the email change email: ${err instanceof Error ? err.message : String(err)}`);
      throw internal('Error sending change email');
    }
  }

  /** A new email user and its email identity (GoTrue's signupNewUser + identity). */
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

  // -------------------------------------------------------------------------
  // Handlers
  // -------------------------------------------------------------------------

  function settings(c: Ctx): void {
    const external: Record<string, boolean> = {};
    for (const p of [
      'anonymous_users',
      'apple',
      'azure',
      'bitbucket',
      'discord',
      'facebook',
      'snapchat',
      'figma',
      'fly',
      'github',
      'gitlab',
      'google',
      'keycloak',
      'kakao',
      'linkedin',
      'linkedin_oidc',
      'notion',
      'spotify',
      'slack',
      'slack_oidc',
      'workos',
      'twitch',
      'twitter',
      'email',
      'phone',
      'zoom',
    ]) {
      external[p] = false;
    }
    external.email = a.email.enableSignup;
    external.anonymous_users = rawAuth.enable_anonymous_sign_ins === true;
    external.phone = phoneOtp.settings().phone;
    sendJson(c.res, 200, {
      external,
      disable_signup: !a.enableSignup,
      mailer_autoconfirm: autoconfirm,
      phone_autoconfirm: phoneOtp.settings().phone_autoconfirm,
      sms_provider: 'twilio',
      saml_enabled: false,
      saml_private_key_next_configured: false,
      passkeys_enabled: false,
    });
  }

  /**
   * POST /signup. As GoTrue's route: the body is read first, then the
   * anonymous or sign-in/sign-up rate limit, then `enable_signup`.
   */
  async function signup(c: Ctx): Promise<void> {
    const b = await body(c);
    let email = str(b, 'email');
    const phone = str(b, 'phone');
    const password = str(b, 'password');
    const data = obj(b, 'data') ?? {};
    const challenge = str(b, 'code_challenge');
    const challengeMethod = str(b, 'code_challenge_method');
    if (email === '' && phone === '') {
      // An anonymous sign-in.
      if (rawAuth.enable_anonymous_sign_ins !== true) {
        throw unprocessable('anonymous_provider_disabled', 'Anonymous sign-ins are disabled');
      }
      limiter.check('anonymous', c.client.ip);
      if (!a.enableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
      const user = await tx(pool, async (db) => {
        const u = await insertUser(db, {
          email: '',
          passwordHash: '',
          appMetadata: {},
          userMetadata: data,
          confirmed: false,
        });
        await db.query('update auth.users set is_anonymous = true where id = $1', [u.id]);
        return reloadUser(db, u.id);
      });
      const session = await tx(pool, (db) => issueSession(db, tokens, user, 'anonymous', c.client));
      sendJson(c.res, 200, session);
      return;
    }
    limiter.check('otp', c.client.ip);
    if (!a.enableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
    if (password === '') throw badRequest('validation_failed', 'Signup requires a valid password');
    checkPasswordStrength(password);
    if (email !== '' && phone !== '') {
      throw badRequest('validation_failed', 'Only an email address or phone number should be provided on signup.');
    }
    const flow = validatePkce(challengeMethod, challenge);
    if (email === '') throw badRequest('phone_provider_disabled', 'Phone signups are disabled');
    if (!a.email.enableSignup) throw badRequest('email_provider_disabled', 'Email signups are disabled');
    email = validateEmail(email);
    const redirectTo = policy.referrer(c.req, c.url.searchParams);

    let existing = await findUserByEmail(pool, email);
    // An address that already has an account (confirmed, unconfirmed, invited) is never
    // taken over: no password is set and no session is issued. With autoconfirm on,
    // GoTrue 2.196 confirms an existing *unconfirmed* user here and signs the caller in
    // (anyone could claim an invited account); this service refuses that case as it
    // refuses a confirmed one, with 422 user_already_exists.
    if (existing && (isConfirmed(existing) || autoconfirm)) {
      await audit(pool, existing, 'user_repeated_signup', c.client.ip, { provider: 'email' });
      if (autoconfirm) throw unprocessable('user_already_exists', 'User already registered');
      // Reveal nothing: a look-alike user with a fresh id and no identities.
      const now = new Date().toISOString();
      const fake = userJson(
        {
          ...existing,
          id: randomUUID(),
          role: '',
          raw_user_meta_data: data,
          raw_app_meta_data: { provider: 'email', providers: ['email'] },
          phone: '',
          email_confirmed_at: null,
          confirmed_at: null,
          last_sign_in_at: null,
          phone_confirmed_at: null,
          created_at: now,
          updated_at: now,
          confirmation_sent_at: now,
        },
        [],
      );
      sendJson(c.res, 200, fake);
      return;
    }

    const user = await tx(pool, async (db) => {
      let u = existing ?? (await createEmailUser(db, email, password, data));
      if (autoconfirm) {
        await audit(db, u, 'user_signedup', c.client.ip, { provider: 'email' });
        await confirmUser(db, u.id);
      } else {
        await audit(db, u, 'user_confirmation_requested', c.client.ip, { provider: 'email' });
        await sendLinkEmail(db, u, 'confirmation', { flow, challengeMethod, challenge, redirectTo });
      }
      u = await reloadUser(db, u.id);
      return u;
    });
    existing = undefined;
    if (isConfirmed(user)) {
      const session = await tx(pool, async (db) => {
        await audit(db, user, 'login', c.client.ip, { provider: 'email' });
        return issueSession(db, tokens, user, 'password', c.client);
      });
      sendJson(c.res, 200, session);
      return;
    }
    if (user.invited_at) {
      // GoTrue hides an invited user's metadata and identities from whoever signs up with the address.
      sendJson(c.res, 200, userJson({ ...user, raw_user_meta_data: {} }, []));
      return;
    }
    sendJson(c.res, 200, await fullUserJson(pool, user));
  }

  async function token(c: Ctx): Promise<void> {
    const grant = c.url.searchParams.get('grant_type') ?? '';
    if (!['password', 'refresh_token', 'pkce'].includes(grant))
      throw badRequest('invalid_credentials', 'unsupported_grant_type');
    limiter.check('token', c.client.ip);
    if (grant === 'password') return passwordGrant(c);
    if (grant === 'refresh_token') {
      const b = await body(c);
      const rt = str(b, 'refresh_token');
      if (rt === '') throw new OAuthError('invalid_request', 'refresh_token required');
      sendJson(c.res, 200, await refreshGrant(pool, tokens, rt, c.client));
      return;
    }
    return pkceGrant(c);
  }

  async function passwordGrant(c: Ctx): Promise<void> {
    const b = await body(c);
    const email = str(b, 'email');
    const phone = str(b, 'phone');
    const password = str(b, 'password');
    if (email !== '' && phone !== '') {
      throw badRequest('validation_failed', 'Only an email address or phone number should be provided on login.');
    }
    if (email === '' && phone === '') throw badRequest('validation_failed', 'missing email or phone');
    if (phone !== '') throw unprocessable('phone_provider_disabled', 'Phone logins are disabled');
    if (!a.email.enableSignup) throw unprocessable('email_provider_disabled', 'Email logins are disabled');
    const invalid = () => badRequest('invalid_credentials', 'Invalid login credentials');
    const user = await findUserByEmail(pool, email);
    if (!user || !hasPassword(user)) throw invalid();
    if (isBanned(user)) throw badRequest('user_banned', 'User is banned');
    if (!(await passwordMatches(user, password))) throw invalid();
    if (!user.email_confirmed_at) throw badRequest('email_not_confirmed', 'Email not confirmed');
    const session = await tx(pool, async (db) => {
      await audit(db, user, 'login', c.client.ip, { provider: 'email' });
      return issueSession(db, tokens, user, 'password', c.client);
    });
    const weak = passwordProblems(password);
    if (weak) session.weak_password = weak;
    sendJson(c.res, 200, session);
  }

  async function pkceGrant(c: Ctx): Promise<void> {
    const b = await body(c);
    const authCode = str(b, 'auth_code');
    const verifier = str(b, 'code_verifier');
    if (authCode === '' || verifier === '') {
      throw badRequest('validation_failed', 'invalid request: both auth code and code verifier should be non-empty');
    }
    const session = await tx(pool, async (db) => {
      const { rows } = await db.query<{
        id: string;
        user_id: string | null;
        code_challenge_method: string;
        code_challenge: string;
        authentication_method: string;
        age_created: number;
        age_issued: number | null;
      }>(
        `select id, user_id, code_challenge_method::text, code_challenge, authentication_method,
                extract(epoch from now() - created_at)::float8 as age_created,
                extract(epoch from now() - auth_code_issued_at)::float8 as age_issued
           from auth.flow_state where auth_code = $1 for update`,
        [authCode],
      );
      const fs = rows[0];
      if (!fs || !fs.user_id) throw notFound('flow_state_not_found', 'invalid flow state, no valid flow state found');
      const age = fs.authentication_method === 'magiclink' ? (fs.age_issued ?? Infinity) : fs.age_created;
      if (age > FLOW_STATE_EXPIRY_SECONDS)
        throw unprocessable('flow_state_expired', 'invalid flow state, flow state has expired');
      const expected =
        fs.code_challenge_method === 'plain' ? verifier : createHash('sha256').update(verifier).digest('base64url');
      if (expected !== fs.code_challenge) {
        throw badRequest('bad_code_verifier', 'code challenge does not match previously saved code verifier');
      }
      const user = await findUserById(db, fs.user_id);
      if (!user) throw notFound('user_not_found', 'User not found');
      if (isBanned(user)) throw badRequest('user_banned', 'User is banned');
      const out = await issueSession(db, tokens, user, fs.authentication_method, c.client);
      await db.query('delete from auth.flow_state where id = $1', [fs.id]);
      return out;
    });
    sendJson(c.res, 200, session);
  }

  /** POST /otp and POST /magiclink: a magic link + code, creating the user if allowed. */
  async function otp(c: Ctx, legacy: boolean): Promise<void> {
    const b = await body(c);
    let email = str(b, 'email');
    const phone = legacy ? '' : str(b, 'phone');
    const data = obj(b, 'data') ?? {};
    const createUser = legacy ? true : bool(b, 'create_user', true);
    const challenge = str(b, 'code_challenge');
    const challengeMethod = str(b, 'code_challenge_method');
    if (email !== '' && phone !== '') {
      throw badRequest('validation_failed', 'Only an email address or phone number should be provided');
    }
    if (phone !== '') {
      await phoneOtp.refuseUnknown(b);
      sendJson(c.res, 200, await phoneOtp.otp(b, c.client));
      return;
    }
    if (!createUser) {
      const existing = email !== '' ? await findUserByEmail(pool, email) : undefined;
      if (!existing) throw unprocessable('otp_disabled', 'Signups not allowed for otp');
    }
    if (email === '') {
      if (legacy) throw unprocessable('validation_failed', 'Password recovery requires an email');
      throw badRequest('validation_failed', 'One of email or phone must be set');
    }
    // [auth.email] enable_signup is GoTrue's "email provider enabled": off, no email sign-in at all.
    if (!a.email.enableSignup) throw badRequest('email_provider_disabled', 'Email logins are disabled');
    email = validateEmail(email);
    const flow = validatePkce(challengeMethod, challenge);
    const redirectTo = policy.referrer(c.req, c.url.searchParams);

    await tx(pool, async (db) => {
      let user = await findUserByEmail(db, email);
      if (!user || !isConfirmed(user)) {
        // New (or never confirmed): sign up with a random password first.
        if (!a.enableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
        if (!user) user = await createEmailUser(db, email, randomPassword(), data);
        if (!autoconfirm) {
          await audit(db, user, 'user_confirmation_requested', c.client.ip, { provider: 'email' });
          await sendLinkEmail(db, user, 'confirmation', { flow, challengeMethod, challenge, redirectTo });
          return;
        }
        await audit(db, user, 'user_signedup', c.client.ip, { provider: 'email' });
        await confirmUser(db, user.id);
        user = await reloadUser(db, user.id);
      }
      // A refusal (rate limit) rolls the audit entry back with the rest.
      await audit(db, user, 'user_recovery_requested', c.client.ip);
      await sendLinkEmail(db, user, 'magiclink', { flow, challengeMethod, challenge, redirectTo });
    });
    sendJson(c.res, 200, {});
  }

  async function recover(c: Ctx): Promise<void> {
    const b = await body(c);
    let email = str(b, 'email');
    const challenge = str(b, 'code_challenge');
    const challengeMethod = str(b, 'code_challenge_method');
    if (email === '') throw unprocessable('validation_failed', 'Password recovery requires an email');
    email = validateEmail(email);
    const flow = validatePkce(challengeMethod, challenge);
    const redirectTo = policy.referrer(c.req, c.url.searchParams);
    await tx(pool, async (db) => {
      const user = await findUserByEmail(db, email);
      if (!user) return; // never reveal whether an address has an account
      await audit(db, user, 'user_recovery_requested', c.client.ip);
      await sendLinkEmail(db, user, 'recovery', { flow, challengeMethod, challenge, redirectTo });
    });
    sendJson(c.res, 200, {});
  }

  async function resend(c: Ctx): Promise<void> {
    const b = await body(c);
    const type = str(b, 'type');
    let email = str(b, 'email');
    const phone = str(b, 'phone');
    const challenge = str(b, 'code_challenge');
    const challengeMethod = str(b, 'code_challenge_method');
    if (!['signup', 'email_change', 'sms', 'phone_change'].includes(type)) {
      throw badRequest('validation_failed', 'Missing one of these types: signup, email_change, sms, phone_change');
    }
    if (type === 'sms' || type === 'phone_change') {
      if (phone === '') throw badRequest('validation_failed', 'Type provided requires a phone number');
      sendJson(c.res, 200, await phoneOtp.resend(b, c.client));
      return;
    }
    if (email === '') throw badRequest('validation_failed', 'Type provided requires an email address');
    email = validateEmail(email);
    const flow = validatePkce(challengeMethod, challenge);
    const redirectTo = policy.referrer(c.req, c.url.searchParams);
    await tx(pool, async (db) => {
      const user = await findUserByEmail(db, email);
      if (!user) return;
      if (type === 'signup') {
        if (isConfirmed(user)) return;
        await sendLinkEmail(db, user, 'confirmation', { flow, challengeMethod, challenge, redirectTo });
      } else {
        if (!user.email_change) return;
        if (flow === 'pkce')
          await createFlowState(db, 'email_change', 'email_change', challengeMethod, challenge, user.id);
        await sendEmailChange(db, user, user.email_change, flow, redirectTo);
      }
    });
    sendJson(c.res, 200, {});
  }

  async function findUserByEmailOrChange(db: Db, email: string): Promise<UserRow | undefined> {
    const { rows } = await db.query<UserRow>(
      `select * from auth.users where instance_id = $1 and (lower(email) = $2 or lower(email_change) = $2)
          and aud = 'authenticated' and is_sso_user = false limit 1`,
      [NIL_UUID, email],
    );
    return rows[0];
  }

  // --- verify ---------------------------------------------------------------

  const TOKEN_TYPES: Record<string, OneTimeTokenType[]> = {
    email: ['confirmation_token', 'recovery_token'],
    signup: ['confirmation_token'],
    invite: ['confirmation_token'],
    recovery: ['recovery_token'],
    magiclink: ['recovery_token'],
    email_change: ['email_change_token_new', 'email_change_token_current'],
  };
  const PKCE_METHOD: Record<string, string> = {
    signup: 'email/signup',
    invite: 'invite',
    recovery: 'recovery',
    magiclink: 'magiclink',
    email_change: 'email_change',
  };

  function sentAtFor(user: UserRow, tokenType: OneTimeTokenType): string | null {
    if (tokenType === 'confirmation_token') return user.confirmation_sent_at;
    if (tokenType === 'recovery_token') return user.recovery_sent_at;
    return user.email_change_sent_at;
  }

  /** Expired when the user's sent_at or the stored token is older than otp_expiry. */
  async function isExpired(db: Db, user: UserRow, tokenType: OneTimeTokenType): Promise<boolean> {
    const limit = a.email.otpExpiry * 1000;
    const sent = toMillis(sentAtFor(user, tokenType));
    if (sent === undefined || Date.now() > sent + limit) return true;
    const ott = await findOneTimeTokenOfUser(db, user.id, tokenType);
    const created = ott ? toMillis(ott.created_at) : undefined;
    return created !== undefined && Date.now() > created + limit;
  }

  interface Verified {
    user: UserRow;
    type: string;
    tokenType: OneTimeTokenType;
  }

  /** GoTrue's verifyTokenHash: the link's token hash, by type. */
  async function verifyTokenHash(db: Db, hash: string, type: string): Promise<Verified> {
    const types = TOKEN_TYPES[type];
    if (!types) throw badRequest('validation_failed', 'Invalid email verification type');
    const invalid = () => forbidden('otp_expired', 'Email link is invalid or has expired');
    const ott = await findOneTimeToken(db, hash, types);
    if (!ott) throw invalid();
    const user = await findUserById(db, ott.user_id, true);
    if (!user) throw invalid();
    if (isBanned(user)) throw forbidden('user_banned', 'User is banned');
    let resolved = type;
    if (type === 'email') resolved = ott.token_type === 'recovery_token' ? 'magiclink' : 'signup';
    if (await isExpired(db, user, ott.token_type)) throw invalid();
    return { user, type: resolved, tokenType: ott.token_type };
  }

  /** GoTrue's verifyUserAndToken: an email and the code from the email. */
  async function verifyEmailAndCode(db: Db, email: string, code: string, type: string): Promise<Verified> {
    const types = TOKEN_TYPES[type];
    if (!types) throw badRequest('validation_failed', 'Unsupported verification type');
    const invalid = () => forbidden('otp_expired', 'Token has expired or is invalid');
    const user = type === 'email_change' ? await findUserByEmailOrChange(db, email) : await findUserByEmail(db, email);
    if (!user) throw invalid();
    const locked = (await findUserById(db, user.id, true)) ?? user;
    if (isBanned(locked)) throw forbidden('user_banned', 'User is banned');
    const candidates: [OneTimeTokenType, string][] = [];
    for (const t of types) {
      if (t === 'confirmation_token') candidates.push([t, locked.confirmation_token ?? '']);
      if (t === 'recovery_token') candidates.push([t, locked.recovery_token ?? '']);
      if (t === 'email_change_token_new') candidates.push([t, locked.email_change_token_new ?? '']);
      if (t === 'email_change_token_current') candidates.push([t, locked.email_change_token_current ?? '']);
    }
    for (const [t, stored] of candidates) {
      if (stored === '') continue;
      const relates =
        t === 'email_change_token_new'
          ? (locked.email_change ?? '')
          : t === 'email_change_token_current'
            ? (locked.email ?? '')
            : email;
      const hash = tokenHash(relates.toLowerCase(), code);
      if (hash !== stored && `pkce_${hash}` !== stored) continue;
      if (await isExpired(db, locked, t)) continue;
      let resolved = type;
      if (type === 'email') resolved = t === 'recovery_token' ? 'magiclink' : 'signup';
      return { user: locked, type: resolved, tokenType: t };
    }
    throw invalid();
  }

  /**
   * Applies a verified token: confirm (signup/invite), recover (magic link,
   * recovery; confirms too) or change the email. Returns null for the first
   * of two email-change confirmations.
   */
  async function applyVerification(db: Db, v: Verified, ip: string): Promise<UserRow | null> {
    const { user } = v;
    if (v.type === 'signup' || v.type === 'invite') {
      if (!hasPassword(user) && user.invited_at) {
        await db.query('update auth.users set encrypted_password = $2 where id = $1', [
          user.id,
          await hashPassword(randomPassword()),
        ]);
      }
      await audit(db, user, 'user_signedup', ip, { provider: 'email' });
      await confirmUser(db, user.id);
    } else if (v.type === 'recovery' || v.type === 'magiclink') {
      await db.query(`update auth.users set recovery_token = '', updated_at = now() where id = $1`, [user.id]);
      await db.query('delete from auth.one_time_tokens where user_id = $1', [user.id]);
      if (!isConfirmed(user)) {
        await audit(db, user, 'user_signedup', ip, { provider: 'email' });
        await confirmUser(db, user.id);
      } else {
        await audit(db, user, 'login', ip);
      }
    } else if (v.type === 'email_change') {
      if (
        !autoconfirm &&
        secureEmailChange &&
        (user.email_change_confirm_status ?? 0) === 0 &&
        (user.email ?? '') !== ''
      ) {
        const column =
          v.tokenType === 'email_change_token_current' ? 'email_change_token_current' : 'email_change_token_new';
        await db.query(`update auth.users set email_change_confirm_status = 1, ${column} = '' where id = $1`, [
          user.id,
        ]);
        await db.query('delete from auth.one_time_tokens where user_id = $1 and token_type = $2', [
          user.id,
          v.tokenType,
        ]);
        return null;
      }
      const newEmail = user.email_change ?? '';
      if (newEmail !== '') {
        const dup = await findUserByEmail(db, newEmail);
        if (dup && dup.id !== user.id) throw unprocessable('email_exists', DUPLICATE_EMAIL);
        await audit(db, user, 'user_modified', ip);
        await db.query(
          `update auth.users set email = $2::text, email_change = '', email_change_token_new = '', email_change_token_current = '',
                  email_change_confirm_status = 0, email_change_sent_at = null,
                  email_confirmed_at = coalesce(email_confirmed_at, now()),
                  raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || jsonb_build_object('email', $2::text, 'email_verified', true),
                  updated_at = now()
            where id = $1`,
          [user.id, newEmail],
        );
        const updated = await db.query(
          `update auth.identities set identity_data = identity_data || jsonb_build_object('email', $2::text, 'email_verified', true),
                  updated_at = now()
            where user_id = $1 and provider = 'email'`,
          [user.id, newEmail],
        );
        if (updated.rowCount === 0) {
          await insertEmailIdentity(db, user, {
            sub: user.id,
            email: newEmail,
            email_verified: true,
            phone_verified: false,
          });
        }
        await db.query(
          `delete from auth.one_time_tokens where user_id = $1 and token_type in ('email_change_token_new', 'email_change_token_current')`,
          [user.id],
        );
      }
    }
    return reloadUser(db, user.id);
  }

  function errorRedirect(target: string, err: ApiError, pkce: boolean): string {
    const u = new URL(target);
    const oauthError: Record<number, string> = {
      400: 'invalid_request',
      401: 'unauthorized_client',
      403: 'access_denied',
      500: 'server_error',
    };
    const hq = new URLSearchParams();
    const name = oauthError[err.status];
    if (name) hq.set('error', name);
    hq.set('error_code', err.code);
    hq.set('error_description', err.message);
    if (pkce) {
      if (name) u.searchParams.set('error', name);
      u.searchParams.set('error_code', err.code);
      u.searchParams.set('error_description', err.message);
    }
    hq.set('sb', '');
    u.hash = goEncode(hq);
    return u.toString();
  }

  async function verifyGet(c: Ctx): Promise<void> {
    const q = c.url.searchParams;
    const token = q.get('token') ?? '';
    const type = q.get('type') ?? '';
    const redirectTo = policy.referrer(c.req, q);
    if (type === '') throw badRequest('validation_failed', 'Verify requires a verification type');
    if (token === '') throw badRequest('validation_failed', 'Verify requires a token or a token hash');
    const pkce = token.startsWith('pkce_');
    let location: string;
    try {
      if (pkce && !PKCE_METHOD[type])
        throw badRequest('validation_failed', `unsupported authentication method ${type}`);
      location = await tx(pool, async (db) => {
        const v = await verifyTokenHash(db, token, type);
        const user = await applyVerification(db, v, c.client.ip);
        if (!user)
          return messageRedirect(
            redirectTo,
            'Confirmation link accepted. Please proceed to confirm link sent to the other email',
            pkce,
          );
        if (pkce) {
          const { rows } = await db.query<{ id: string; auth_code: string }>(
            `select id, auth_code from auth.flow_state where user_id = $1 and authentication_method = $2
              order by created_at desc limit 1`,
            [user.id, PKCE_METHOD[v.type] ?? PKCE_METHOD[type]],
          );
          if (!rows[0])
            throw badRequest('flow_state_not_found', 'No associated flow state found. flow state not found');
          await db.query('update auth.flow_state set auth_code_issued_at = now(), updated_at = now() where id = $1', [
            rows[0].id,
          ]);
          const u = new URL(redirectTo);
          u.searchParams.set('code', rows[0].auth_code);
          return u.toString();
        }
        const s = await issueSession(db, tokens, user, 'otp', c.client);
        const frag = new URLSearchParams({
          access_token: s.access_token,
          expires_at: String(s.expires_at),
          expires_in: String(s.expires_in),
          refresh_token: s.refresh_token,
          sb: '',
          token_type: 'bearer',
          type: v.type,
        });
        return `${redirectTo}#${goEncode(frag)}`;
      });
    } catch (err) {
      if (!(err instanceof ApiError) || err.status >= 500) throw err;
      location = errorRedirect(redirectTo, err, pkce);
    }
    redirect(c.res, location, 303);
  }

  function messageRedirect(target: string, message: string, pkce: boolean): string {
    const u = new URL(target);
    if (pkce) u.searchParams.set('message', message);
    u.hash = goEncode(new URLSearchParams({ message, sb: '' }));
    return u.toString();
  }

  async function verifyPost(c: Ctx): Promise<void> {
    const b = await body(c);
    const type = str(b, 'type');
    const token = str(b, 'token');
    const hash = str(b, 'token_hash');
    let email = str(b, 'email');
    const phone = str(b, 'phone');
    const bodyRedirect = str(b, 'redirect_to');
    if (type === '') throw badRequest('validation_failed', 'Verify requires a verification type');
    if ((token === '' && hash === '') || (token !== '' && hash !== '')) {
      throw badRequest('validation_failed', 'Verify requires either a token or a token hash');
    }
    if (token !== '') {
      if (phone !== '' && email === '') {
        if (!['signup', 'invite', 'recovery', 'magiclink', 'email_change', 'email', 'sms', 'phone_change'].includes(type)) {
          throw badRequest('validation_failed', 'Unsupported verification type');
        }
        if (type !== 'sms' && type !== 'phone_change') {
          validatePhone(phone);
          throw forbidden('otp_expired', 'Token has expired or is invalid');
        }
        sendJson(c.res, 200, await phoneOtp.verify(b, c.client));
        return;
      }
      if (!(phone === '' && email !== '')) {
        throw badRequest('validation_failed', 'Only an email address or phone number should be provided on verify');
      }
      try {
        email = validateEmail(email);
      } catch {
        throw unprocessable('validation_failed', 'Invalid email format');
      }
    } else if (email !== '' || phone !== '' || bodyRedirect !== '') {
      throw badRequest('validation_failed', 'Only the token_hash and type should be provided');
    }
    if (!['signup', 'invite', 'recovery', 'magiclink', 'email_change', 'email', 'sms', 'phone_change'].includes(type)) {
      throw badRequest('validation_failed', 'Unsupported verification type');
    }
    if (type === 'sms' || type === 'phone_change')
      throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
    const out = await tx(pool, async (db) => {
      const v = hash !== '' ? await verifyTokenHash(db, hash, type) : await verifyEmailAndCode(db, email, token, type);
      const user = await applyVerification(db, v, c.client.ip);
      if (!user) return null;
      return issueSession(db, tokens, user, 'otp', c.client);
    });
    if (!out) {
      sendJson(c.res, 200, {
        msg: 'Confirmation link accepted. Please proceed to confirm link sent to the other email',
        code: '200',
      });
      return;
    }
    sendJson(c.res, 200, out);
  }

  // --- the signed-in user -----------------------------------------------------

  async function getUser(c: Ctx): Promise<void> {
    const u = await requireUser(c);
    const aud = Array.isArray(u.claims.aud) ? u.claims.aud[0] : u.claims.aud;
    if (aud !== (u.user.aud ?? 'authenticated')) {
      throw badRequest('validation_failed', "Token audience doesn't match request audience");
    }
    sendJson(c.res, 200, await fullUserJson(pool, u.user));
  }

  async function updateUser(c: Ctx): Promise<void> {
    const u = await requireUser(c);
    limiter.check('otp', c.client.ip);
    const b = await body(c);
    const email = str(b, 'email');
    const phone = str(b, 'phone');
    const password = optStr(b, 'password');
    const data = obj(b, 'data');
    const appData = obj(b, 'app_metadata');
    const challenge = str(b, 'code_challenge');
    const challengeMethod = str(b, 'code_challenge_method');
    if (password !== undefined && password !== '') checkPasswordStrength(password);
    const flow = validatePkce(challengeMethod, challenge);
    if (appData && !ADMIN_ROLES.has(u.user.role ?? '')) {
      throw forbidden('not_admin', 'Updating app_metadata requires admin privileges');
    }
    const user = u.user;
    let newEmail = '';
    if (email !== '' && email.toLowerCase() !== (user.email ?? '').toLowerCase()) {
      newEmail = validateEmail(email);
      const dup = await findUserByEmail(pool, newEmail);
      if (dup && dup.id !== user.id) throw unprocessable('email_exists', DUPLICATE_EMAIL);
    }
    if (phone !== '' && phone !== (user.phone ?? ''))
      throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
    if (password !== undefined && password !== '' && hasPassword(user) && (await passwordMatches(user, password))) {
      throw unprocessable('same_password', 'New password should be different from the old password.');
    }
    const redirectTo = policy.referrer(c.req, c.url.searchParams);
    const updated = await tx(pool, async (db) => {
      if (password !== undefined) {
        await db.query(
          `update auth.users set encrypted_password = $2, confirmation_token = '', recovery_token = '', updated_at = now()
            where id = $1`,
          [user.id, password === '' ? '' : await hashPassword(password)],
        );
        // A new password signs out every other session.
        await db.query('delete from auth.sessions where user_id = $1 and ($2::uuid is null or id <> $2::uuid)', [
          user.id,
          u.sessionId,
        ]);
        await audit(db, user, 'user_updated_password', c.client.ip);
      }
      if (data) {
        await db.query('update auth.users set raw_user_meta_data = $2, updated_at = now() where id = $1', [
          user.id,
          JSON.stringify(mergeMetadata(user.raw_user_meta_data, data)),
        ]);
      }
      if (appData) {
        await db.query('update auth.users set raw_app_meta_data = $2, updated_at = now() where id = $1', [
          user.id,
          JSON.stringify(mergeMetadata(user.raw_app_meta_data, appData)),
        ]);
      }
      if (newEmail) {
        const current = await reloadUser(db, user.id);
        if (flow === 'pkce')
          await createFlowState(db, 'email_change', 'email_change', challengeMethod, challenge, user.id);
        await sendEmailChange(db, current, newEmail, flow, redirectTo);
      }
      await audit(db, user, 'user_modified', c.client.ip);
      return reloadUser(db, user.id);
    });
    sendJson(c.res, 200, await fullUserJson(pool, updated));
  }

  async function logout(c: Ctx): Promise<void> {
    const u = await requireUser(c);
    const scope = c.url.searchParams.get('scope') ?? '';
    if (!['', 'global', 'local', 'others'].includes(scope)) {
      throw badRequest('validation_failed', `Unsupported logout scope "${scope}"`);
    }
    await tx(pool, async (db) => {
      await audit(db, u.user, 'logout', c.client.ip);
      if (!u.sessionId || scope === '' || scope === 'global') {
        await db.query('delete from auth.sessions where user_id = $1', [u.user.id]);
      } else if (scope === 'local') {
        await db.query('delete from auth.sessions where id = $1', [u.sessionId]);
      } else {
        await db.query('delete from auth.sessions where user_id = $1 and id <> $2', [u.user.id, u.sessionId]);
      }
    });
    c.res.writeHead(204);
    c.res.end();
  }

  // --- admin ------------------------------------------------------------------

  function parseBanDuration(v: string): string | null | undefined {
    if (v === '') return undefined;
    if (v === 'none') return null;
    if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v)) {
      throw badRequest('validation_failed', `invalid format for ban duration: time: invalid duration "${v}"`);
    }
    const until = Date.now() + parseDuration(v, 0) * 1000;
    if (!Number.isFinite(until) || until > Date.UTC(9999, 11, 31)) {
      throw badRequest('validation_failed', `invalid format for ban duration: time: invalid duration "${v}"`);
    }
    return new Date(until).toISOString();
  }

  async function adminListUsers(c: Ctx): Promise<void> {
    await requireAdmin(c);
    const q = c.url.searchParams;
    const parse = (name: string, fallback: number) => {
      const v = q.get(name) ?? '';
      if (v === '') return fallback;
      if (!/^\d+$/.test(v))
        throw badRequest(
          'validation_failed',
          `Bad Pagination Parameters: strconv.ParseUint: parsing "${v}": invalid syntax`,
        );
      if (BigInt(v) > 18446744073709551615n) {
        throw badRequest(
          'validation_failed',
          `Bad Pagination Parameters: strconv.ParseUint: parsing "${v}": value out of range`,
        );
      }
      return Math.min(Number(v), 1e9);
    };
    const page = Math.max(1, parse('page', 1));
    const perPage = Math.max(1, parse('per_page', 50));
    const filter = q.get('filter') ?? '';
    const aud = 'authenticated';
    const where = `instance_id = $1 and aud = $2${filter ? ` and (email ilike $3 or raw_user_meta_data->>'full_name' ilike $3)` : ''}`;
    const params: unknown[] = [NIL_UUID, aud];
    if (filter) params.push(`%${filter.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
    const total = Number(
      (await pool.query(`select count(*)::int as n from auth.users where ${where}`, params)).rows[0].n,
    );
    const { rows } = await pool.query<UserRow>(
      `select * from auth.users where ${where} order by created_at desc, id desc limit ${perPage} offset ${(page - 1) * perPage}`,
      params,
    );
    const totalPages = Math.ceil(total / perPage);
    const link = (p: number) => {
      const copy = new URLSearchParams(q);
      copy.set('page', String(p));
      return `<${c.url.pathname}?${goEncode(copy)}>`;
    };
    let header = '';
    if (totalPages > page) header += `${link(page + 1)}; rel="next", `;
    header += `${link(totalPages)}; rel="last"`;
    sendJson(
      c.res,
      200,
      { users: rows.map((r) => userJson(r, null)), aud },
      { Link: header, 'X-Total-Count': String(total) },
    );
  }

  async function adminCreateUser(c: Ctx): Promise<void> {
    await requireAdmin(c);
    const b = await body(c);
    const rawEmail = str(b, 'email');
    const phone = str(b, 'phone');
    const password = optStr(b, 'password');
    const passwordHash = str(b, 'password_hash');
    const emailConfirm = bool(b, 'email_confirm', false);
    const userMetadata = obj(b, 'user_metadata');
    const appMetadata = obj(b, 'app_metadata');
    const role = str(b, 'role');
    const ban = parseBanDuration(str(b, 'ban_duration'));
    const id = str(b, 'id');
    const aud = str(b, 'aud') || 'authenticated';
    if (rawEmail === '' && phone === '') {
      throw badRequest('validation_failed', 'Cannot create a user without either an email or phone');
    }
    if (phone !== '' && rawEmail === '') {
      sendJson(c.res, 200, await fullUserJson(pool, await phoneOtp.adminCreate(b, c.client)));
      return;
    }
    if (phone !== '') throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
    const email = validateEmail(rawEmail);
    if (id !== '' && !UUID_RE.test(id)) throw badRequest('validation_failed', 'ID must conform to the uuid v4 format');
    if (passwordHash !== '' && !/^\$2[abxy]?\$\d{2}\$/.test(passwordHash)) {
      throw badRequest('validation_failed', 'Invalid password hash format');
    }
    if (password && passwordHash)
      throw badRequest('validation_failed', 'Only a password or a password hash should be provided');
    const user = await tx(pool, async (db) => {
      if (await findUserByEmail(db, email, aud)) throw unprocessable('email_exists', DUPLICATE_EMAIL);
      if (id && (await findUserById(db, id))) throw unprocessable('user_already_exists', 'User already exists');
      const hash = passwordHash || (await hashPassword(password || randomPassword()));
      const userId = id || randomUUID();
      const meta: Json = { ...(userMetadata ?? {}) };
      if (emailConfirm) meta.email_verified = true;
      const u = await insertUser(db, {
        id: userId,
        email,
        passwordHash: hash,
        aud,
        role: role || 'authenticated',
        appMetadata: { provider: 'email', providers: ['email'], ...(appMetadata ?? {}) },
        userMetadata: meta,
        confirmed: emailConfirm,
        bannedUntil: ban ?? null,
      });
      const identityData: Json = { sub: userId, email, email_verified: emailConfirm, phone_verified: false };
      await insertEmailIdentity(db, u, identityData);
      await audit(
        db,
        u,
        'user_signedup',
        c.client.ip,
        { provider: 'email', user_id: userId, user_email: email },
        'team',
      );
      return reloadUser(db, userId);
    });
    sendJson(c.res, 200, await fullUserJson(pool, user));
  }

  async function loadUserParam(id: string): Promise<UserRow> {
    if (!UUID_RE.test(id)) throw notFound('validation_failed', 'user_id must be an UUID');
    const user = await findUserById(pool, id);
    if (!user) throw notFound('user_not_found', 'User not found');
    return user;
  }

  async function adminGetUser(c: Ctx, id: string): Promise<void> {
    await requireAdmin(c);
    const user = await loadUserParam(id);
    sendJson(c.res, 200, await fullUserJson(pool, user));
  }

  async function adminUpdateUser(c: Ctx, id: string): Promise<void> {
    await requireAdmin(c);
    const user = await loadUserParam(id);
    const b = await body(c);
    const rawEmail = str(b, 'email');
    const phone = str(b, 'phone');
    const password = optStr(b, 'password');
    const passwordHash = str(b, 'password_hash');
    const emailConfirm = bool(b, 'email_confirm', false);
    const userMetadata = obj(b, 'user_metadata');
    const appMetadata = obj(b, 'app_metadata');
    const role = str(b, 'role');
    const ban = parseBanDuration(str(b, 'ban_duration'));
    if (phone !== '' && phone !== (user.phone ?? ''))
      throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
    if (password !== undefined && password !== '') checkPasswordStrength(password);
    const email = rawEmail !== '' ? validateEmail(rawEmail) : '';
    const updated = await tx(pool, async (db) => {
      if (role) await db.query('update auth.users set role = $2 where id = $1', [id, role]);
      if (ban !== undefined) await db.query('update auth.users set banned_until = $2 where id = $1', [id, ban]);
      if ((password !== undefined && password !== '') || passwordHash) {
        const hash = passwordHash || (await hashPassword(password!));
        await db.query('update auth.users set encrypted_password = $2 where id = $1', [id, hash]);
        // A password set by an admin signs the user out everywhere.
        await db.query('delete from auth.sessions where user_id = $1', [id]);
      }
      if (email && email !== (user.email ?? '')) {
        const dup = await findUserByEmail(db, email);
        if (dup && dup.id !== id) throw unprocessable('email_exists', DUPLICATE_EMAIL);
        await db.query(
          `update auth.users set email = $2::text, raw_user_meta_data = case when raw_user_meta_data ? 'email'
             then raw_user_meta_data || jsonb_build_object('email', $2::text) else raw_user_meta_data end where id = $1`,
          [id, email],
        );
        await db.query(
          `update auth.identities set identity_data = identity_data || jsonb_build_object('email', $2::text), updated_at = now()
            where user_id = $1 and provider = 'email'`,
          [id, email],
        );
      }
      if (emailConfirm) await confirmUser(db, id);
      const fresh = await reloadUser(db, id);
      if (userMetadata) {
        await db.query('update auth.users set raw_user_meta_data = $2 where id = $1', [
          id,
          JSON.stringify(mergeMetadata(fresh.raw_user_meta_data, userMetadata)),
        ]);
      }
      if (appMetadata) {
        await db.query('update auth.users set raw_app_meta_data = $2 where id = $1', [
          id,
          JSON.stringify(mergeMetadata(fresh.raw_app_meta_data, appMetadata)),
        ]);
      }
      await db.query('update auth.users set updated_at = now() where id = $1', [id]);
      await audit(db, user, 'user_modified', c.client.ip, { user_id: id }, 'user');
      return reloadUser(db, id);
    });
    sendJson(c.res, 200, await fullUserJson(pool, updated));
  }

  async function adminDeleteUser(c: Ctx, id: string): Promise<void> {
    await requireAdmin(c);
    const user = await loadUserParam(id);
    const raw = await readBody(c.req);
    const b = raw.trim() === '' ? {} : parseJsonBody(raw);
    const soft = bool(b, 'should_soft_delete', false);
    await tx(pool, async (db) => {
      await audit(db, user, 'user_deleted', c.client.ip, { user_id: id, user_email: user.email ?? '' }, 'team');
      if (soft) {
        await db.query('delete from auth.identities where user_id = $1', [id]);
        await db.query('delete from auth.sessions where user_id = $1', [id]);
        await db.query('delete from auth.one_time_tokens where user_id = $1', [id]);
        await db.query(
          `update auth.users set deleted_at = now(), email = null, phone = null, encrypted_password = '',
                  confirmation_token = '', recovery_token = '', email_change = '', email_change_token_new = '',
                  email_change_token_current = '', raw_user_meta_data = '{}', raw_app_meta_data = '{}', updated_at = now()
            where id = $1`,
          [id],
        );
      } else {
        await db.query('delete from auth.users where id = $1', [id]);
      }
    });
    sendJson(c.res, 200, {});
  }

  async function adminGenerateLink(c: Ctx): Promise<void> {
    await requireAdmin(c);
    const b = await body(c);
    let type = str(b, 'type');
    const email = validateEmail(str(b, 'email'));
    let password = str(b, 'password');
    const data = obj(b, 'data') ?? {};
    const newEmailRaw = str(b, 'new_email');
    const bodyRedirect = str(b, 'redirect_to');
    let referrer = policy.referrer(c.req, c.url.searchParams);
    if (policy.isValid(bodyRedirect)) referrer = bodyRedirect;

    const existing = await findUserByEmail(pool, email);
    if (!existing) {
      if (type === 'magiclink') {
        type = 'signup';
        password = randomPassword();
      } else if (['recovery', 'email_change_current', 'email_change_new'].includes(type)) {
        throw notFound('user_not_found', 'User with this email not found');
      }
    }
    if (type === 'signup' && !existing) {
      if (password === '') throw badRequest('validation_failed', 'Signup requires a valid password');
      checkPasswordStrength(password);
    }
    const code = generateOtp(a.email.otpLength);
    let hash = tokenHash(email, code);
    let verificationType = type;
    const user = await tx(pool, async (db) => {
      let u = existing ? await findUserById(db, existing.id, true) : undefined;
      switch (type) {
        case 'magiclink':
        case 'recovery':
          await audit(db, u!, 'user_recovery_requested', c.client.ip);
          await db.query('update auth.users set recovery_token = $2, recovery_sent_at = now() where id = $1', [
            u!.id,
            hash,
          ]);
          await saveOneTimeToken(db, u!.id, 'recovery_token', hash, email);
          break;
        case 'invite':
          if (u && isConfirmed(u)) throw unprocessable('email_exists', DUPLICATE_EMAIL);
          if (!u) u = await createEmailUser(db, email, '', data);
          await audit(db, u, 'user_invited', c.client.ip, { user_id: u.id, user_email: email }, 'team');
          await db.query(
            'update auth.users set confirmation_token = $2, confirmation_sent_at = now(), invited_at = now() where id = $1',
            [u.id, hash],
          );
          await saveOneTimeToken(db, u.id, 'confirmation_token', hash, email);
          break;
        case 'signup':
          if (u && isConfirmed(u)) throw unprocessable('email_exists', DUPLICATE_EMAIL);
          if (u) {
            await db.query('update auth.users set raw_user_meta_data = $2 where id = $1', [
              u.id,
              JSON.stringify(mergeMetadata(u.raw_user_meta_data, data)),
            ]);
          } else {
            u = await createEmailUser(db, email, password, data);
          }
          await db.query('update auth.users set confirmation_token = $2, confirmation_sent_at = now() where id = $1', [
            u.id,
            hash,
          ]);
          await saveOneTimeToken(db, u.id, 'confirmation_token', hash, email);
          break;
        case 'email_change_current':
        case 'email_change_new': {
          if (!secureEmailChange && type === 'email_change_current') {
            throw badRequest('validation_failed', 'Enable secure email change to generate link for current email');
          }
          const newEmail = validateEmail(newEmailRaw);
          const dup = await findUserByEmail(db, newEmail);
          if (dup && dup.id !== u!.id) throw unprocessable('email_exists', DUPLICATE_EMAIL);
          if (type === 'email_change_new') hash = tokenHash(newEmail, code);
          await db.query(
            `update auth.users set email_change = $2, email_change_sent_at = now(), email_change_confirm_status = 0,
                    email_change_token_current = $3, email_change_token_new = $4 where id = $1`,
            [u!.id, newEmail, type === 'email_change_current' ? hash : '', type === 'email_change_new' ? hash : ''],
          );
          await db.query(
            `delete from auth.one_time_tokens where user_id = $1 and token_type in ('email_change_token_new', 'email_change_token_current')`,
            [u!.id],
          );
          if (type === 'email_change_current')
            await saveOneTimeToken(db, u!.id, 'email_change_token_current', hash, email);
          else await saveOneTimeToken(db, u!.id, 'email_change_token_new', hash, newEmail);
          verificationType = 'email_change';
          break;
        }
        default:
          throw badRequest('validation_failed', `Invalid email action link type requested: ${type}`);
      }
      return reloadUser(db, u!.id);
    });
    const userBody = await fullUserJson(pool, user);
    sendJson(c.res, 200, {
      ...userBody,
      action_link: actionLink(hash, verificationType, referrer),
      email_otp: code,
      hashed_token: hash,
      verification_type: verificationType,
      redirect_to: referrer,
    });
  }

  async function invite(c: Ctx): Promise<void> {
    await requireAdmin(c);
    const b = await body(c);
    const email = validateEmail(str(b, 'email'));
    const data = obj(b, 'data') ?? {};
    const redirectTo = policy.referrer(c.req, c.url.searchParams);
    const user = await tx(pool, async (db) => {
      let u = await findUserByEmail(db, email);
      if (u && isConfirmed(u)) throw unprocessable('email_exists', DUPLICATE_EMAIL);
      if (!u) u = await createEmailUser(db, email, '', data, { invited: true });
      await audit(db, u, 'user_invited', c.client.ip, { user_id: u.id, user_email: email }, 'team');
      await sendTokenEmail(db, u, 'invite', 'implicit', redirectTo);
      return reloadUser(db, u.id);
    });
    sendJson(c.res, 200, await fullUserJson(pool, user));
  }

  // -------------------------------------------------------------------------
  // Routing
  // -------------------------------------------------------------------------

  async function route(c: Ctx): Promise<void> {
    const method = c.req.method ?? 'GET';
    if (c.url.search.includes('%00') || c.url.pathname.includes('%00')) {
      throw badRequest('validation_failed', 'The request contains a null character');
    }
    // Behind the gateway the /auth/v1 prefix is already gone; reached directly, it may not be.
    const path = c.url.pathname.replace(/^\/auth\/v1(?=\/|$)/, '').replace(/\/+$/, '') || '/';
    const key = `${method} ${path}`;
    switch (key) {
      case 'GET /health':
        return sendJson(c.res, 200, {
          version: 'v2.196.0',
          name: 'GoTrue',
          description: 'GoTrue is a user registration and authentication API',
        });
      case 'GET /settings':
        return settings(c);
      case 'GET /authorize':
        // No OAuth provider is enabled locally (config.toml [auth.external.*]).
        throw badRequest('validation_failed', 'Unsupported provider: provider is not enabled');
      case 'GET /.well-known/jwks.json':
        return sendJson(c.res, 200, { keys: [] });
      case 'POST /signup':
        return signup(c);
      case 'POST /token':
        return token(c);
      case 'POST /otp':
        limiter.check('otp', c.client.ip);
        return otp(c, false);
      case 'POST /magiclink':
        limiter.check('otp', c.client.ip);
        return otp(c, true);
      case 'GET /verify':
        limiter.check('verify', c.client.ip);
        return verifyGet(c);
      case 'POST /verify':
        limiter.check('verify', c.client.ip);
        return verifyPost(c);
      case 'GET /user':
        return getUser(c);
      case 'PUT /user':
        return updateUser(c);
      case 'POST /logout':
        return logout(c);
      case 'POST /recover':
        limiter.check('otp', c.client.ip);
        return recover(c);
      case 'POST /resend':
        limiter.check('otp', c.client.ip);
        return resend(c);
      case 'POST /invite':
        return invite(c);
      case 'GET /admin/users':
        return adminListUsers(c);
      case 'POST /admin/users':
        return adminCreateUser(c);
      case 'POST /admin/generate_link':
        return adminGenerateLink(c);
    }
    const m = /^\/admin\/users\/([^/]+)$/.exec(path);
    if (m) {
      const id = decodeURIComponent(m[1]!);
      if (method === 'GET') return adminGetUser(c, id);
      if (method === 'PUT') return adminUpdateUser(c, id);
      if (method === 'DELETE') return adminDeleteUser(c, id);
    }
    throw notFound('not_found', 'Not Found');
  }

  let requestCounter = 0;
  const server = http.createServer((req, res) => {
    const started = performance.now();
    const requestId = `${Date.now().toString(36)}-${(requestCounter++).toString(36)}`;
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://auth.local');
    } catch {
      url = new URL('http://auth.local/');
    }
    const forwarded = String(req.headers['x-forwarded-for'] ?? '')
      .split(',')[0]!
      .trim();
    const client: ClientInfo = {
      ip: forwarded || req.socket.remoteAddress?.replace(/^::ffff:/, '') || '',
      userAgent: String(req.headers['user-agent'] ?? ''),
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'Access-Control-Allow-Origin': String(req.headers.origin ?? '*'),
        'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE',
        'Access-Control-Allow-Headers':
          'Accept, Authorization, Content-Type, X-Client-IP, X-Client-Info, X-JWT-AUD, x-use-cookie, X-Supabase-Api-Version, apikey',
        'Access-Control-Expose-Headers': 'X-Total-Count, Link, X-Supabase-Api-Version',
      });
      res.end();
      return;
    }
    route({ req, res, url, client })
      .catch((err: unknown) => sendError(req, res, err, requestId))
      .finally(() => {
        if (ctx.dev || process.env.AUTH_LOG_REQUESTS) {
          // Path only: query strings carry tokens and links.
          console.log(`${req.method} ${url.pathname} ${res.statusCode} ${Math.round(performance.now() - started)}ms`);
        }
      });
  });
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.ports.auth, '127.0.0.1', () => resolve());
  });
  // Fail fast when the database is not reachable.
  await pool.query('select 1');

  return {
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      mailer.close();
      await pool.end();
    },
  };
}

/** url.Values.Encode(): keys sorted, values escaped as Go's QueryEscape. */
function goEncode(params: URLSearchParams): string {
  const keys = [...new Set(params.keys())].sort();
  const esc = (s: string) =>
    encodeURIComponent(s)
      .replace(/%20/g, '+')
      .replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  const parts: string[] = [];
  for (const k of keys) for (const v of params.getAll(k)) parts.push(`${esc(k)}=${esc(v)}`);
  return parts.join('&');
}
