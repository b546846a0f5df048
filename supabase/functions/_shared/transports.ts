// How notifications leave the building, chosen by environment:
//   EMAIL_API_KEY set  → an HTTP email API (Resend-compatible: POST
//                        EMAIL_API_URL, default https://api.resend.com/emails,
//                        with an Idempotency-Key header). Hosted Supabase
//                        blocks outbound SMTP on ports 25 and 587, so this is
//                        the hosted transport.
//   else SMTP_HOST set → SMTP (nodemailer). Locally the edge runtime points it
//                        at the mail catcher.
// Text messages go through an SmsProvider; with none configured a job ends as
// "not sent: no SMS provider", visibly, instead of pretending.
//
// Every send carries the job's idempotency key: as the Message-ID for SMTP and
// as the Idempotency-Key header for the HTTP API, so a retry after a crash
// between "sent" and "marked sent" is dropped by a provider that honours it.
import nodemailer from 'npm:nodemailer@10.6.1';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  idempotencyKey: string;
  language: string;
}

export interface SendResult {
  providerMessageId: string;
}

/** A failure the provider will never accept (bad address, rejected): don't retry. */
export class PermanentSendError extends Error {}

export interface EmailTransport {
  readonly name: string;
  send(email: OutgoingEmail): Promise<SendResult>;
  close(): Promise<void>;
}

const DEFAULT_FROM = 'Closed-loop referrals <notifications@referrals.localhost>';

function messageIdFor(key: string, from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'referrals.localhost';
  return `<${key}@${domain}>`;
}

export class SmtpTransport implements EmailTransport {
  readonly name = 'smtp';
  // deno-lint-ignore no-explicit-any
  private transporter: any;

  constructor(
    opts: { host: string; port: number; user?: string; pass?: string; secure?: boolean },
    private from = DEFAULT_FROM,
  ) {
    this.transporter = nodemailer.createTransport({
      host: opts.host,
      port: opts.port,
      secure: opts.secure ?? opts.port === 465,
      // the local mail catcher speaks plain SMTP
      ignoreTLS: !opts.secure && (opts.host === '127.0.0.1' || opts.host === 'localhost'),
      auth: opts.user ? { user: opts.user, pass: opts.pass ?? '' } : undefined,
      pool: true,
      maxConnections: 10,
      maxMessages: Infinity,
      connectionTimeout: 3000,
      greetingTimeout: 3000,
      socketTimeout: 10000,
    });
  }

  async send(email: OutgoingEmail): Promise<SendResult> {
    const messageId = messageIdFor(email.idempotencyKey, this.from);
    try {
      await this.transporter.sendMail({
        from: this.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId,
        headers: { 'X-Idempotency-Key': email.idempotencyKey, 'Content-Language': email.language },
      });
    } catch (err) {
      // 5xx replies to RCPT/DATA: the server refuses this message for good.
      const code = (err as { responseCode?: number }).responseCode;
      if (code && code >= 500 && code < 600 && code !== 554 && code !== 552) {
        throw new PermanentSendError(`SMTP ${code}: ${(err as Error).message}`);
      }
      throw err;
    }
    return { providerMessageId: messageId };
  }

  close(): Promise<void> {
    this.transporter.close();
    return Promise.resolve();
  }
}

/** A Resend-compatible HTTP email API (https://resend.com/docs/api-reference/emails/send-email). */
export class HttpEmailTransport implements EmailTransport {
  readonly name = 'http';
  constructor(
    private url: string,
    private apiKey: string,
    private from = DEFAULT_FROM,
  ) {}

  async send(email: OutgoingEmail): Promise<SendResult> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${this.apiKey}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': email.idempotencyKey,
      },
      body: JSON.stringify({
        from: this.from,
        to: [email.to],
        subject: email.subject,
        text: email.text,
        html: email.html,
        headers: { 'X-Idempotency-Key': email.idempotencyKey, 'Content-Language': email.language },
      }),
      signal: AbortSignal.timeout(15000),
    });
    const body = await res.text();
    if (!res.ok) {
      const msg = `email API ${res.status}: ${body.slice(0, 300)}`;
      // 429 and 5xx are worth retrying; other 4xx never will succeed.
      if (res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 409) {
        throw new PermanentSendError(msg);
      }
      throw new Error(msg);
    }
    let id = '';
    try {
      id = String((JSON.parse(body) as { id?: unknown }).id ?? '');
    } catch {
      // a provider that answers without JSON: keep the idempotency key as the id
    }
    return { providerMessageId: id || email.idempotencyKey };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function emailTransportFromEnv(env: (k: string) => string | undefined): EmailTransport | null {
  const from = env('NOTIFICATIONS_FROM') || DEFAULT_FROM;
  const apiKey = env('EMAIL_API_KEY');
  if (apiKey) {
    return new HttpEmailTransport(env('EMAIL_API_URL') || 'https://api.resend.com/emails', apiKey, from);
  }
  const host = env('SMTP_HOST');
  if (host) {
    return new SmtpTransport(
      {
        host,
        port: Number(env('SMTP_PORT') || 587),
        user: env('SMTP_USER'),
        pass: env('SMTP_PASS'),
        secure: env('SMTP_SECURE') === 'true' ? true : undefined,
      },
      from,
    );
  }
  return null;
}

