/**
 * Phone sign-in, as GoTrue does it (internal/api/otp.go, phone.go, verify.go,
 * sms_provider/twilio.go, GoTrue 2.196):
 *
 *   POST /otp { phone, channel?, create_user?, data? }  a code by text (200 {};
 *        {"message_id":"test-otp"} for a `[auth.sms.test_otp]` number, which is sent nothing)
 *   POST /verify { phone, token, type: "sms" }          the session
 *   POST /resend { phone, type: "sms" | "phone_change" }
 *   POST /admin/users { phone, phone_confirm }          a phone account (no email)
 *
 * `[auth.sms]`: enable_signup is GoTrue's "phone provider enabled" (off: 400
 * phone_provider_disabled), `[auth] enable_signup = false` still refuses new
 * numbers (422 signup_disabled), enable_confirmations = false is autoconfirm,
 * template ({{ .Code }}), max_frequency (429 over_sms_send_rate_limit "For
 * security purposes, you can only request this after N seconds."), test_otp
 * (+ test_otp_valid_until). Codes: 6 digits, valid 60 s, single use.
 * `[auth.rate_limit] sms_sent` (per hour, whole project) counts texts while
 * confirmations are on, as GoTrue's does (429 over_sms_send_rate_limit "SMS
 * rate limit exceeded"); /otp and /verify are also under the per-IP limits
 * of index.ts. Texts go through Twilio's Messages API, as GoTrue's twilio
 * provider sends them (form To, Channel, From = message_service_sid, Body;
 * Basic auth); the local stack sends them to its SMS catcher with the
 * catcher's account, whatever `[auth.sms.twilio]` says, as it sends email to
 * the mail catcher.
 */
import { randomUUID } from 'node:crypto';
import { SMS_CATCHER, parseDuration, type StackContext } from '../config.ts';
import { badRequest, forbidden, str, bool, obj, tooManyRequests, unprocessable, type Json } from './http.ts';
import { IntervalLimiter } from './limits.ts';
import { type ClientInfo, type TokenConfig, issueSession } from './sessions.ts';
import {
  type Db,
  type UserRow,
  NIL_UUID,
  audit,
  findUserById,
  generateOtp,
  insertUser,
  saveOneTimeToken,
  toMillis,
  tokenHash,
  tx,
} from './store.ts';
import type pg from 'pg';

const E164 = /^[1-9][0-9]{1,14}$/;
const INVALID_CHANNEL = "Invalid channel, supported values are 'sms' or 'whatsapp'";
const OTP_EXPIRY_SECONDS = 60;
const OTP_LENGTH = 6;

type Table = Record<string, unknown>;
const tbl = (v: unknown): Table => (v && typeof v === 'object' ? (v as Table) : {});

export interface PhoneConfig {
  enabled: boolean;
  autoconfirm: boolean;
  enableSignup: boolean;
  template: string;
  maxFrequency: number;
  testOtp: Map<string, string>;
  testOtpValidUntil: number | null;
  smsSentPerHour: number;
  from: string;
}

/** `[auth.sms]` of config.toml (raw) as GoTrue reads it through the CLI. */
export function phoneConfig(rawAuth: Table, enableSignup: boolean, env: NodeJS.ProcessEnv): PhoneConfig {
  const sms = tbl(rawAuth.sms);
  const twilio = tbl(sms.twilio);
  const limits = tbl(rawAuth.rate_limit);
  const testOtp = new Map<string, string>();
  for (const [k, v] of Object.entries(tbl(sms.test_otp))) testOtp.set(k.replace(/^\+/, ''), String(v));
  const until = typeof sms.test_otp_valid_until === 'string' ? Date.parse(sms.test_otp_valid_until) : NaN;
  const service = typeof twilio.message_service_sid === 'string' ? twilio.message_service_sid : '';
  const envSms = env.GOTRUE_RATE_LIMIT_SMS_SENT;
  return {
    enabled: sms.enable_signup === true,
    autoconfirm: sms.enable_confirmations !== true,
    enableSignup,
    template: typeof sms.template === 'string' && sms.template ? sms.template : 'Your code is {{ .Code }}',
    maxFrequency: parseDuration(sms.max_frequency, 60),
    testOtp,
    testOtpValidUntil: Number.isFinite(until) ? until : null,
    smsSentPerHour:
      envSms !== undefined && envSms.trim() !== '' && Number.isFinite(Number(envSms))
        ? Number(envSms)
        : typeof limits.sms_sent === 'number'
          ? limits.sms_sent
          : 30,
    // a sender the project named, unless it is an unresolved env() reference
    from: service && !service.startsWith('env(') ? service : SMS_CATCHER.from,
  };
}

/** GoTrue's validatePhone: "+" and spaces dropped, then E.164 digits. */
export function validatePhone(phone: string): string {
  const p = phone.replace(/^\+/, '').replaceAll(' ', '');
  if (!E164.test(p)) throw badRequest('validation_failed', 'Invalid phone number format (E.164 required)');
  return p;
}

