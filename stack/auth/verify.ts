/**
 * Auth routes of one-time codes and links: OTP / magic link, recovery, resend, and verifying a link or code.
 * Email here; a phone number in the same routes goes to phone.ts (codes by text).
 */
import {
  ApiError,
  badRequest,
  bool,
  forbidden,
  obj,
  redirect,
  sendJson,
  str,
  unprocessable,
  goEncode,
} from './http.ts';
import { issueSession } from './sessions.ts';
import {
  NIL_UUID,
  type Db,
  type OneTimeTokenType,
  type UserRow,
  audit,
  confirmUser,
  findOneTimeToken,
  findOneTimeTokenOfUser,
  findUserByEmail,
  findUserById,
  hasPassword,
  insertEmailIdentity,
  isBanned,
  isConfirmed,
  toMillis,
  tokenHash,
  tx,
} from './store.ts';
import { DUPLICATE_EMAIL, type AuthCore, type Ctx } from './core.ts';
import type { EmailLinks } from './mail-links.ts';
import { validatePhone } from './phone.ts';

export function verifyRoutes(core: AuthCore, links: EmailLinks) {
  const {
    a,
    policy,
    autoconfirm,
    secureEmailChange,
    tokens,
    pool,
    validateEmail,
    validatePkce,
    hashPassword,
    randomPassword,
    createEmailUser,
    reloadUser,
    body,
    phone: phoneOtp,
  } = core;
  const { sendLinkEmail, createFlowState, sendEmailChange } = links;

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
      // a code by text: phone.ts
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
        if (
          !['signup', 'invite', 'recovery', 'magiclink', 'email_change', 'email', 'sms', 'phone_change'].includes(type)
        ) {
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

  return { otp, recover, resend, verifyGet, verifyPost };
}
