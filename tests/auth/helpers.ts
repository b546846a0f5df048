/**
 * Helpers for the Auth suites: fresh addresses, users made through the admin
 * API, links and codes read from the mail catcher, and email links followed
 * the way a browser would (without following the redirect).
 */
import { expect } from 'vitest';
import { env, mail, serviceClient, type Mail } from '../support/stack.ts';

let counter = 0;
export function freshEmail(label: string): string {
  return `${label}-${Date.now().toString(36)}-${(counter++).toString(36)}@auth-test.example`;
}

/** A confirmed user with a password, made by the admin API. */
export async function createUser(email: string, password = 'correct-horse-1', metadata: Record<string, unknown> = {}) {
  const { data, error } = await serviceClient().auth.admin.createUser({
    email,
    password,
    email_confirm: true,
    user_metadata: metadata,
  });
  expect(error).toBeNull();
  return data.user!;
}

const matches = (m: Mail, address: string, subject: RegExp) =>
  m.to.some((t) => t.address.toLowerCase() === address.toLowerCase()) && subject.test(m.subject);

/** How many emails to an address with a matching subject have arrived so far. */
export async function countMail(address: string, subject: RegExp): Promise<number> {
  return (await mail.list()).filter((m) => matches(m, address, subject)).length;
}

/**
 * Waits for the email after the first `seen` ones to an address with a
 * matching subject (the catcher lists messages oldest first).
 */
export async function mailTo(address: string, subject: RegExp, seen = 0): Promise<Mail> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = (await mail.list()).filter((m) => matches(m, address, subject));
    if (found.length > seen) return found[seen]!;
    if (Date.now() > deadline) throw new Error(`no email "${subject}" to ${address} arrived in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The verify link in an email (the text part keeps the URL). */
export function linkIn(m: Mail): string {
  const match = /(http:\/\/127\.0\.0\.1:\d+\/auth\/v1\/verify\?[^\s"<>]+)/.exec(m.text);
  if (!match) throw new Error(`no verify link in email "${m.subject}"`);
  return match[1]!;
}

/** The one-time code in an email: a line of otp_length digits. */
export function codeIn(m: Mail): string {
  const match = /^(\d{6})$/m.exec(m.text);
  if (!match) throw new Error(`no code in email "${m.subject}"`);
  return match[1]!;
}

/** Opens an email link like a browser (no apikey) and returns where it redirects. */
export async function follow(link: string): Promise<{ status: number; location: URL }> {
  const res = await fetch(link, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (!location) throw new Error(`no redirect from the link (status ${res.status}: ${await res.text()})`);
  return { status: res.status, location: new URL(location) };
}

export function fragment(u: URL): URLSearchParams {
  return new URLSearchParams(u.hash.replace(/^#/, ''));
}

/** Raw call to the Auth API through the gateway, as auth-js makes it. */
export function authFetch(path: string, init: RequestInit & { token?: string; apiVersion?: string | null } = {}) {
  const headers: Record<string, string> = {
    apikey: env.anonKey,
    Authorization: `Bearer ${init.token ?? env.anonKey}`,
    'Content-Type': 'application/json;charset=UTF-8',
    ...(init.headers as Record<string, string> | undefined),
  };
  if (init.apiVersion !== null) headers['X-Supabase-Api-Version'] = init.apiVersion ?? '2024-01-01';
  return fetch(`${env.authUrl}${path}`, { ...init, headers });
}
