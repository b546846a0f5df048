/**
 * Attack: reading other people's addresses out of delivery records. Carl
 * (Safe Haven) receives R2 and may see how its notifications went; when he
 * moves it on, jobs go to Wendy (Westside, another organisation's staff) and
 * to Rita. The address column of notification_jobs would show him Wendy's
 * email, and a provider's error message can quote an address too.
 *
 * The rule: a delivery record shows its state (sent, failed, not sent and
 * why) to the referral's staff, never the address; a provider error has the
 * address replaced before anyone can read it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, mail, resetDb, serviceClient, signIn, sql, type Client } from '../support/stack.ts';
import { freshWorld, outboxSettled } from '../notifications/helpers.ts';
import { referrals, seekers, users } from '../db/world.ts';

let wendy: Client;
let carl: Client;
let helen: Client;

beforeAll(async () => {
  await freshWorld(resetDb);
  [wendy, carl, helen] = await Promise.all([
    signIn(users.wendy.email),
    signIn(users.carl.email),
    signIn(users.helen.email),
  ]);
  // Carl moves R2 on: jobs to Wendy (the referrer) and Rita (the seeker)
  const { error } = await carl.from('referrals').update({ status: 'eligible' }).eq('id', referrals.R2);
  expect(error).toBeNull();
  await mail.waitFor((m) => m.to.some((t) => t.address === 'rita@seeker.example'));
  await outboxSettled();
});
afterAll(closeDb);

describe('delivery records', () => {
  it('staff of the referral read every job of it, with its state, but no address', async () => {
    const { data, error } = await wendy
      .from('notification_jobs')
      .select('recipient_kind, channel, state, last_error, sent_at')
      .eq('referral_id', referrals.R2)
      .order('recipient_kind');
    expect(error).toBeNull();
    expect(data).toEqual([
      { recipient_kind: 'seeker', channel: 'email', state: 'sent', last_error: null, sent_at: expect.any(String) },
      { recipient_kind: 'helper', channel: 'email', state: 'sent', last_error: null, sent_at: expect.any(String) },
    ]);
    // Carl, the other party, reads the same records (Wendy's job included) the same way
    const carlSees = await carl
      .from('notification_jobs')
      .select('recipient_kind, state')
      .eq('referral_id', referrals.R2);
    expect(carlSees.data).toEqual(
      expect.arrayContaining([
        { recipient_kind: 'helper', state: 'sent' },
        { recipient_kind: 'seeker', state: 'sent' },
      ]),
    );
  });

  it('asking for the address, or for every column, is refused', async () => {
    for (const columns of ['address', '*', 'state, address']) {
      const { data, error } = await carl.from('notification_jobs').select(columns).eq('referral_id', referrals.R2);
      expect(error?.code, columns).toBe('42501');
      expect(data).toBeNull();
    }
    // nor can it be filtered on, to guess an address one character at a time
    const guess = await carl
      .from('notification_jobs')
      .select('id')
      .eq('referral_id', referrals.R2)
      .like('address', 'wendy%');
    expect(guess.error?.code).toBe('42501');
  });

  it("a provider's error that quotes the address is stored with the address replaced", async () => {
    const [job] = await sql<{ id: string }>(
      `select id from public.notification_jobs where referral_id = $1 and recipient_kind = 'seeker'`,
      [referrals.R2],
    );
    await sql(`update public.notification_jobs set state = 'sending' where id = $1`, [job!.id]);
    const { data, error } = await serviceClient().rpc('finish_notification_job', {
      p_job_id: job!.id,
      p_outcome: 'rejected',
      p_error: '550 5.1.1 <Rita@Seeker.example>: Recipient address rejected; rita@seeker.example unknown',
    });
    expect(error).toBeNull();
    expect(data).toBe('dead');
    const seen = await wendy.from('notification_jobs').select('state, last_error').eq('id', job!.id).single();
    expect(seen.data).toEqual({
      state: 'dead',
      last_error: '550 5.1.1 <<address>>: Recipient address rejected; <address> unknown',
    });
  });

  it("the notice of a contact change (sent to the seeker's old address) is no delivery record of any referral", async () => {
    expect(
      (await helen.from('seekers').update({ email: 'sam.new@seeker.example' }).eq('id', seekers.sam)).error,
    ).toBeNull();
    await mail.waitFor((m) => m.to.some((t) => t.address === users.sam.email));
    const [job] = await sql<{ address: string }>(
      `select address from public.notification_jobs where recipient_seeker_id = $1 and event = 'contact_changed'`,
      [seekers.sam],
    );
    expect(job).toEqual({ address: users.sam.email });
    for (const client of [helen, carl]) {
      const { data, error } = await client.from('notification_jobs').select('id, state').eq('event', 'contact_changed');
      expect(error).toBeNull();
      expect(data).toEqual([]);
    }
  });
});
