/**
 * The grace period of status-change messages, reasons in emails and the one
 * message about a forwarded referral, through the real stack: people act
 * through supabase-js, the notifier and send-notifications deliver to the
 * mail catcher. The grace period is private.notification_settings; the test
 * stack runs with 0 (tests/setup/global-stack.ts), each test here sets what
 * it needs.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, mail, resetDb, signIn, sql, type Client } from '../support/stack.ts';
import { R1, R2, SAFE_HAVEN, freshWorld, outboxSettled, recipients, waitUntil } from './helpers.ts';

let carl: Client;
let clara: Client;

async function setGrace(seconds: number) {
  await sql('update private.notification_settings set status_change_grace_seconds = $1', [seconds]);
}

async function jobs(referralId: string) {
  return sql<{
    to_status: string;
    from_status: string | null;
    recipient_kind: string;
    state: string;
    last_error: string | null;
    late: boolean;
  }>(
    `select to_status, from_status, recipient_kind, state, last_error,
            next_attempt_at >= created_at + interval '1 second' as late
       from public.notification_jobs where referral_id = $1 order by created_at, recipient_kind::text`,
    [referralId],
  );
}

beforeAll(async () => {
  await freshWorld(resetDb);
  [carl, clara] = await Promise.all([signIn('carl@safehaven.example'), signIn('clara@harbor.example')]);
});
beforeEach(async () => {
  await freshWorld(resetDb);
});
afterEach(async () => {
  await setGrace(0);
});
afterAll(async () => {
  await closeDb();
});

describe('the grace period of a status change', () => {
  it('holds the messages back, then sends each once', async () => {
    await setGrace(2);
    const { error } = await carl.from('referrals').update({ status: 'eligible' }).eq('id', R2);
    expect(error).toBeNull();
    const held = await jobs(R2);
    expect(held.map((j) => [j.recipient_kind, j.state, j.late])).toEqual([
      ['helper', 'pending', true],
      ['seeker', 'pending', true],
    ]);
    await mail.waitFor((m) => m.to.some((t) => t.address === 'rita@seeker.example'));
    await outboxSettled();
    expect(recipients(await mail.list())).toEqual(['rita@seeker.example', 'wendy@westside.example']);
    const [timing] = await sql<{ waited: boolean }>(
      `select bool_and(sent_at >= next_attempt_at and next_attempt_at >= created_at + interval '2 seconds') as waited
         from public.notification_jobs where referral_id = $1`,
      [R2],
    );
    expect(timing!.waited).toBe(true);
  });

  it('sends nothing for a change undone within it: its messages are marked not sent, saying why', async () => {
    await setGrace(8);
    expect((await carl.from('referrals').update({ status: 'eligible' }).eq('id', R2)).error).toBeNull();
    // the undo: the status before, back within the grace period
    expect((await carl.from('referrals').update({ status: 'pending' }).eq('id', R2)).error).toBeNull();
    expect(await jobs(R2)).toEqual([
      expect.objectContaining({
        to_status: 'eligible',
        recipient_kind: 'helper',
        state: 'not_sent',
        last_error: 'not sent: the change was undone within the grace period',
      }),
      expect.objectContaining({
        to_status: 'eligible',
        recipient_kind: 'seeker',
        state: 'not_sent',
        last_error: 'not sent: the change was undone within the grace period',
      }),
    ]);
    // A change made after the undo, held as long: when its messages arrive,
    // those of the undone change (due earlier) would have arrived first.
    expect((await clara.from('referrals').update({ status: 'pending' }).eq('id', R1)).error).toBeNull();
    await mail.waitFor((m) => m.to.some((t) => t.address === 'sam@seeker.example'), 30_000);
    await outboxSettled(30_000);
    const all = await mail.list();
    expect(recipients(all)).toEqual([
      'cody@harbor.example',
      'helen@eastside.example',
      'henry@eastside.example',
      'sam@seeker.example',
    ]);
    expect(await mail.to('rita@seeker.example')).toHaveLength(0);
    expect(await mail.to('wendy@westside.example')).toHaveLength(0);
  });

  it('sends one message from the first status to the last when a change is replaced within it', async () => {
    await setGrace(3);
    await carl.from('referrals').update({ status: 'eligible' }).eq('id', R2);
    await carl.from('referrals').update({ status: 'no_capacity', status_reason: 'waitlist_full' }).eq('id', R2);
    const all = await jobs(R2);
    expect(all.filter((j) => j.state === 'not_sent').map((j) => j.last_error)).toEqual([
      'not sent: replaced by a later change within the grace period',
      'not sent: replaced by a later change within the grace period',
    ]);
    expect(all.filter((j) => j.state === 'pending').map((j) => [j.from_status, j.to_status])).toEqual([
      ['pending', 'no_capacity'],
      ['pending', 'no_capacity'],
    ]);
    await waitUntil('two emails', async () => (await mail.list()).length >= 2, 30_000);
    await outboxSettled(30_000);
    const wendy = await mail.to('wendy@westside.example');
    expect(wendy.map((m) => m.subject)).toEqual(["Rita's referral to Safe Haven Housing is now No capacity"]);
    expect(await mail.to('rita@seeker.example')).toHaveLength(1);
  });
});

describe('reasons in emails', () => {
  it("say why, in each reader's language: Spanish for Rita, English for Wendy", async () => {
    const { error } = await carl
      .from('referrals')
      .update({ status: 'not_eligible', status_reason: 'income', status_reason_text: 'Household of two.' })
      .eq('id', R2);
    expect(error).toBeNull();
    const rita = await mail.waitFor((m) => m.to.some((t) => t.address === 'rita@seeker.example'));
    const wendy = await mail.waitFor((m) => m.to.some((t) => t.address === 'wendy@westside.example'));
    expect(rita.text).toContain('Motivo: Ingresos por encima del límite: Household of two.');
    expect(wendy.text).toContain('Reason: Income above the limit: Household of two.');
    expect(wendy.html).toContain('Income above the limit: Household of two.');
  });
});

describe('a forwarded referral', () => {
  it('is told to the seeker and the referrer once, and to the new program as a new referral from where it came', async () => {
    const [{ version }] = await sql<{ version: number }>('select version from public.referrals where id = $1', [R1]);
    const { data: newId, error } = await clara.rpc('forward_referral', {
      p_referral_id: R1,
      p_version: version,
      p_program_id: SAFE_HAVEN,
      p_status_reason: 'better_fit',
    });
    expect(error).toBeNull();
    await mail.waitFor((m) => m.to.some((t) => t.address === 'carl@safehaven.example'));
    await mail.waitFor((m) => m.to.some((t) => t.address === 'sam@seeker.example'));
    await outboxSettled();
    const all = await mail.list();
    // Sam, Helen (the referrer), Henry (Eastside shares), Cody (Harbor, R1's program) and Carl (Safe Haven), once each; never Clara
    expect(recipients(all)).toEqual([
      'carl@safehaven.example',
      'cody@harbor.example',
      'helen@eastside.example',
      'henry@eastside.example',
      'sam@seeker.example',
    ]);
    const [sam] = await mail.to('sam@seeker.example');
    expect(sam!.subject).toBe('Harbor Food Pantry referred you on to Safe Haven Housing');
    expect(sam!.text).toContain('Reason: Another program is a better fit');
    const [helen] = await mail.to('helen@eastside.example');
    expect(helen!.subject).toBe("Sam's referral to Harbor Food Pantry was forwarded to Safe Haven Housing");
    const [carlMail] = await mail.to('carl@safehaven.example');
    expect(carlMail!.subject).toBe('New referral: Sam to Safe Haven Housing');
    expect(carlMail!.text).toContain('Forwarded from: Harbor Food Pantry');
    // the new referral's own jobs: only its program's claimers
    const made = await sql<{ recipient_kind: string }>(
      'select recipient_kind from public.notification_jobs where referral_id = $1',
      [newId],
    );
    expect(made).toEqual([{ recipient_kind: 'program' }]);
  });
});
