/**
 * Auth emails (confirmation, magic link / code, recovery, invite, email
 * change) rendered from the templates config.toml names, as the Supabase CLI
 * does, and sent by SMTP to the local mail catcher.
 *
 * Templates use Go-template placeholders: {{ .ConfirmationURL }},
 * {{ .Token }}, {{ .TokenHash }}, {{ .SiteURL }}, {{ .Email }},
 * {{ .NewEmail }}, {{ .RedirectTo }} and {{ .Data.<key> }} (user metadata).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { ROOT, type EmailTemplate } from '../config.ts';

/** The verification types of links, and the config.toml template each uses. */
export type MailType = 'signup' | 'magiclink' | 'recovery' | 'invite' | 'email_change';

const TEMPLATE_KEY: Record<MailType, string> = {
  signup: 'confirmation',
  magiclink: 'magic_link',
  recovery: 'recovery',
  invite: 'invite',
  email_change: 'email_change',
};

/** Used only when config.toml names no template for a type. */
const FALLBACK: Record<MailType, { subject: string; html: string }> = {
  signup: {
    subject: 'Confirm your email address',
    html: '<h2>Confirm your email address</h2><p><a href="{{ .ConfirmationURL }}">Confirm my email address</a></p><p>Or enter this code: {{ .Token }}</p>',
  },
  magiclink: {
    subject: 'Your sign-in link',
    html: '<h2>Sign in</h2><p><a href="{{ .ConfirmationURL }}">Sign in</a></p><p>Or enter this code: {{ .Token }}</p>',
  },
  recovery: {
    subject: 'Reset your password',
    html: '<h2>Reset your password</h2><p><a href="{{ .ConfirmationURL }}">Choose a new password</a></p><p>Or enter this code: {{ .Token }}</p>',
  },
  invite: {
    subject: 'You have been invited',
    html: '<h2>You have been invited</h2><p><a href="{{ .ConfirmationURL }}">Accept the invitation</a></p>',
  },
  email_change: {
    subject: 'Confirm your new email address',
    html: '<h2>Confirm the change of email address</h2><p>From {{ .Email }} to {{ .NewEmail }}.</p><p><a href="{{ .ConfirmationURL }}">Confirm the change</a></p><p>Or enter this code: {{ .Token }}</p>',
  },
};

export interface TemplateData {
  ConfirmationURL: string;
  Token: string;
  TokenHash: string;
  SiteURL: string;
  Email: string;
  NewEmail?: string;
  RedirectTo: string;
  Data: Record<string, unknown>;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c]!);
}

function lookup(data: TemplateData, path: string[]): string {
  let v: unknown = data;
  for (const part of path) {
    if (v === null || typeof v !== 'object') return '';
    v = (v as Record<string, unknown>)[part];
  }
  if (v === undefined || v === null) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** Replaces `{{ .Name }}` / `{{ .Data.key }}`; unknown names render empty. */
export function renderTemplate(template: string, data: TemplateData, html: boolean): string {
  return template.replace(/\{\{-?\s*\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*-?\}\}/g, (_m, path: string) => {
    const value = lookup(data, path.split('.'));
    return html ? escapeHtml(value) : value;
  });
}

function decodeEntities(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)))
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** A plain-text alternative of a rendered HTML email: links keep their URL. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<head[\s\S]*?<\/head>/gi, '')
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<a\b[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_m, href: string, label: string) => {
      const l = label.replace(/<[^>]+>/g, '').trim();
      return l && l !== href ? `${l}: ${href}` : href;
    })
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/(p|h[1-6]|div|li|ul|ol|tr|table|section|header|footer)>/gi, '\n\n')
    .replace(/<[^>]+>/g, '');
  return decodeEntities(text)
    .split('\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim() + '\n';
}

export interface MailerOptions {
  smtpPort: number;
  templates: Record<string, EmailTemplate>;
  from: string;
}

export class Mailer {
  private transport: Transporter;

  constructor(private opts: MailerOptions) {
    this.transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: opts.smtpPort,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: 2,
    });
  }

  private template(type: MailType): { subject: string; html: string } {
    const conf = this.opts.templates[TEMPLATE_KEY[type]] ?? {};
    let html = FALLBACK[type].html;
    if (conf.content_path) {
      // As the CLI: relative paths are relative to the project root.
      const path = isAbsolute(conf.content_path) ? conf.content_path : join(ROOT, conf.content_path);
      if (existsSync(path)) html = readFileSync(path, 'utf8');
      else console.warn(`email template ${conf.content_path} not found; using the built-in one`);
    }
    return { subject: conf.subject ?? FALLBACK[type].subject, html };
  }

  async send(type: MailType, to: string, data: TemplateData): Promise<void> {
    const t = this.template(type);
    const html = renderTemplate(t.html, data, true);
    await this.transport.sendMail({
      from: this.opts.from,
      to,
      subject: renderTemplate(t.subject, data, false),
      html,
      text: htmlToText(html),
    });
  }

  close(): void {
    this.transport.close();
  }
}
