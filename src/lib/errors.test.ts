import { describe, expect, it } from 'vitest';
import { ConflictError, errorMessage, isSessionError } from './errors';

describe('errorMessage', () => {
  it('maps the database codes people meet to plain words', () => {
    expect(errorMessage({ code: '42501', message: 'new row violates row-level security policy' })).toBe(
      "You don't have access to this referral.",
    );
    expect(errorMessage({ code: '42501', message: 'permission denied for table goals' })).toBe(
      "You don't have access to this referral.",
    );
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
  });
});
