/** Auth routes of the signed-in user: read, update, sign out. */
import { badRequest, forbidden, obj, optStr, sendJson, str, unprocessable } from './http.ts';
import { audit, findUserByEmail, fullUserJson, hasPassword, tx } from './store.ts';
import { ADMIN_ROLES, DUPLICATE_EMAIL, type AuthCore, type Ctx } from './core.ts';
import type { EmailLinks } from './mail-links.ts';

export function userRoutes(core: AuthCore, links: EmailLinks) {
  const {
    policy,
    pool,
    limiter,
    validateEmail,
    checkPasswordStrength,
    validatePkce,
    hashPassword,
    passwordMatches,
    reloadUser,
    mergeMetadata,
    requireUser,
    body,
  } = core;
  const { createFlowState, sendEmailChange } = links;

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

  return { getUser, updateUser, logout };
}
