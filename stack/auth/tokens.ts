/** Auth routes that start and hold sessions: settings, sign-up, the token grants (password, refresh, PKCE). */
import { randomUUID, createHash } from 'node:crypto';
import { OAuthError, badRequest, notFound, obj, sendJson, str, unprocessable } from './http.ts';
import { issueSession, refreshGrant } from './sessions.ts';
import {
  audit,
  confirmUser,
  findUserByEmail,
  findUserById,
  fullUserJson,
  hasPassword,
  insertUser,
  isBanned,
  isConfirmed,
  tx,
  userJson,
} from './store.ts';
import { FLOW_STATE_EXPIRY_SECONDS, type AuthCore, type Ctx } from './core.ts';
import type { EmailLinks } from './mail-links.ts';

export function tokenRoutes(core: AuthCore, links: EmailLinks) {
  const {
    a,
    rawAuth,
    policy,
    autoconfirm,
    tokens,
    pool,
    limiter,
    validateEmail,
    passwordProblems,
    checkPasswordStrength,
    validatePkce,
    passwordMatches,
    createEmailUser,
    reloadUser,
    body,
    phone: phoneOtp,
  } = core;
  const { sendLinkEmail } = links;

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

  return { settings, signup, token };
}
