import { describe, expect, it } from 'vitest';
import {
  ACCESS_WORDS,
  AccessError,
  ConflictError,
  accessError,
  errorMessage,
  isAccessRefusal,
  isSessionError,
  requireRows,
  type AccessResource,
} from './errors';

const RLS = { code: '42501', message: 'new row violates row-level security policy for table "referral_notes"' };

describe('errorMessage', () => {
  it('maps the database codes people meet to plain words', () => {
    // the database's own refusals explain themselves
    const contact =
      'Only the organisation that added Sam S. and Sam themselves can change their email, phone or preferred contact';
    expect(errorMessage({ code: '42501', message: contact, hint: 'Ask the organisation that added them.' })).toBe(
      contact,
    );
    expect(errorMessage({ code: '23514', message: 'violates check constraint "referral_notes_body_check"' })).toBe(
      'The note is not allowed: check that it is filled in and not too long.',
    );
    expect(errorMessage({ code: '23514', message: 'violates check constraint "something_else"' })).toMatch(
      /check the lengths and values/,
    );
    expect(errorMessage({ code: '23505', message: 'duplicate key' })).toBe(
      'This already exists, so it was not added again.',
    );
    expect(errorMessage({ code: '23503', message: 'fk' })).toMatch(/no longer exists/);
    expect(errorMessage({ code: '22001', message: 'value too long' })).toMatch(/too long/);
    expect(errorMessage({ code: 'P0001', message: 'The goal belongs to another person.' })).toBe(
      'The goal belongs to another person.',
    );
    expect(errorMessage({ code: '22023', message: 'Unknown ZIP code: 00000' })).toBe('Unknown ZIP code: 00000');
    expect(errorMessage(new ConflictError())).toMatch(/^Someone else changed this referral first/);
    expect(errorMessage(new TypeError('Failed to fetch'))).toMatch(/Could not reach the server/);
  });

  it('recognises an expired session', () => {
    expect(isSessionError({ code: 'PGRST301', message: 'JWT expired' })).toBe(true);
    expect(isSessionError({ code: '42501', message: 'denied' })).toBe(false);
    expect(isSessionError(new AccessError('seeker'))).toBe(false);
  });
});

describe('access refusals name what was refused', () => {
  const cases: [AccessResource, string][] = [
    ['referral', "You don't have access to this referral."],
    ['referrals', "You don't have access to these referrals."],
    ['seeker', "You don't have access to this person's details."],
    ['people', "You don't have access to these people's details."],
    ['notes', "You don't have access to these notes."],
    ['note', "You can't delete this note: only the person who wrote it can."],
    ['goals', "You don't have access to this person's goals."],
    ['program', 'Only the claimers of a program can change its listing.'],
    [
      'report',
      'Only members of staff can report wrong information, and only the claimers of a program can resolve its reports.',
    ],
  ];
  it.each(cases)('%s → %s', (resource, words) => {
    expect(ACCESS_WORDS[resource]).toBe(words);
    const e = accessError(resource, RLS);
    expect(e).toBeInstanceOf(AccessError);
    expect(e).toMatchObject({ resource, code: '42501', cause: RLS });
    expect(errorMessage(e)).toBe(words);
  });

  it('no two resources share their words', () => {
    expect(new Set(Object.values(ACCESS_WORDS)).size).toBe(cases.length);
  });

  it('recognises a refusal by its Postgres code or an HTTP 403, and nothing else', () => {
    expect(isAccessRefusal(RLS)).toBe(true);
    expect(isAccessRefusal({ code: '42501', message: 'permission denied for table seekers' })).toBe(true);
    expect(isAccessRefusal({ status: 403, message: 'Forbidden' })).toBe(true);
    expect(isAccessRefusal({ code: '23514', message: 'check' })).toBe(false);
    expect(isAccessRefusal({ code: 'PGRST301', status: 401, message: 'JWT expired' })).toBe(false);
    expect(isAccessRefusal({ code: 'PGRST116', message: '0 rows' })).toBe(false);
    expect(isAccessRefusal(new TypeError('Failed to fetch'))).toBe(false);
  });

  it('leaves other errors as they are, so their own words still show', () => {
    const check = { code: '23514', message: 'violates check constraint "referral_notes_body_check"' };
    expect(accessError('notes', check)).toBe(check);
    const expired = { code: 'PGRST301', message: 'JWT expired' };
    expect(accessError('seeker', expired)).toBe(expired);
    expect(isSessionError(accessError('seeker', expired))).toBe(true);
    const named = new AccessError('goals');
    expect(accessError('referral', named)).toBe(named); // the first resource named wins
  });

  it('adds the reason our database functions write for people, not Postgres’s own wording', () => {
    const own = {
      code: '42501',
      message: 'A referral can only be made from a site or program the referrer belongs to',
    };
    expect(errorMessage(accessError('referral', own))).toBe(
      "You don't have access to this referral. A referral can only be made from a site or program the referrer belongs to.",
    );
    expect(errorMessage(accessError('seeker', { code: '42501', message: 'permission denied for table seekers' }))).toBe(
      "You don't have access to this person's details.",
    );
  });

  it('a refusal nothing named still says it was refused, without naming the wrong thing', () => {
    expect(errorMessage(RLS)).toBe("You don't have access to do this.");
  });

  it('a write that changed no row under row-level security is a refusal', () => {
    expect(requireRows('seeker', [{ id: 'x' }])).toEqual([{ id: 'x' }]);
    expect(() => requireRows('seeker', [])).toThrow(AccessError);
    expect(() => requireRows('note', null)).toThrow("You can't delete this note: only the person who wrote it can.");
  });
});
