/**
 * Notifications through the real stack: the enqueue trigger, the outbox
 * trigger's pg_net call and the pg_cron sweep (run by the stack's workers, as
 * on hosted Supabase), the send-notifications edge function and SMTP to the mail catcher, read
 * back through its JSON API. People act through supabase-js signed in as
 * themselves.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  anonClient,
  closeDb,
  control,
  env,
  mail,
  resetDb,
  serviceClient,
  signIn,
  sms,
  sql,
  type Client,
} from '../support/stack.ts';
import {
  EASTSIDE,
  OMAR,
  R2,
  R3,
  RITA,
  SAFE_HAVEN,
  SAM,
  daytimeEverywhere,
  freshWorld,
  jobsOf,
  oneClickLink,
  outboxSettled,
  lastRequestId,
  recipients,
  senderAnswered,
  sweepRanAfter,
  tokenOf,
  waitUntil,
} from './helpers.ts';
import { withReason } from '../support/reasons.ts';

let carl: Client;
let wendy: Client;
let helen: Client;
let dana: Client;

beforeAll(async () => {
  await freshWorld(resetDb);
  [carl, wendy, helen, dana] = await Promise.all([
    signIn('carl@safehaven.example'),
    signIn('wendy@westside.example'),
    signIn('helen@eastside.example'),
    signIn('dana@brightfutures.example'),
  ]);
});

afterAll(async () => {
  await closeDb();
});

async function setStatus(client: Client, id: string, status: string) {
  const { error } = await client
    .from('referrals')
    .update(withReason(status) as never)
    .eq('id', id);
  expect(error).toBeNull();
}

describe('a status change', () => {
  beforeEach(async () => {
    await freshWorld(resetDb);
  });

  it('emails Rita and Wendy once each, never Carl who made it, naming the program, the new status and the comment', async () => {
    await setStatus(carl, R2, 'eligible');
    await mail.waitFor((m) => m.to.some((t) => t.address === 'rita@seeker.example'));
    await mail.waitFor((m) => m.to.some((t) => t.address === 'wendy@westside.example'));
    await outboxSettled();

    const all = await mail.list();
    expect(recipients(all)).toEqual(['rita@seeker.example', 'wendy@westside.example']);
    expect(await mail.to('carl@safehaven.example')).toHaveLength(0);

    const comment = "Rita's lease ends at the end of the month. She prefers to be contacted in Spanish.";
    const [wendyMail] = await mail.to('wendy@westside.example');
    expect(wendyMail!.subject).toContain('Safe Haven Housing');
    expect(wendyMail!.subject).toContain('Eligible');
    expect(wendyMail!.text).toContain('Carl D. (Safe Haven Housing) updated');
    expect(wendyMail!.text).toContain('Rita');
    expect(wendyMail!.text).toContain(comment);
    expect(wendyMail!.html).toContain('Safe Haven Housing');
    expect(wendyMail!.html).toContain('Rita&#39;s lease ends');
    expect(wendyMail!.text).toContain(`${env.appUrl}/referrals?referral=${R2}`);

    // Rita prefers Spanish: her email is in Spanish, from the program's point of view.
    const [ritaMail] = await mail.to('rita@seeker.example');
    expect(ritaMail!.subject).toBe('Safe Haven Housing actualizó su referido a Elegible');
    expect(ritaMail!.text).toContain('Hola, Rita:');
    expect(ritaMail!.text).toContain(comment);
    expect(ritaMail!.headers['content-language']).toBe('es');
    expect(ritaMail!.html).toContain('<html lang="es">');
    expect(ritaMail!.text).toContain(`${env.appUrl}/portal`);
  });

  it('offers each kind of recipient its own one-click statuses, never the status it already has', async () => {
    await setStatus(carl, R2, 'eligible');
    await mail.waitFor((m) => m.to.some((t) => t.address === 'rita@seeker.example'));
    await mail.waitFor((m) => m.to.some((t) => t.address === 'wendy@westside.example'));
    const [ritaMail] = await mail.to('rita@seeker.example');
    const [wendyMail] = await mail.to('wendy@westside.example');
    const statusesIn = (text: string) => [...text.matchAll(/\/r\/[0-9a-f]{32}\.([a-z_]+)\./g)].map((m) => m[1]);
    expect(statusesIn(ritaMail!.text)).toEqual(['got_help', 'couldnt_get_help', 'no_longer_interested']);
    // the helper gets every status but the current one
    expect(statusesIn(wendyMail!.text)).toEqual([
      'not_updated',
      'needs_client_action',
      'pending',
      'referred_elsewhere',
      'got_help',
      'couldnt_contact',
      'not_eligible',
      'no_capacity',
      'couldnt_get_help',
      'no_longer_interested',
    ]);
    // and the HTML part has the same buttons as links
    expect(ritaMail!.html).toContain(oneClickLink(ritaMail!, 'got_help'));
    expect(ritaMail!.html).toContain('>Recibió ayuda</a>');

    // A claimer's email (Wendy changes it): the program's statuses.
    await mail.clear();
    await setStatus(wendy, R2, 'needs_client_action');
    const carlMail = await mail.waitFor((m) => m.to.some((t) => t.address === 'carl@safehaven.example'));
    expect(statusesIn(carlMail.text)).toEqual([
      'pending',
      'eligible',
      'got_help',
      'not_eligible',
      'no_capacity',
      'couldnt_contact',
    ]);
    expect(carlMail.text).toContain(`${env.appUrl}/inbound?referral=${R2}`);
  });

  it('enqueues its jobs in the same transaction: a rolled-back change leaves none', async () => {
    const before = (await jobsOf(R2)).length;
    const { error } = await carl
      .from('referrals')
      .update({ status: 'no_capacity', status_reason: 'other', goal_id: '60000000-0000-4000-8000-000000000001' })
      .eq('id', R2);
    // the goal belongs to Sam, not Rita: the whole update fails
    expect(error).not.toBeNull();
    expect(await jobsOf(R2)).toHaveLength(before);
  });

  it('sends nothing while app.suppress_notifications is on (the seeders)', async () => {
    await sql(`begin; select set_config('app.suppress_notifications', 'on', true);
               update public.referrals set status = 'no_capacity' where id = '${R2}'; commit;`);
    // jobs are written in the changing transaction: none exist after its commit
    expect(await jobsOf(R2)).toHaveLength(0);
  });
});

describe('a new referral', () => {
  beforeAll(async () => {
    await freshWorld(resetDb);
  });

  it("emails the receiving program's claimers, the referrer's sharing team and the seeker, never the referrer", async () => {
    const { data, error } = await helen
      .from('referrals')
      .insert({
        seeker_id: SAM,
        program_id: SAFE_HAVEN,
        from_site_id: EASTSIDE,
        comment: 'Sam needs help with a deposit.',
      })
      .select('id')
      .single();
    expect(error).toBeNull();
    const carlMail = await mail.waitFor((m) => m.to.some((t) => t.address === 'carl@safehaven.example'));
    await outboxSettled();
    expect(carlMail.subject).toBe('New referral: Sam to Safe Haven Housing');
    expect(carlMail.text).toContain('Helen H. (Eastside Community Clinic) referred Sam to Safe Haven Housing');
    expect(carlMail.text).toContain('Sam needs help with a deposit.');
    expect(carlMail.text).toContain(`/inbound?referral=${data!.id}`);
    // Eastside shares its referrals: Henry hears too. Sam prefers email.
    expect(recipients(await mail.list())).toEqual([
      'carl@safehaven.example',
      'henry@eastside.example',
      'sam@seeker.example',
    ]);
    const [samMail] = await mail.to('sam@seeker.example');
    expect(samMail!.subject).toBe('Eastside Community Clinic referred you to Safe Haven Housing');
  });
});

describe("the seeker's contact preference", () => {
  beforeEach(async () => {
    await freshWorld(resetDb);
  });

  it("'none': nobody gets a message about that referral", async () => {
    await sql(`update public.seekers set preferred_contact = 'none' where id = $1`, [RITA]);
    await setStatus(carl, R2, 'eligible');
    expect(await jobsOf(R2)).toEqual([]); // written at commit, or never
    // A later change that does notify (R3: Dana tells Harbor) arrives; nothing about R2 came before it.
    await setStatus(dana, R3, 'pending');
    await mail.waitFor((m) => m.to.some((t) => t.address === 'clara@harbor.example'));
    await outboxSettled();
    expect(recipients(await mail.list())).toEqual(['clara@harbor.example', 'cody@harbor.example']);
  });

  it("'phone': no message to the seeker, staff still told", async () => {
    // R3: Omar (prefers phone) referred by Clara from Harbor (shares) to Bright Futures (Dana).
    await setStatus(dana, R3, 'pending');
    await mail.waitFor((m) => m.to.some((t) => t.address === 'clara@harbor.example'));
    await outboxSettled();
    expect(recipients(await mail.list())).toEqual(['clara@harbor.example', 'cody@harbor.example']);
    expect((await jobsOf(R3)).filter((j) => j.recipient_kind === 'seeker')).toEqual([]);
    expect(await sql(`select 1 from public.notification_jobs where recipient_seeker_id = $1`, [OMAR])).toEqual([]);
  });

  it("'text': a text message to the seeker, whose delivery staff can see", async () => {
    await sql(`update public.seekers set preferred_contact = 'text', phone = '(512) 555-0142' where id = $1`, [RITA]);
    // by day on Safe Haven's clock (quiet hours: tests/notifications/texts.test.ts)
    await daytimeEverywhere();
    await setStatus(carl, R2, 'eligible');
    await mail.waitFor((m) => m.to.some((t) => t.address === 'wendy@westside.example'));
    await sms.waitFor((t) => t.to === '+15125550142');
    await outboxSettled();
    expect(recipients(await mail.list())).toEqual(['wendy@westside.example']);

    // What the app reads to say how the seeker was notified: Wendy, signed in, under RLS.
    const { data, error } = await wendy
      .from('notification_jobs')
      .select('recipient_kind, channel, state, last_error')
      .eq('referral_id', R2)
      .eq('recipient_kind', 'seeker');
    expect(error).toBeNull();
    expect(data).toEqual([{ recipient_kind: 'seeker', channel: 'sms', state: 'sent', last_error: null }]);
  });

  it("'email' never stands without an address, so the seeker's job always has one", async () => {
    // the database refuses the state that used to leave the job "not sent: no email address"
    await expect(sql(`update public.seekers set email = null where id = $1`, [RITA])).rejects.toThrow(
      /Email cannot be the way to reach Rita/,
    );
    await setStatus(carl, R2, 'eligible');
    await outboxSettled();
    const seekerJobs = (await jobsOf(R2)).filter((j) => j.recipient_kind === 'seeker');
    expect(seekerJobs).toMatchObject([{ channel: 'email', state: 'sent' }]);
  });
});

describe('who may see and drive the outbox', () => {
  beforeAll(async () => {
    await freshWorld(resetDb);
    await setStatus(carl, R2, 'eligible');
    await outboxSettled();
  });

  it('staff without access to the referral see none of its jobs; anon sees nothing', async () => {
    const clara = await signIn('clara@harbor.example');
    const { data } = await clara.from('notification_jobs').select('id').eq('referral_id', R2);
    expect(data).toEqual([]);
    const anon = await anonClient().from('notification_jobs').select('id');
    expect(anon.error?.code).toBe('42501');
    const { data: mine } = await wendy.from('notification_jobs').select('id').eq('referral_id', R2);
    expect(mine!.length).toBeGreaterThan(0);
  });

  it('only the service role may claim, finish, retry or apply', async () => {
    for (const client of [anonClient(), wendy]) {
      for (const [fn, args] of [
        ['claim_notification_jobs', { p_limit: 1 }],
        ['finish_notification_job', { p_job_id: '00000000-0000-4000-8000-000000000000', p_outcome: 'sent' }],
        ['retry_notification_jobs', {}],
        ['apply_one_click_link', { p_token: 'x' }],
        ['inspect_one_click_link', { p_token: 'x' }],
      ] as const) {
        const { error } = await client.rpc(fn as never, args as never);
        expect(error, fn).not.toBeNull();
        expect(['42501', 'PGRST202']).toContain(error!.code);
      }
    }
    // and nobody may write jobs directly
    const { error } = await wendy
      .from('notification_jobs')
      .update({ state: 'sent' } as never)
      .eq('referral_id', R2);
    expect(error?.code).toBe('42501');
  });

  it('send-notifications refuses callers other than the service role', async () => {
    const noJwt = await fetch(`${env.functionsUrl}/send-notifications`, { method: 'POST' });
    expect(noJwt.status).toBe(401);
    const asAnon = await fetch(`${env.functionsUrl}/send-notifications`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${env.anonKey}` },
    });
    expect(asAnon.status).toBe(403);
    const session = (await wendy.auth.getSession()).data.session!;
    const asUser = await fetch(`${env.functionsUrl}/send-notifications`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${session.access_token}` },
    });
    expect(asUser.status).toBe(403);
    const asService = await serviceClient().functions.invoke('send-notifications', { body: {} });
    expect(asService.error).toBeNull();
  });
});

describe('the hosted schedule (pg_cron + pg_net + Vault, as on hosted Supabase)', () => {
  beforeEach(async () => {
    await freshWorld(resetDb);
  });

  it('a change calls the sender at once through pg_net, at the URL and with the key from Vault', async () => {
    expect(await sql(`select schedule, command, active from cron.job where jobname = 'send-notifications'`)).toEqual([
      { schedule: '5 seconds', command: 'select private.invoke_notification_sender()', active: true },
    ]);
    const before = await lastRequestId();
    await setStatus(carl, R2, 'eligible');
    await mail.waitFor((m) => m.to.some((t) => t.address === 'wendy@westside.example'));
    await outboxSettled();
    expect(recipients(await mail.list())).toEqual(['rita@seeker.example', 'wendy@westside.example']);
    // the calls pg_net made since the change (each statement that queued due jobs makes one) claimed both jobs
    const answers = await sql<{ status_code: number; claimed: number }>(
      `select status_code, (content::jsonb ->> 'claimed')::int as claimed from net._http_response where id > $1`,
      [before],
    );
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((a) => a.status_code === 200)).toBe(true);
    expect(answers.reduce((n, a) => n + a.claimed, 0)).toBe(2);
  });

  it('a message held until next_attempt_at is sent by the sweep soon after that time, not before', async () => {
    const heldMs = 3000;
    await sql(
      `begin;
       select set_config('request.jwt.claims', '{"sub":"10000000-0000-4000-8000-000000000007","role":"authenticated"}', true);
       set local role authenticated;
       update public.referrals set status = 'eligible' where id = '${R2}';
       reset role;
       update public.notification_jobs set next_attempt_at = now() + interval '${heldMs} milliseconds'
        where referral_id = '${R2}' and state = 'pending';
       commit;`,
    );
    const [held] = await sql<{ until: Date }>(
      `select max(next_attempt_at) as until from public.notification_jobs where referral_id = $1`,
      [R2],
    );
    const until = new Date(held!.until).getTime();
    await mail.waitFor((m) => m.to.some((t) => t.address === 'wendy@westside.example'), 20_000);
    await outboxSettled();
    const sent = await sql<{ sent_at: Date }>(
      `select sent_at from public.notification_jobs where referral_id = $1 and state = 'sent'`,
      [R2],
    );
    expect(sent).toHaveLength(2);
    for (const { sent_at } of sent) {
      expect(new Date(sent_at).getTime()).toBeGreaterThanOrEqual(until);
      expect(new Date(sent_at).getTime() - until).toBeLessThan(5000 + 3000); // one sweep interval, plus sending
    }
    expect(recipients(await mail.list())).toEqual(['rita@seeker.example', 'wendy@westside.example']);
  });

  it('a missing Vault secret is an error the sweep records (and keeps the jobs); the secret back, they are sent', async () => {
    await sql(`update vault.secrets set name = 'renamed_for_test' where name = 'notifications_project_url'`);
    const since = new Date();
    try {
      await setStatus(carl, R2, 'eligible'); // the change itself is not refused
      const [failed] = await waitUntil('a failed sweep', () =>
        sql<{ return_message: string }>(
          `select d.return_message from cron.job_run_details d join cron.job j using (jobid)
            where j.jobname = 'send-notifications' and d.status = 'failed' and d.start_time > $1 limit 1`,
          [since],
        ).then((r) => (r.length ? r : undefined)),
      );
      expect(failed!.return_message).toContain('the Vault secret notifications_project_url is missing');
      expect((await jobsOf(R2)).map((j) => j.state)).toEqual(['pending', 'pending']);
    } finally {
      await sql(`update vault.secrets set name = 'notifications_project_url' where name = 'renamed_for_test'`);
    }
    await waitUntil('both emails', async () => (await mail.list()).length === 2);
    await outboxSettled();
    expect(recipients(await mail.list())).toEqual(['rita@seeker.example', 'wendy@westside.example']);
  });

  it('the API roles cannot read the Vault or the pg_net responses that carry it', async () => {
    const { error } = await carl
      .schema('vault' as never)
      .from('decrypted_secrets')
      .select('*');
    expect(error).not.toBeNull();
    expect(
      await sql(`select has_table_privilege('authenticated', 'vault.decrypted_secrets', 'select') as a,
                        has_table_privilege('anon', 'vault.secrets', 'select') as b,
                        has_function_privilege('authenticated', 'private.request_notification_sender()', 'execute') as c`),
    ).toEqual([{ a: false, b: false, c: false }]);
  });
});

describe('one-click links (through the edge function)', () => {
  let ritaMail: Awaited<ReturnType<typeof mail.waitFor>>;
  const apply = (token: string, action: 'inspect' | 'apply', reason?: string) =>
    anonClient().functions.invoke('apply-status-link', { body: { token, action, ...(reason ? { reason } : {}) } });

  beforeEach(async () => {
    await freshWorld(resetDb);
    await setStatus(carl, R2, 'eligible');
    ritaMail = await mail.waitFor((m) => m.to.some((t) => t.address === 'rita@seeker.example'));
    await outboxSettled();
  });

  it('inspecting changes nothing; applying records the change as made by the recipient, once', async () => {
    const token = tokenOf(oneClickLink(ritaMail, 'got_help'));
    const inspected = await apply(token, 'inspect');
    expect(inspected.data).toMatchObject({
      state: 'ready',
      chosen_status: 'got_help',
      recipient_kind: 'seeker',
      language: 'es',
      referral: { status: 'eligible', program_name: 'Safe Haven Housing', seeker_first_name: 'Rita' },
    });
    const [{ status: still }] = await sql<{ status: string }>(`select status from public.referrals where id = $1`, [
      R2,
    ]);
    expect(still).toBe('eligible');

    // cleared before the change, so its emails cannot be sent before the clear and lost
    await mail.clear();
    const applied = await apply(token, 'apply');
    expect(applied.data).toMatchObject({ state: 'applied', referral: { status: 'got_help' } });
    const events = await sql<{ actor_display_name: string; actor_organization: string | null; to_status: string }>(
      `select actor_display_name, actor_organization, to_status from public.referral_events
        where referral_id = $1 and event_type = 'status_changed' order by id desc limit 1`,
      [R2],
    );
    expect(events).toEqual([{ actor_display_name: 'Rita R.', actor_organization: null, to_status: 'got_help' }]);

    // Rita is not told about her own change; Carl and Wendy are.
    await mail.waitFor((m) => m.to.some((t) => t.address === 'carl@safehaven.example'));
    await outboxSettled();
    expect(recipients(await mail.list())).toEqual(['carl@safehaven.example', 'wendy@westside.example']);

    const again = await apply(token, 'apply');
    expect(again.data).toMatchObject({ state: 'used', used_status: 'got_help' });
    // another button of the same email is spent too
    const other = await apply(tokenOf(oneClickLink(ritaMail, 'no_longer_interested')), 'apply');
    expect(other.data).toMatchObject({ state: 'used' });
    const [{ status }] = await sql<{ status: string }>(`select status from public.referrals where id = $1`, [R2]);
    expect(status).toBe('got_help');
  });

  it('a claimer\'s link is recorded with the program: "Carl D. · Safe Haven Housing"', async () => {
    await mail.clear();
    await setStatus(wendy, R2, 'needs_client_action');
    const carlMail = await mail.waitFor((m) => m.to.some((t) => t.address === 'carl@safehaven.example'));
    const res = await apply(tokenOf(oneClickLink(carlMail, 'no_capacity')), 'apply', 'waitlist_full');
    expect(res.data).toMatchObject({ state: 'applied' });
    const [event] = await sql(
      `select actor_display_name, actor_organization, to_status from public.referral_events
        where referral_id = $1 and event_type = 'status_changed' order by id desc limit 1`,
      [R2],
    );
    expect(event).toEqual({
      actor_display_name: 'Carl D.',
      actor_organization: 'Safe Haven Housing',
      to_status: 'no_capacity',
    });
  });

  it('a tampered token reveals and changes nothing', async () => {
    const token = tokenOf(oneClickLink(ritaMail, 'got_help'));
    const [id, , sig] = token.split('.');
    const tampered = [
      `${id}.pending.${sig}`, // another status with the same signature
      `${id}.got_help.${sig!.slice(0, -1)}${sig!.endsWith('A') ? 'B' : 'A'}`,
      `${'0'.repeat(32)}.got_help.${sig}`,
      'not-a-token',
      '',
    ];
    for (const t of tampered) {
      for (const action of ['inspect', 'apply'] as const) {
        const res = await apply(t, action);
        expect(res.data, `${action} ${t}`).toEqual({ state: 'invalid' });
      }
    }
    const [{ status }] = await sql<{ status: string }>(`select status from public.referrals where id = $1`, [R2]);
    expect(status).toBe('eligible');
  });

  it('a later status change supersedes the links; an expired link does nothing', async () => {
    const wendyMail = (await mail.to('wendy@westside.example'))[0]!;
    await setStatus(carl, R2, 'pending');
    const superseded = await apply(tokenOf(oneClickLink(ritaMail, 'got_help')), 'apply');
    expect(superseded.data).toMatchObject({ state: 'superseded', referral: { status: 'pending' } });

    await outboxSettled();
    const latest = await mail.waitFor(
      (m) => m.to.some((t) => t.address === 'wendy@westside.example') && m.id !== wendyMail.id,
    );
    await sql(`update private.one_click_links set expires_at = now() - interval '1 second'`);
    const expired = await apply(tokenOf(oneClickLink(latest, 'got_help')), 'apply');
    expect(expired.data).toMatchObject({ state: 'expired' });
    const [{ status }] = await sql<{ status: string }>(`select status from public.referrals where id = $1`, [R2]);
    expect(status).toBe('pending');
  });

  it('links expire 14 days after the email', async () => {
    const [row] = await sql<{ days: number }>(
      `select round(extract(epoch from expires_at - created_at) / 86400) as days from private.one_click_links limit 1`,
    );
    expect(Number(row!.days)).toBe(14);
  });
});

describe('delivery faults', () => {
  beforeAll(async () => {
    await freshWorld(resetDb);
  });

  it('with the mail catcher down, three changes still arrive exactly once each when it is back', async () => {
    await control('stop', 'mail');
    try {
      for (const status of ['eligible', 'no_capacity', 'pending'] as const) {
        await setStatus(carl, R2, status);
      }
      // every job has been tried and failed at least once, and waits to be retried
      await waitUntil('failed attempts', async () => {
        const jobs = await jobsOf(R2);
        return jobs.length === 6 && jobs.every((j) => j.state === 'pending' && j.tries >= 1 && j.last_error);
      });
    } finally {
      await control('start', 'mail');
    }
    await waitUntil('six emails', async () => (await mail.list()).length >= 6, 40_000);
    await outboxSettled(40_000);
    // a sweep that starts after the outbox drained would have sent any job twice
    await sweepRanAfter(new Date());
    const all = await mail.list();
    expect(recipients(all)).toEqual([
      'rita@seeker.example',
      'rita@seeker.example',
      'rita@seeker.example',
      'wendy@westside.example',
      'wendy@westside.example',
      'wendy@westside.example',
    ]);
    const subjects = (await mail.to('wendy@westside.example')).map((m) => m.subject).sort();
    expect(subjects).toEqual([
      "Rita's referral to Safe Haven Housing is now Eligible",
      "Rita's referral to Safe Haven Housing is now No capacity",
      "Rita's referral to Safe Haven Housing is now Pending",
    ]);
    // one message per job, each carrying its idempotency key as the Message-ID
    const jobs = await jobsOf(R2);
    expect(jobs.every((j) => j.state === 'sent')).toBe(true);
    expect(new Set(all.map((m) => m.headers['message-id'])).size).toBe(6);
    expect(all.map((m) => m.headers['message-id']).sort()).toEqual(jobs.map((j) => j.provider_message_id).sort());
  });

  it('a sender that dies after claiming loses nothing: the lease runs out and the job is sent once', async () => {
    await mail.clear();
    await control('stop', 'workers');
    let claimed: { id: string }[];
    const before = await lastRequestId();
    try {
      await setStatus(carl, R2, 'not_eligible');
      // a sender claims both jobs... and is never heard from again
      const { data, error } = await serviceClient().rpc('claim_notification_jobs', {
        p_limit: 10,
        p_lease_seconds: 60,
      });
      expect(error).toBeNull();
      claimed = data as { id: string }[];
      expect(claimed).toHaveLength(2);
    } finally {
      await control('start', 'workers');
    }
    // the call the change queued is sent now; it finds both jobs still leased and sends nothing
    expect(await senderAnswered(before)).toMatchObject({ claimed: 0 });
    expect(await mail.list()).toEqual([]);
    await sql(`update public.notification_jobs set locked_until = now() - interval '1 second' where id = any($1)`, [
      claimed.map((j) => j.id),
    ]);
    await waitUntil('the reclaimed emails', async () => (await mail.list()).length === 2);
    await outboxSettled();
    expect(recipients(await mail.list())).toEqual(['rita@seeker.example', 'wendy@westside.example']);
    const jobs = await sql<{ state: string; tries: number }>(
      `select state, tries from public.notification_jobs where id = any($1)`,
      [claimed.map((j) => j.id)],
    );
    expect(jobs).toEqual([
      { state: 'sent', tries: 2 },
      { state: 'sent', tries: 2 },
    ]);
  });

  it('after a Postgres restart the workers reconnect and nothing is lost', async () => {
    await mail.clear();
    await control('restart', 'postgres');
    const carlAgain = await waitUntil('the API back', async () => {
      try {
        return await signIn('carl@safehaven.example');
      } catch {
        return undefined;
      }
    });
    await setStatus(carlAgain, R2, 'couldnt_contact');
    await waitUntil('both emails', async () => (await mail.list()).length === 2);
    await outboxSettled();
    expect(recipients(await mail.list())).toEqual(['rita@seeker.example', 'wendy@westside.example']);
  });

  it('a job that keeps failing goes dead, stays visible, and an admin can retry it', async () => {
    await mail.clear();
    await control('stop', 'mail');
    try {
      await sql(`alter table public.notification_jobs alter column max_tries set default 1`);
      await setStatus(carl, R2, 'eligible');
      await waitUntil('dead jobs', async () => {
        const jobs = await jobsOf(R2);
        const latest = jobs.filter((j) => j.state !== 'sent');
        return latest.length === 2 && latest.every((j) => j.state === 'dead' && j.last_error);
      });
    } finally {
      await sql(`alter table public.notification_jobs alter column max_tries set default 8`);
      await control('start', 'mail');
    }
    expect(await mail.list()).toEqual([]);
    const { data, error } = await serviceClient().rpc('retry_notification_jobs');
    expect(error).toBeNull();
    expect(data).toBe(2);
    await waitUntil('retried emails', async () => (await mail.list()).length === 2);
    await outboxSettled();
    expect(recipients(await mail.list())).toEqual(['rita@seeker.example', 'wendy@westside.example']);
  });
});
