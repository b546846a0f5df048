/** Sending the emails that carry a code and a link (confirmation, magic link, recovery, invite, email change). */
import { randomUUID } from 'node:crypto';
import { internal, tooManyRequests } from './http.ts';
import type { MailType } from './mailer.ts';
import { type Db, type UserRow, generateOtp, saveOneTimeToken, toMillis, tokenHash } from './store.ts';
import type { AuthCore } from './core.ts';

export function emailLinks(core: AuthCore) {
  const { a, siteUrl, externalUrl, autoconfirm, secureEmailChange, limiter, mailer } = core;

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

  return { sendLinkEmail, createFlowState, actionLink, sendTokenEmail, sendEmailChange };
}

export type EmailLinks = ReturnType<typeof emailLinks>;
