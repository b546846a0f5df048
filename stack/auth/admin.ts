/** Auth admin routes (service role): users, generated links, invites. */
import { randomUUID } from 'node:crypto';
import { parseDuration } from '../config.ts';
import {
  badRequest,
  bool,
  notFound,
  obj,
  optStr,
  parseJsonBody,
  readBody,
  sendJson,
  str,
  unprocessable,
  goEncode,
  type Json,
} from './http.ts';
import {
  NIL_UUID,
  type UserRow,
  audit,
  confirmUser,
  findUserByEmail,
  findUserById,
  fullUserJson,
  generateOtp,
  insertEmailIdentity,
  insertUser,
  isConfirmed,
  saveOneTimeToken,
  tokenHash,
  tx,
  userJson,
} from './store.ts';
import { UUID_RE, DUPLICATE_EMAIL, type AuthCore, type Ctx } from './core.ts';
import type { EmailLinks } from './mail-links.ts';

export function adminRoutes(core: AuthCore, links: EmailLinks) {
  const {
    a,
    policy,
    secureEmailChange,
    pool,
    validateEmail,
    checkPasswordStrength,
    hashPassword,
    randomPassword,
    createEmailUser,
    reloadUser,
    mergeMetadata,
    requireAdmin,
    body,
    phone: phoneOtp,
  } = core;
  const { actionLink, sendTokenEmail } = links;

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
      // a phone account: phone.ts
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

  return { adminListUsers, adminCreateUser, adminGetUser, adminUpdateUser, adminDeleteUser, adminGenerateLink, invite };
}
