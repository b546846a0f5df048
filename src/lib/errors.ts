/**
 * Database and API errors turned into plain words, in one place. Fetchers throw
 * what they get, except that an access refusal becomes an `AccessError` naming
 * what was refused (`accessError(resource, error)`, `requireRows(resource,
 * data)`); components show `errorMessage(e)`.
 */

/** Thrown when an update guarded by `version` changed no row: someone else was first. */
export class ConflictError extends Error {
  readonly code = 'CONFLICT';
  constructor(message = 'Someone else changed this referral first. It now shows their change.') {
    super(message);
    this.name = 'ConflictError';
  }
}

/** What a fetcher or mutation was acting on when access was refused. */
export type AccessResource =
  'referral' | 'referrals' | 'seeker' | 'people' | 'notes' | 'note' | 'goals' | 'program' | 'report';

/** What people are told, per resource. */
export const ACCESS_WORDS: Record<AccessResource, string> = {
  referral: "You don't have access to this referral.",
  referrals: "You don't have access to these referrals.",
  seeker: "You don't have access to this person's details.",
  people: "You don't have access to these people's details.",
  notes: "You don't have access to these notes.",
  note: "You can't delete this note: only the person who wrote it can.",
  goals: "You don't have access to this person's goals.",
  program: 'Only the claimers of a program can change its listing.',
  report:
    'Only members of staff can report wrong information, and only the claimers of a program can resolve its reports.',
};

/**
 * Access to `resource` was refused: Postgres said 42501 (row-level security or
 * a missing grant; PostgREST answers 401/403), or a write under row-level
 * security changed no row. `reason` is the database's own sentence when one of
 * our functions wrote it for people ("A referral can only be made from …").
 */
export class AccessError extends Error {
  readonly code = '42501';
  constructor(
    readonly resource: AccessResource,
    readonly reason?: string,
    readonly cause?: unknown,
  ) {
    super(reason ? `${ACCESS_WORDS[resource]} ${reason.replace(/[.\s]*$/, '.')}` : ACCESS_WORDS[resource]);
    this.name = 'AccessError';
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

/** Postgres's own wording for a refusal, which says nothing to people. */
const GENERIC_REFUSAL = /row-level security|permission denied|^denied$/i;

/** A refusal of access: Postgres 42501 (PostgREST's 401/403 carry it), or an HTTP 403. */
export function isAccessRefusal(error: unknown): boolean {
  const e = asErrorLike(error);
  return error instanceof AccessError || e.code === '42501' || e.status === 403;
}

/**
 * The error to throw for a failed action on `resource`: an access refusal
 * becomes an AccessError naming the resource; anything else is returned as it is.
 */
export function accessError(resource: AccessResource, error: unknown): unknown {
  if (error instanceof AccessError || !isAccessRefusal(error)) return error;
  const message = asErrorLike(error).message?.trim();
  return new AccessError(resource, message && !GENERIC_REFUSAL.test(message) ? message : undefined, error);
}

/**
 * Row-level security filters a write to the rows the person may change, so a
 * refused update or delete changes nothing and says nothing: zero rows back
 * (asked for with `.select()`) is the refusal.
 */
export function requireRows<T>(resource: AccessResource, rows: T[] | null): T[] {
  if (!rows || rows.length === 0) throw new AccessError(resource);
  return rows;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ConflictError || error instanceof AccessError) return error.message;
  const e = asErrorLike(error);
  const text = `${e.message ?? ''} ${e.details ?? ''}`;
  switch (e.code) {
    case '42501':
      // A refusal that says what to do instead (a hint) was written for
      // people by our own triggers, e.g. who may change a seeker's contact
      // details; Postgres's own ("permission denied …") never carry one.
      if (e.hint && e.message) return e.message;
      // A refusal no fetcher named (every fetcher should): say so without guessing what.
      return "You don't have access to do this.";
    case '23514': {
      // A rule our own triggers explain to people (with a hint of what to do instead).
      if (e.hint && e.message) return e.message;
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