// ---------------------------------------------------------------------------
// Text messages
// ---------------------------------------------------------------------------

export interface SmsSendOptions {
  /** Where the provider reports the message's delivery state (queued, sent, delivered, failed, undelivered). */
  statusCallback?: string;
}

export interface SmsSendResult extends SendResult {
  /** The provider's state of the message when it accepted it (Twilio: queued, accepted). */
  status?: string;
}

export interface SmsProvider {
  readonly name: string;
  send(to: string, body: string, idempotencyKey: string, opts?: SmsSendOptions): Promise<SmsSendResult>;
}

/** Thrown when no provider is configured; the job ends as not_sent with this message. */
export const NO_SMS_PROVIDER = 'not sent: no SMS provider';

/**
 * A provider reachable by one HTTP POST (SMS_API_URL, SMS_API_KEY, SMS_FROM):
 * { from, to, body } as JSON, with an Idempotency-Key header.
 */
export class HttpSmsProvider implements SmsProvider {
  readonly name = 'http';
  constructor(
    private url: string,
    private apiKey: string,
    private from: string,
  ) {}

  async send(to: string, body: string, idempotencyKey: string): Promise<SendResult> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${this.apiKey}`,
        'Content-Type': 'application/json',
        'Idempotency-Key': idempotencyKey,
      },
      body: JSON.stringify({ from: this.from, to, body }),
      signal: AbortSignal.timeout(15000),
    });
    const text = await res.text();
    if (!res.ok) {
      const msg = `SMS API ${res.status}: ${text.slice(0, 300)}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 429) throw new PermanentSendError(msg);
      throw new Error(msg);
    }
    let id = '';
    try {
      id = String(
        (JSON.parse(text) as { id?: unknown; sid?: unknown }).id ?? (JSON.parse(text) as { sid?: unknown }).sid ?? '',
      );
    } catch {
      // keep the idempotency key
    }
    return { providerMessageId: id || idempotencyKey };
  }
}

/**
 * Twilio's Messages API (https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource):
 * POST {TWILIO_API_URL}/2010-04-01/Accounts/{sid}/Messages.json, form-encoded
 * To, From (or MessagingServiceSid), Body and StatusCallback, with HTTP Basic
 * auth (account SID : auth token). 201 answers the message resource (sid,
 * status "queued"); an error answers { code, message, more_info, status }.
 * Twilio has no idempotency key for this call: a retry after a lost answer
 * may send twice, so that window is kept to one round trip (the job is marked
 * sent as soon as the answer arrives).
 */
export class TwilioSmsProvider implements SmsProvider {
  readonly name = 'twilio';
  constructor(
    private opts: {
      apiUrl: string;
      accountSid: string;
      authToken: string;
      from?: string;
      messagingServiceSid?: string;
    },
  ) {}

  async send(to: string, body: string, _idempotencyKey: string, opts: SmsSendOptions = {}): Promise<SmsSendResult> {
    const form = new URLSearchParams({ To: to, Body: body });
    if (this.opts.messagingServiceSid) form.set('MessagingServiceSid', this.opts.messagingServiceSid);
    else form.set('From', this.opts.from ?? '');
    if (opts.statusCallback) form.set('StatusCallback', opts.statusCallback);
    const url = `${this.opts.apiUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(this.opts.accountSid)}/Messages.json`;
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${btoa(`${this.opts.accountSid}:${this.opts.authToken}`)}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: form.toString(),
      signal: AbortSignal.timeout(15000),
    });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // an answer without JSON (a proxy's error page): judged by its status below
    }
    if (!res.ok) {
      const code = typeof json.code === 'number' ? json.code : undefined;
      const msg = `Twilio ${res.status}${code ? ` (${code})` : ''}: ${String(json.message ?? text).slice(0, 300)}`;
      // 429 / 20429 (too many requests) and 5xx are worth retrying; any other 4xx never will succeed.
      if (res.status >= 400 && res.status < 500 && res.status !== 429 && code !== 20429) {
        throw new PermanentSendError(msg);
      }
      throw new Error(msg);
    }
    const sid = typeof json.sid === 'string' ? json.sid : '';
    if (!sid) throw new Error(`Twilio ${res.status}: no message sid in the answer`);
    return { providerMessageId: sid, status: typeof json.status === 'string' ? json.status : undefined };
  }
}

/**
 * Twilio when TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM (or
 * TWILIO_MESSAGING_SERVICE_SID) are set (TWILIO_API_URL moves it: the local
 * stack points it at its SMS catcher); else the generic HTTP provider below;
 * else none.
 */
export function smsProviderFromEnv(env: (k: string) => string | undefined): SmsProvider | null {
  const sid = env('TWILIO_ACCOUNT_SID');
  const token = env('TWILIO_AUTH_TOKEN');
  const from = env('TWILIO_FROM');
  const service = env('TWILIO_MESSAGING_SERVICE_SID');
  if (sid && token && (from || service)) {
    return new TwilioSmsProvider({
      apiUrl: env('TWILIO_API_URL') || 'https://api.twilio.com',
      accountSid: sid,
      authToken: token,
      from,
      messagingServiceSid: service,
    });
  }
  const url = env('SMS_API_URL');
  const key = env('SMS_API_KEY');
  if (url && key) return new HttpSmsProvider(url, key, env('SMS_FROM') || '');
  return null;
}
