/**
 * Reasons and forwarding through the API as the seeded people: a status that
 * needs a reason is refused from staff without one (in words a person reads)
 * and accepted from the seeker; reasons must be of that status; the history
 * keeps the reason; forwarding makes the new referral and the change in one
 * transaction, only for a claimer of the receiving program, and each party
 * sees the new referral by the usual rules.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anonClient, closeDb, resetDb, signIn, sql, type Client } from '../support/stack.ts';
import { programs, referrals, seekers, users } from './world.ts';

let clara: Client;
let cody: Client;
let helen: Client;
let henry: Client;
let carl: Client;
let sam: Client;
let wendy: Client;

beforeAll(async () => {
  await resetDb();
  [clara, cody, helen, henry, carl, sam, wendy] = await Promise.all(
    ['clara', 'cody', 'helen', 'henry', 'carl', 'sam', 'wendy'].map((p) =>
      signIn(users[p as keyof typeof users].email),
    ),
  );
});
beforeEach(resetDb);
afterAll(closeDb);

async function row(id: string) {
  const [r] = await sql<{
    status: string;
    status_reason: string | null;
    status_reason_text: string | null;
    version: number;
  }>('select status, status_reason, status_reason_text, version from public.referrals where id = $1', [id]);
  return r!;
}

async function lastEvent(id: string) {
  const [e] = await sql<{
    event_type: string;
    to_status: string;
    status_reason: string | null;
    status_reason_text: string | null;
  }>(
    `select event_type, to_status, status_reason, status_reason_text from public.referral_events
      where referral_id = $1 order by id desc limit 1`,
    [id],
  );
  return e!;
}

describe('the reasons list', () => {
  it('is readable by signed-in people, in English and Spanish, and not by anyone signed out', async () => {
    const { data, error } = await clara
      .from('status_reasons')
      .select('code, label_en, label_es')
      .eq('status', 'not_eligible')
      .order('sort');
    expect(error).toBeNull();
    expect(data!.map((r) => r.code)).toEqual(['income', 'age', 'residency', 'documents', 'household', 'other']);
    expect(data![0]).toEqual({
      code: 'income',
      label_en: 'Income above the limit',
      label_es: 'Ingresos por encima del límite',
    });
    const anon = await anonClient().from('status_reasons').select('code');
    expect(anon.error?.code).toBe('42501');
  });

  it('has reasons for each of the six statuses that need one, and only those', async () => {
    const rows = await sql<{ status: string; n: number }>(
      'select status::text, count(*)::int as n from public.status_reasons group by status order by status',
    );
    expect(rows.map((r) => r.status).sort()).toEqual(
      [
        'couldnt_contact',
        'couldnt_get_help',
        'no_capacity',
        'no_longer_interested',
        'not_eligible',
        'referred_elsewhere',
      ].sort(),
    );
    expect(rows.every((r) => r.n >= 4)).toBe(true);
    await expect(
      sql(`insert into public.status_reasons (status, code, label_en, label_es) values ('got_help', 'x', 'X', 'X')`),
    ).rejects.toThrow(/status_reasons_status_check/);
  });

  it('cannot be changed by signed-in people', async () => {
    const { error } = await clara
      .from('status_reasons')
      .update({ label_en: 'changed' })
      .eq('status', 'not_eligible')
      .eq('code', 'income');
    expect(error?.code).toBe('42501');
    const ins = await clara
      .from('status_reasons')
      .insert({ status: 'not_eligible', code: 'mine', label_en: 'M', label_es: 'M' });
    expect(ins.error?.code).toBe('42501');
  });
});

describe('a status that needs a reason', () => {
  it('is refused from staff without a reason, in words a person reads, and nothing changes', async () => {
    const before = await row(referrals.R1);
    const { data, error } = await clara
      .from('referrals')
      .update({ status: 'not_eligible' })
      .eq('id', referrals.R1)
      .select('id');
    expect(data).toBeNull();
    expect(error?.code).toBe('22023');
    expect(error?.message).toBe(
      'Choose a reason for "Not eligible": staff say why when a referral moves to this status',
    );
    expect(await row(referrals.R1)).toEqual(before);
  });

  it('is refused from the referrer without a reason too (any staff)', async () => {
    const { error } = await helen.from('referrals').update({ status: 'no_longer_interested' }).eq('id', referrals.R1);
    expect(error?.message).toMatch(/Choose a reason for "No longer interested"/);
  });

  it('is accepted from staff with a reason, which the history keeps with the words', async () => {
    const { data, error } = await clara
      .from('referrals')
      .update({
        status: 'not_eligible',
        status_reason: 'income',
        status_reason_text: '  Over the limit for a household of two.  ',
      })
      .eq('id', referrals.R1)
      .select('status, status_reason, status_reason_text');
    expect(error).toBeNull();
    expect(data).toEqual([
      { status: 'not_eligible', status_reason: 'income', status_reason_text: 'Over the limit for a household of two.' },
    ]);
    expect(await lastEvent(referrals.R1)).toEqual({
      event_type: 'status_changed',
      to_status: 'not_eligible',
      status_reason: 'income',
      status_reason_text: 'Over the limit for a household of two.',
    });
    // whoever sees the referral reads the reason in its history, the seeker included
    const seen = await sam
      .from('referral_events')
      .select('status_reason')
      .eq('referral_id', referrals.R1)
      .eq('event_type', 'status_changed');
    expect(seen.data).toEqual([{ status_reason: 'income' }]);
  });

  it('is accepted from the seeker without a reason, and with one', async () => {
    const without = await sam
      .from('referrals')
      .update({ status: 'couldnt_get_help' })
      .eq('id', referrals.R1)
      .select('status_reason');
    expect(without.error).toBeNull();
    expect(without.data).toEqual([{ status_reason: null }]);
    const withOne = await sam
      .from('referrals')
      .update({ status: 'no_longer_interested', status_reason: 'moved' })
      .eq('id', referrals.R1)
      .select('status_reason');
    expect(withOne.error).toBeNull();
    expect(withOne.data).toEqual([{ status_reason: 'moved' }]);
    expect((await lastEvent(referrals.R1)).status_reason).toBe('moved');
  });

  it('refuses an unknown reason, a reason of another status, and a retired one', async () => {
    const unknown = await clara
      .from('referrals')
      .update({ status: 'not_eligible', status_reason: 'because' })
      .eq('id', referrals.R1);
    expect(unknown.error?.code).toBe('22023');
    expect(unknown.error?.message).toBe('"because" is not one of the reasons for "Not eligible"');
    const otherStatus = await clara
      .from('referrals')
      .update({ status: 'not_eligible', status_reason: 'moved' })
      .eq('id', referrals.R1);
    expect(otherStatus.error?.message).toBe('"moved" is not one of the reasons for "Not eligible"');
    // the seeker is held to the list as well
    const seeker = await sam
      .from('referrals')
      .update({ status: 'couldnt_get_help', status_reason: 'because' })
      .eq('id', referrals.R1);
    expect(seeker.error?.code).toBe('22023');
    await sql(`update public.status_reasons set active = false where status = 'not_eligible' and code = 'age'`);
    try {
      const retired = await clara
        .from('referrals')
        .update({ status: 'not_eligible', status_reason: 'age' })
        .eq('id', referrals.R1);
      expect(retired.error?.message).toBe('"age" is not one of the reasons for "Not eligible"');
    } finally {
      await sql(`update public.status_reasons set active = true where status = 'not_eligible' and code = 'age'`);
    }
    expect((await row(referrals.R1)).status).toBe('not_updated');
  });

  it('refuses words longer than 500 characters and words without a reason', async () => {
    const long = await clara
      .from('referrals')
      .update({ status: 'not_eligible', status_reason: 'other', status_reason_text: 'x'.repeat(501) })
      .eq('id', referrals.R1);
    expect(long.error?.code).toBe('23514');
    expect(long.error?.message).toMatch(/referrals_status_reason_text_check/);
    const ok = await clara
      .from('referrals')
      .update({ status: 'not_eligible', status_reason: 'other', status_reason_text: 'x'.repeat(500) })
      .eq('id', referrals.R1);
    expect(ok.error).toBeNull();
  });

  it('is cleared when the status moves on, refused on a status without reasons, and changes only with the status', async () => {
    await clara
      .from('referrals')
      .update({ status: 'not_eligible', status_reason: 'documents', status_reason_text: 'No ID' })
      .eq('id', referrals.R1);
    const alone = await clara.from('referrals').update({ status_reason: 'income' }).eq('id', referrals.R1);
    expect(alone.error?.message).toBe('A reason can only be given together with a change of status');
    const cleared = await clara
      .from('referrals')
      .update({ status: 'eligible' })
      .eq('id', referrals.R1)
      .select('status_reason, status_reason_text');
    expect(cleared.data).toEqual([{ status_reason: null, status_reason_text: null }]);
    const refused = await clara
      .from('referrals')
      .update({ status: 'pending', status_reason: 'income' })
      .eq('id', referrals.R1);
    expect(refused.error?.message).toBe('"Pending" takes no reason');
    // a reason of the old status is not carried to a new one that lacks it
    await clara.from('referrals').update({ status: 'not_eligible', status_reason: 'income' }).eq('id', referrals.R1);
    const moved = await clara.from('referrals').update({ status: 'no_capacity' }).eq('id', referrals.R1);
    expect(moved.error?.message).toMatch(/Choose a reason for "No capacity"/);
  });

  it('is not required of an administrator (no one signed in), and the reason still must exist', async () => {
    await sql(`update public.referrals set status = 'no_capacity' where id = $1`, [referrals.R2]);
    expect((await row(referrals.R2)).status).toBe('no_capacity');
    await expect(
      sql(`update public.referrals set status = 'not_eligible', status_reason = 'nope' where id = $1`, [referrals.R2]),
    ).rejects.toThrow('"nope" is not one of the reasons for "Not eligible"');
  });
});

describe('forwarding', () => {
  const forward = (
    client: Client,
    id: string,
    version: number,
    programId: string,
    reason = 'better_fit',
    comment?: string,
  ) =>
    client.rpc('forward_referral', {
      p_referral_id: id,
      p_version: version,
      p_program_id: programId,
      p_status_reason: reason,
      p_status_reason_text: 'They need housing first.',
      ...(comment !== undefined ? { p_comment: comment } : {}),
    });

  it('marks the referral Referred elsewhere and makes the new one in one step, linked both ways', async () => {
    const before = await row(referrals.R1);
    const { data: newId, error } = await forward(clara, referrals.R1, before.version, programs.safeHaven);
    expect(error).toBeNull();
    expect(await row(referrals.R1)).toMatchObject({
      status: 'referred_elsewhere',
      status_reason: 'better_fit',
      status_reason_text: 'They need housing first.',
    });
    const [made] = await sql<Record<string, unknown>>(
      'select seeker_id, program_id, from_program_id, from_site_id, referred_by, comment, forwarded_from, status from public.referrals where id = $1',
      [newId],
    );
    const [orig] = await sql<{ comment: string }>('select comment from public.referrals where id = $1', [referrals.R1]);
    expect(made).toEqual({
      seeker_id: seekers.sam,
      program_id: programs.safeHaven,
      from_program_id: programs.harbor,
      from_site_id: null,
      referred_by: users.clara.id,
      comment: orig!.comment,
      forwarded_from: referrals.R1,
      status: 'not_updated',
    });
    // both directions, for someone who sees both
    const to = await clara.rpc('referral_forwards', { p_referral_id: referrals.R1 });
    expect(to.data).toEqual([
      expect.objectContaining({ direction: 'to', referral_id: newId, program_name: 'Safe Haven Housing' }),
    ]);
    const from = await clara.rpc('referral_forwards', { p_referral_id: newId as string });
    expect(from.data).toEqual([
      expect.objectContaining({ direction: 'from', referral_id: referrals.R1, program_name: 'Harbor Food Pantry' }),
    ]);
  });

  it('follows the usual rules for the new referral: the new program, the forwarding team and the seeker see it; the original referrer sees only where it went', async () => {
    const { version } = await row(referrals.R1);
    const { data: newId } = await forward(
      clara,
      referrals.R1,
      version,
      programs.safeHaven,
      'out_of_area',
      'Carried over, shortened.',
    );
    const sees = async (c: Client) =>
      (
        (
          await c
            .from('referrals')
            .select('id')
            .eq('id', newId as string)
        ).data ?? []
      ).length === 1;
    expect(await sees(carl)).toBe(true); // receiving program (rule 3)
    expect(await sees(cody)).toBe(true); // Harbor shares what its staff send (rule 2)
    expect(await sees(sam)).toBe(true); // the seeker (rule 4)
    expect(await sees(helen)).toBe(false); // the original's referrer is not a party of the new one
    expect(await sees(henry)).toBe(false);
    expect(await sees(wendy)).toBe(false);
    const forHelen = await helen.rpc('referral_forwards', { p_referral_id: referrals.R1 });
    expect(forHelen.data).toEqual([
      expect.objectContaining({ direction: 'to', referral_id: null, program_name: 'Safe Haven Housing' }),
    ]);
    // someone who cannot see the original learns nothing
    const forWendy = await wendy.rpc('referral_forwards', { p_referral_id: referrals.R1 });
    expect(forWendy.data).toEqual([]);
    const [c] = await sql<{ comment: string }>('select comment from public.referrals where id = $1', [newId]);
    expect(c!.comment).toBe('Carried over, shortened.');
  });

  it('is refused to anyone but a claimer of the receiving program, and then changes nothing at all', async () => {
    const count = async () => Number((await sql<{ n: string }>('select count(*) as n from public.referrals'))[0]!.n);
    const n = await count();
    const before = await row(referrals.R1);
    // Helen may change R1's status (she referred it) but she is not Harbor's claimer
    const byReferrer = await forward(helen, referrals.R1, before.version, programs.safeHaven);
    expect(byReferrer.error?.code).toBe('42501');
    expect(byReferrer.error?.message).toBe('Only a claimer of the program that received a referral can forward it');
    // Carl cannot see R1 at all
    const byStranger = await forward(carl, referrals.R1, before.version, programs.safeHaven);
    expect(byStranger.error?.code).toBe('42501');
    // the status change was rolled back with the refused insert
    expect(await row(referrals.R1)).toEqual(before);
    expect(await count()).toBe(n);
  });

  it('refuses a stale version, the same program, a missing reason, and a second forward', async () => {
    const { version } = await row(referrals.R1);
    const stale = await forward(clara, referrals.R1, version - 1, programs.safeHaven);
    expect(stale.error?.code).toBe('PT409');
    const same = await forward(clara, referrals.R1, version, programs.harbor);
    expect(same.error?.message).toBe('Forward the referral to another program than the one that received it');
    const noReason = await clara.rpc('forward_referral', {
      p_referral_id: referrals.R1,
      p_version: version,
      p_program_id: programs.safeHaven,
      p_status_reason: null as unknown as string,
    });
    expect(noReason.error?.message).toMatch(/Choose a reason for "Referred elsewhere"/);
    expect((await row(referrals.R1)).status).toBe('not_updated');
    const first = await forward(clara, referrals.R1, version, programs.safeHaven);
    expect(first.error).toBeNull();
    const again = await forward(clara, referrals.R1, version + 1, programs.brightFutures);
    expect(again.error?.message).toBe('This referral has already been forwarded');
  });

  it('cannot be faked with a plain insert naming forwarded_from', async () => {
    // Carl makes a referral of Sam "forwarded from" R1, which he has no part in
    const { error } = await carl.from('referrals').insert({
      seeker_id: seekers.sam,
      program_id: programs.brightFutures,
      from_program_id: programs.safeHaven,
      forwarded_from: referrals.R1,
    });
    expect(error).not.toBeNull();
    expect(await sql('select 1 from public.referrals where forwarded_from = $1', [referrals.R1])).toEqual([]);
  });
});
