/**
 * Database and API errors turned into plain words, in one place. Fetchers throw
 * the PostgrestError (or AuthError) they get; components show `errorMessage(e)`.
 */

/** Thrown when an update guarded by `version` changed no row: someone else was first. */
export class ConflictError extends Error {
  readonly code = 'CONFLICT';
  constructor(message = 'Someone else changed this referral first. It now shows their change.') {
    super(message);
    this.name = 'ConflictError';
  }
}

type ErrorLike = { code?: string; message?: string; details?: string | null; hint?: string | null; status?: number };

function asErrorLike(error: unknown): ErrorLike {
  if (error && typeof error === 'object') return error as ErrorLike;
  return { message: typeof error === 'string' ? error : undefined };
}

const FIELD_WORDS: Record<string, string> = {
  body: 'The note',
  comment: 'The comment',
  title: 'The goal title',
  first_name: 'The first name',
  last_name: 'The last name',
  email: 'The email address',
  phone: 'The phone number',
  zip: 'The ZIP code',
  language: 'The preferred language',
  preferred_language: 'The preferred language',
  address: 'The address',
  status: 'The status',
};

/** `referral_notes_body_check` → "The note"; unknown names → undefined. */
function fieldFromConstraint(text: string): string | undefined {
  const match = /constraint "([^"]+)"/.exec(text);
  const name = match?.[1] ?? '';
  const keys = Object.keys(FIELD_WORDS).sort((a, b) => b.length - a.length);
  const key = keys.find((k) => name.includes(`_${k}_`) || name.endsWith(`_${k}`));
  return key ? FIELD_WORDS[key] : undefined;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ConflictError) return error.message;
  const e = asErrorLike(error);
  const text = `${e.message ?? ''} ${e.details ?? ''}`;
  switch (e.code) {
    case '42501':
      // A refusal that says what to do instead (a hint) was written for
      // people by our own triggers, e.g. who may change a seeker's contact
      // details; Postgres's own ("permission denied …") never carry one.
      if (e.hint && e.message) return e.message;
      return "You don't have access to this referral.";
    case '23514': {
      const field = fieldFromConstraint(text);
      return field
        ? `${field} is not allowed: check that it is filled in and not too long.`
        : 'Some of the information is not allowed: check the lengths and values and try again.';
    }
    case '23505':
      return 'This already exists, so it was not added again.';
    case '23503':
      return 'Something this refers to no longer exists. Reload the page and try again.';
    case '22001':
      return `${fieldFromConstraint(text) ?? 'One of the values'} is too long. Shorten it and try again.`;
    case '22P02':
      return 'One of the values is not in the expected format.';
    case '22023':
      // Invalid parameter values raised by our functions (for example an unknown ZIP code).
      return e.message ?? 'One of the values is not valid.';
    case 'P0001':
      // Raised by our own database functions, whose messages are written for people.
      return e.message ?? 'The change was refused.';
    case 'PGRST116':
      return 'This was not found, or you no longer have access to it.';
    case 'PGRST301':
    case 'PGRST303':
      return 'Your session has expired. Sign in again.';
    default:
      break;
  }
  if (e.message === 'Failed to fetch' || e.message?.includes('NetworkError')) {
    return 'Could not reach the server. Check your connection and try again.';
  }
  if (e.message === 'Invalid login credentials') return 'That email and password do not match an account.';
  return e.message || 'Something went wrong. Try again.';
}

/** True for errors that mean the session is no longer valid. */
export function isSessionError(error: unknown): boolean {
  const e = asErrorLike(error);
  return e.code === 'PGRST301' || e.code === 'PGRST303' || (e.status === 401 && e.code !== '42501');
}
