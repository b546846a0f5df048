/**
 * How a person is reached, kept consistent with what was entered: the same
 * rule as the database's `seekers_contact_has_address` (email needs an email
 * address, text a phone number), so forms refuse it before the database does.
 */
import type { Enums } from './database.types';

export type ContactPreference = Enums<'contact_preference'>;

const has = (v: string | null | undefined) => !!v && v.trim() !== '';

/** The channel that has an address: email, else text, else a phone call (no message). */
export function defaultContact(email: string | null | undefined, phone: string | null | undefined): ContactPreference {
  if (has(email)) return 'email';
  if (has(phone)) return 'text';
  return 'phone';
}

/** Why this preference cannot stand with these details, in words; null when it can. */
export function contactProblem(
  preference: ContactPreference,
  email: string | null | undefined,
  phone: string | null | undefined,
): string | null {
  if (preference === 'email' && !has(email)) return 'Email needs an email address: add one, or choose another way';
  if (preference === 'text' && !has(phone)) return 'Text message needs a phone number: add one, or choose another way';
  return null;
}

/** tel: link target: digits and a leading +. */
export const telHref = (phone: string) => `tel:${phone.replace(/[^0-9+]/g, '')}`;