export async function findUserByPhone(db: Db, phone: string, aud = 'authenticated'): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `select * from auth.users where instance_id = $1 and phone = $2 and aud = $3 and is_sso_user = false limit 1`,
    [NIL_UUID, phone, aud],
  );
  return rows[0];
}

export interface PhoneDeps {
  ctx: StackContext;
  pool: pg.Pool;
  tokens: TokenConfig;
  hashPassword(pw: string): Promise<string>;
  randomPassword(): string;
  reloadUser(db: Db, id: string): Promise<UserRow>;
}

export function phoneAuth(conf: PhoneConfig, deps: PhoneDeps) {
  const { pool } = deps;
  const smsLimiter = new IntervalLimiter(conf.smsSentPerHour, 3600);

  function testOtpFor(phone: string): string | undefined {
    if (conf.testOtpValidUntil !== null && Date.now() >= conf.testOtpValidUntil) return undefined;
    return conf.testOtp.get(phone);
  }

  /** GoTrue's twilio provider: POST …/Accounts/{sid}/Messages.json; 201 with the message. */
  async function sendText(phone: string, body: string, channel: string): Promise<void> {
    const url = `http://127.0.0.1:${deps.ctx.ports.sms}/2010-04-01/Accounts/${SMS_CATCHER.accountSid}/Messages.json`;
    const form = new URLSearchParams({ To: `+${phone}`, Channel: channel, From: conf.from, Body: body });
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${SMS_CATCHER.accountSid}:${SMS_CATCHER.authToken}`).toString('base64')}`,
        },
        body: form.toString(),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw unprocessable(
        'sms_send_failed',
        `Error sending confirmation OTP to provider: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const answer = (await res.json().catch(() => ({}))) as { message?: string; more_info?: string; status?: string };
    if (res.status !== 200 && res.status !== 201) {
      throw unprocessable(
        'sms_send_failed',
        `Error sending confirmation OTP to provider: ${answer.message ?? res.statusText} More information: ${answer.more_info ?? ''}`,
      );
    }
  }

  /** GoTrue's sendPhoneConfirmation: a fresh code in confirmation_token, texted (or the test code). */
  async function sendConfirmation(db: Db, user: UserRow, phone: string, channel: string): Promise<string> {
    const sent = toMillis(user.confirmation_sent_at);
    if (sent !== undefined && sent + conf.maxFrequency * 1000 >= Date.now()) {
      const left = Math.floor((sent + conf.maxFrequency * 1000 - Date.now()) / 1000);
      throw tooManyRequests(
        'over_sms_send_rate_limit',
        `For security purposes, you can only request this after ${left} seconds.`,
      );
    }
    let otp = testOtpFor(phone);
    const messageId = otp ? 'test-otp' : '';
    if (!otp) {
      if (!conf.autoconfirm && (conf.smsSentPerHour <= 0 || !smsLimiter.allow())) {
        throw tooManyRequests('over_sms_send_rate_limit', 'SMS rate limit exceeded');
      }
      otp = generateOtp(OTP_LENGTH);
      await sendText(phone, conf.template.replace(/\{\{\s*\.Code\s*\}\}/g, otp), channel);
    }
    const hash = tokenHash(phone, otp);
    await db.query(
      `update auth.users set confirmation_token = $2, confirmation_sent_at = now(), updated_at = now() where id = $1`,
      [user.id, hash],
    );
    await saveOneTimeToken(db, user.id, 'confirmation_token', hash, phone);
    return messageId;
  }

  /** A new phone user (sign-up through /otp, where sign-ups are allowed). */
  async function createPhoneUser(db: Db, phone: string, data: Json, confirmed: boolean): Promise<UserRow> {
    const id = randomUUID();
    const user = await insertUser(db, {
      id,
      email: '',
      phone,
      passwordHash: await deps.hashPassword(deps.randomPassword()),
      appMetadata: { provider: 'phone', providers: ['phone'] },
      userMetadata: { ...data },
      confirmed: false,
    });
    if (confirmed) await db.query('update auth.users set phone_confirmed_at = now() where id = $1', [id]);
    await db.query(
      `insert into auth.identities (id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
       values (gen_random_uuid(), $1::text, $1::uuid, $2, 'phone', now(), now(), now())`,
      [id, JSON.stringify({ sub: id, phone, email_verified: false, phone_verified: confirmed })],
    );
    return deps.reloadUser(db, user.id);
  }

  return {
    /** Otp()'s shouldCreateUser for a phone: with create_user false, an unknown number is 422 otp_disabled. */
    async refuseUnknown(b: Json): Promise<void> {
      if (bool(b, 'create_user', true)) return;
      const phone = validatePhone(str(b, 'phone'));
      if (!(await findUserByPhone(pool, phone))) throw unprocessable('otp_disabled', 'Signups not allowed for otp');
    },

    /** POST /otp with a phone (GoTrue's SmsOtp). */
    async otp(b: Json, client: ClientInfo): Promise<Json> {
      if (!conf.enabled) throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
      const channel = str(b, 'channel') || 'sms';
      const phone = validatePhone(str(b, 'phone'));
      if (channel !== 'sms' && channel !== 'whatsapp') throw badRequest('validation_failed', INVALID_CHANNEL);
      const data = obj(b, 'data') ?? {};
      const messageId = await tx(pool, async (db) => {
        let user = await findUserByPhone(db, phone);
        if (!user || !user.phone_confirmed_at) {
          // GoTrue signs the number up first: refused while sign-ups are off.
          if (!conf.enableSignup) throw unprocessable('signup_disabled', 'Signups not allowed for this instance');
          if (!user) user = await createPhoneUser(db, phone, data, conf.autoconfirm);
          await audit(db, user, 'user_signedup', client.ip, { provider: 'phone' });
          if (!conf.autoconfirm) {
            await sendConfirmation(db, user, phone, channel);
            return '';
          }
        }
        await audit(db, user, 'user_recovery_requested', client.ip, { channel });
        return sendConfirmation(db, user, phone, channel);
      });
      return messageId ? { message_id: messageId } : {};
    },

    /** POST /verify { phone, token, type: sms | phone_change } (GoTrue's verifyUserAndToken + smsVerify). */
    async verify(b: Json, client: ClientInfo): Promise<Json> {
      const type = str(b, 'type');
      const token = str(b, 'token');
      const phone = validatePhone(str(b, 'phone'));
      return tx(pool, async (db) => {
        const invalid = () => forbidden('otp_expired', 'Token has expired or is invalid');
        if (type === 'phone_change') {
          // a change of number is not offered: no user ever has one pending
          throw invalid();
        }
        const found = await findUserByPhone(db, phone);
        if (!found) throw invalid();
        const user = (await findUserById(db, found.id, true)) ?? found;
        if (user.banned_until && (toMillis(user.banned_until) ?? 0) > Date.now()) {
          throw forbidden('user_banned', 'User is banned');
        }
        const test = testOtpFor(phone);
        if (!(test !== undefined && token === test)) {
          const sent = toMillis(user.confirmation_sent_at);
          const expected = user.confirmation_token ?? '';
          const hash = tokenHash(phone, token);
          const valid =
            expected !== '' &&
            sent !== undefined &&
            Date.now() <= sent + OTP_EXPIRY_SECONDS * 1000 &&
            (hash === expected || `pkce_${hash}` === expected);
          if (!valid) throw invalid();
        }
        await audit(db, user, 'user_signedup', client.ip, { provider: 'phone' });
        await db.query(
          `update auth.users set confirmation_token = '', phone_confirmed_at = coalesce(phone_confirmed_at, now()),
                  updated_at = now() where id = $1`,
          [user.id],
        );
        await db.query('delete from auth.one_time_tokens where user_id = $1', [user.id]);
        await db.query(
          `update auth.identities set identity_data = identity_data || '{"phone_verified": true}'::jsonb, updated_at = now()
            where user_id = $1 and provider = 'phone'`,
          [user.id],
        );
        const fresh = await deps.reloadUser(db, user.id);
        return (await issueSession(db, deps.tokens, fresh, 'otp', client)) as unknown as Json;
      });
    },

    /** POST /resend for sms / phone_change: a new code to a number that has not confirmed yet; else nothing. */
    async resend(b: Json, client: ClientInfo): Promise<Json> {
      const type = str(b, 'type');
      const phone = validatePhone(str(b, 'phone'));
      if (!conf.enabled) throw badRequest('phone_provider_disabled', 'Unsupported phone provider');
      await tx(pool, async (db) => {
        const user = await findUserByPhone(db, phone);
        if (!user || type !== 'sms' || user.phone_confirmed_at) return;
        await audit(db, user, 'user_confirmation_requested', client.ip, { provider: 'phone' });
        await sendConfirmation(db, user, phone, 'sms');
      });
      return {};
    },

    /** POST /admin/users with a phone and no email: a phone account (phone_confirm confirms it). */
    async adminCreate(b: Json, client: ClientInfo): Promise<UserRow> {
      const phone = validatePhone(str(b, 'phone'));
      const confirmed = bool(b, 'phone_confirm', false);
      const userMetadata = obj(b, 'user_metadata') ?? {};
      const appMetadata = obj(b, 'app_metadata') ?? {};
      return tx(pool, async (db) => {
        if (await findUserByPhone(db, phone)) {
          throw unprocessable('phone_exists', 'Phone number already registered by another user');
        }
        const user = await createPhoneUser(db, phone, userMetadata, confirmed);
        if (Object.keys(appMetadata).length) {
          await db.query(`update auth.users set raw_app_meta_data = raw_app_meta_data || $2 where id = $1`, [
            user.id,
            JSON.stringify(appMetadata),
          ]);
        }
        await audit(
          db,
          user,
          'user_signedup',
          client.ip,
          { provider: 'phone', user_id: user.id, user_phone: phone },
          'team',
        );
        return deps.reloadUser(db, user.id);
      });
    },

    settings(): { phone: boolean; phone_autoconfirm: boolean } {
      return { phone: conf.enabled, phone_autoconfirm: conf.autoconfirm };
    },
  };
}
