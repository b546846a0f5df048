/**
 * What people are told when the database refuses them: the real error each
 * refusal returns through supabase-js, as the seeded people, goes through the
 * app's own mapping (src/lib/errors.ts, as the fetchers and mutations use it)
 * and must come out naming what was refused. If the database ever answers a
 * refusal differently (another code, a row instead of nothing), these fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessError, accessError, errorMessage, requireRows } from '../../src/lib/errors.ts';
import { closeDb, resetDb, signIn, sql, type Client } from '../support/stack.ts';
import { notes, programs, referrals, seekers, sites, users } from './world.ts';

const RLS_INSERT = /new row violates row-level security policy/;
let carl: Client, wendy: Client, walter: Client, henry: Client, helen: Client, sam: Client;

beforeAll(async () => {
  await resetDb();
  [carl, wendy, walter, henry, helen, sam] = await Promise.all(
    [users.carl, users.wendy, users.walter, users.henry, users.helen, users.sam].map((u) => signIn(u.email)),
  );
});
afterAll(async () => {
  await resetDb();
  await closeDb();
});

describe('a refused write says what was refused', () => {
  it('Carl adding a note on a referral he cannot see: "these notes"', async () => {
    const { error } = await carl.from('referral_notes').insert({ referral_id: referrals.R1, body: 'hello' });
    expect(error).toMatchObject({ code: '42501', message: expect.stringMatching(RLS_INSERT) });
    const shown = accessError('notes', error);
    expect(shown).toBeInstanceOf(AccessError);
    expect(errorMessage(shown)).toBe("You don't have access to these notes.");
    // the same note on his own program's referral is accepted
    const ok = await carl.from('referral_notes').insert({ referral_id: referrals.R2, body: 'hello' }).select('id');
    expect(ok.error).toBeNull();
    expect(ok.data).toHaveLength(1);
  });

  it('Wendy updating a person she cannot see: nothing changes, and "this person’s details"', async () => {
    const refused = await wendy.from('seekers').update({ phone: '(512) 555-0111' }).eq('id', seekers.sam).select('id');
    expect(refused.error).toBeNull(); // row-level security hides the row: no error, no row
    expect(() => requireRows('seeker', refused.data)).toThrow("You don't have access to this person's details.");
    const [row] = await sql<{ phone: string | null }>('select phone from public.seekers where id = $1', [seekers.sam]);
    expect(row!.phone).toBe('(512) 555-0199'); // as seeded
    // the person she referred is hers to update
    const ok = await wendy.from('seekers').update({ phone: '(512) 555-0111' }).eq('id', seekers.rita).select('id');
    expect(ok.error).toBeNull();
    expect(requireRows('seeker', ok.data)).toEqual([{ id: seekers.rita }]);
  });

  it('Walter adding a goal for a person he cannot see: "this person’s goals"', async () => {
    const { error } = await walter.from('goals').insert({ seeker_id: seekers.sam, title: 'Winter coat' });
    expect(error).toMatchObject({ code: '42501', message: expect.stringMatching(RLS_INSERT) });
    expect(errorMessage(accessError('goals', error))).toBe("You don't have access to this person's goals.");
    const ok = await helen.from('goals').insert({ seeker_id: seekers.sam, title: 'Winter coat' }).select('id');
    expect(ok.error).toBeNull();
  });

  it('Henry deleting Helen’s note: nothing is deleted, and only its author can', async () => {
    const refused = await henry.from('referral_notes').delete().eq('id', notes.onR1ByHelen).select('id');
    expect(refused.error).toBeNull();
    expect(() => requireRows('note', refused.data)).toThrow(
      "You can't delete this note: only the person who wrote it can.",
    );
    const ok = await helen.from('referral_notes').delete().eq('id', notes.onR1ByHelen).select('id');
    expect(requireRows('note', ok.data)).toEqual([{ id: notes.onR1ByHelen }]);
  });

  it('Walter referring a person he cannot see: "this referral"', async () => {
    const { error } = await walter.from('referrals').insert({ seeker_id: seekers.rita, program_id: programs.harbor });
    expect(error).toMatchObject({ code: '42501', message: expect.stringMatching(RLS_INSERT) });
    expect(errorMessage(accessError('referral', error))).toBe("You don't have access to this referral.");
  });

  it('Helen referring from an organisation she is not in: the database’s own reason is kept', async () => {
    const { error } = await helen
      .from('referrals')
      .insert({ seeker_id: seekers.sam, program_id: programs.safeHaven, from_site_id: sites.westside });
    expect(error?.code).toBe('42501');
    expect(errorMessage(accessError('referral', error))).toBe(
      "You don't have access to this referral. A referral can only be made from a site or program the referrer belongs to.",
    );
  });

  it('Sam changing his own name: "this person’s details", with the reason', async () => {
    const { error } = await sam.from('seekers').update({ first_name: 'Samuel' }).eq('id', seekers.sam);
    expect(error?.code).toBe('42501');
    expect(errorMessage(accessError('seeker', error))).toBe(
      "You don't have access to this person's details. Seekers can change only their contact details and preferences.",
    );
  });

  it('a refusal for lack of a grant maps the same way', async () => {
    const { error } = await helen.from('referral_notes').update({ body: 'edited' }).eq('id', notes.onR2ByCarl);
    expect(error).toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied/) });
    expect(errorMessage(accessError('notes', error))).toBe("You don't have access to these notes.");
  });
});
