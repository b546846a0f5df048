/**
 * Text messages through the real stack: the outbox, the sender's Twilio
 * transport, the SMS catcher (the stack's Twilio) and its signed webhooks
 * into sms-status and sms-inbound. Omar has only a phone; here he asks to be
 * reached by text. Dana (Bright Futures) changes his referral R3; Clara made
 * it, so her email is the sign that the sender has run.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countSegments } from '../../supabase/functions/_shared/segments.ts';
import { anonClient, closeDb, env, mail, resetDb, signIn, sms, sql, type Client } from '../support/stack.ts';
import {
  OMAR,
  R3,
  freshWorld,
  lastRequestId,
  outboxSettled,
  senderAnswered,
  waitUntil,
  zoneAtHour,
} from './helpers.ts';

const OMAR_PHONE = '+15125550177';
const BRIGHT_FUTURES = '30000000-0000-4000-8000-000000000003';
const STATUSES = ['pending', 'eligible', 'not_eligible', 'no_capacity', 'couldnt_contact', 'pending'];
/** Staff give a reason with a status that carries one. */
const REASONS: Record<string, string> = {
  not_eligible: 'income',
  no_capacity: 'waitlist_full',
  couldnt_contact: 'no_answer',
};

let dana: Client;
let clara: Client;
let step = 0;

async function setZone(zone: string) {
  await sql('update public.programs set time_zone = $1 where id = $2', [zone, BRIGHT_FUTURES]);
}

async function setGrace(seconds: number) {
  await sql('update private.notification_settings set status_change_grace_seconds = $1', [seconds]);
}

/** Dana moves R3 to the next status (or the one given); resolves with the job of the text to Omar. */
async function danaUpdates(to?: string): Promise<{ id: string }> {
  const status = to ?? STATUSES[step++ % STATUSES.length]!;
  const before = new Date().toISOString();
  const { data, error } = await dana
    .from('referrals')
    .update({ status: status as never, status_reason: REASONS[status] ?? null })
    .eq('id', R3)
    .select('id');
  expect(error).toBeNull();
  expect(data).toHaveLength(1);
  const [job] = await sql<{ id: string }>(
    `select id from public.notification_jobs
      where referral_id = $1 and recipient_kind = 'seeker' and created_at >= $2 order by created_at desc limit 1`,
    [R3, before],
  );
  expect(job).toBeDefined();
  return job!;
}

async function job(id: string) {
  const [row] = await sql<{
    state: string;
    tries: number;
    last_error: string | null;
    next_attempt_at: Date;
    delivery_status: string | null;
    delivery_error_code: string | null;
    provider_message_id: string | null;
    address: string | null;
  }>(
    `select state, tries, last_error, next_attempt_at, delivery_status, delivery_error_code, provider_message_id, address
       from public.notification_jobs where id = $1`,
    [id],
  );
  return row!;
}

beforeAll(async () => {
  [dana, clara] = await Promise.all([signIn('dana@brightfutures.example'), signIn('clara@harbor.example')]);
});

afterEach(async () => {
  await setGrace(0);
});

afterAll(async () => {
  await sms.faults({ outage: null, undeliverable: {} });
  await closeDb();
});

beforeEach(async () => {
  await freshWorld(resetDb);
  await sms.faults({ outage: null, undeliverable: {} });
  await sms.clear();
  step = 0;
  // Omar asks for texts (an administrator's change: recorded, told to nobody).
  await sql(`update public.seekers set preferred_contact = 'text' where id = $1`, [OMAR]);
  await setZone(zoneAtHour(13));
});

describe('a text to a seeker with only a phone', () => {
  it('reaches Omar from the provider, short, with a working one-click link and the opt-out line; delivery shows to staff', async () => {
    const { id } = await danaUpdates();
    const text = await sms.waitFor((t) => t.to === OMAR_PHONE);
    expect(text.from).toBe('+15005550006');
    expect(text.body).toMatch(/^Bright Futures Job Training updated your referral to Pending\. /);
    expect(text.body.endsWith('\nReply STOP to opt out.')).toBe(true);
    expect(countSegments(text.body).segments).toBeLessThanOrEqual(2);
    // the provider counts the same
    expect(text.segments).toBe(countSegments(text.body).segments);

    // the link opens the one-click page, which offers Omar his statuses
    const link = /(https?:\/\/\S+\/r\/([0-9a-f]{32}\.[A-Za-z0-9_-]{43}))/.exec(text.body);
    expect(link, text.body).not.toBeNull();
    expect(link![1]!.startsWith(`${env.appUrl}/r/`)).toBe(true);
    const anon = anonClient();
    const inspect = await anon.functions.invoke('apply-status-link', { body: { token: link![2], action: 'inspect' } });
    expect(inspect.error).toBeNull();
    expect(inspect.data.state).toBe('ready');
    expect(inspect.data.referral.program_name).toBe('Bright Futures Job Training');
    const choices = inspect.data.choices as { status: string; token: string }[];
    expect(choices.map((c) => c.status)).toEqual(['got_help', 'couldnt_get_help', 'no_longer_interested']);
    // the choice token itself changes nothing
    const refused = await anon.functions.invoke('apply-status-link', { body: { token: link![2], action: 'apply' } });
    expect(refused.data.state).toBe('invalid');
    const applied = await anon.functions.invoke('apply-status-link', {
      body: { token: choices[0]!.token, action: 'apply' },
    });
    expect(applied.data.state).toBe('applied');
    const [r3] = await sql<{ status: string }>('select status from public.referrals where id = $1', [R3]);
    expect(r3!.status).toBe('got_help');

    // the provider's callbacks: sent, then delivered, as staff read it
    await waitUntil('delivered', async () => (await job(id)).delivery_status === 'delivered');
    const seen = await dana.from('notification_jobs').select('channel, state, delivery_status').eq('id', id).single();
    expect(seen.error).toBeNull();
    expect(seen.data).toEqual({ channel: 'sms', state: 'sent', delivery_status: 'delivered' });
    expect((await job(id)).provider_message_id).toBe(text.id);
  });

  it('speaks Spanish to a Spanish speaker, in GSM-7 so it stays within two segments', async () => {
    await sql(`update public.seekers set preferred_language = 'es' where id = $1`, [OMAR]);
    await danaUpdates();
    const text = await sms.waitFor((t) => t.to === OMAR_PHONE);
    expect(text.body).toMatch(/^Bright Futures Job Training actualizo su referido a Pendiente\. /);
    // é is in GSM-7 and stays; í and ó are folded
    expect(text.body).toContain('Véalo o diganos como le fue: http');
    expect(text.body.endsWith('\nResponda STOP para no recibir mas mensajes.')).toBe(true);
    expect(text.encoding).toBe('GSM-7');
    expect(text.segments).toBeLessThanOrEqual(2);
  });

  it('does not text a number that is not a phone number, and says so', async () => {
    await sql(`update public.seekers set phone = '555-01' where id = $1`, [OMAR]);
    const { id } = await danaUpdates();
    const j = await job(id);
    expect(j.state).toBe('not_sent');
    expect(j.last_error).toBe('not sent: not a valid phone number');
  });
});

describe('quiet hours (21:00 to 08:00 on the program clock)', () => {
  it('hold a text in the outbox until 08:00, and send it then', async () => {
    const night = zoneAtHour(2);
    await setZone(night);
    const after = await lastRequestId();
    const { id } = await danaUpdates();
    // the sender ran for the change (Clara's email is due at once): the text would have gone with it
    await senderAnswered(after);
    await mail.waitFor((m) => m.to.some((t) => t.address === 'clara@harbor.example'));
    const held = await job(id);
    expect(held.state).toBe('pending');
    const [expected] = await sql<{ t: Date }>(
      `select (((now() at time zone $1)::date + time '08:00') at time zone $1) as t`,
      [night],
    );
    expect(held.next_attempt_at.toISOString()).toBe(expected!.t.toISOString());
    expect(await sms.to(OMAR_PHONE)).toHaveLength(0);

    // 08:00 comes: the clock of that zone now reads daytime, and the job is due (the 5 s sweep sends it)
    await setZone(zoneAtHour(9));
    await sql(`update public.notification_jobs set next_attempt_at = now() where id = $1`, [id]);
    await sms.waitFor((t) => t.to === OMAR_PHONE, 20_000);
    // the provider has the text; the worker records the send once the provider has answered
    await waitUntil('sent', async () => (await job(id)).state === 'sent');
    expect((await job(id)).state).toBe('sent');
  });

  it('the sweep holds what is due at the moment it is given, and nothing by day', async () => {
    await setZone('America/Chicago');
    // a text queued for later (not due now), so the sender leaves it alone
    await sql(`update public.seekers set preferred_contact = 'text' where id = $1`, [OMAR]);
    const [{ id }] = (await sql<{ id: string }>(
      `insert into public.notification_jobs (referral_id, event, to_status, recipient_kind, recipient_seeker_id, channel, address, next_attempt_at)
       values ($1, 'status_changed', 'pending', 'seeker', $2, 'sms', '(512) 555-0177', '2030-01-15 10:00 America/Chicago')
       returning id`,
      [R3, OMAR],
    )) as [{ id: string }];
    const day = await sql<{ n: number }>(`select public.hold_quiet_texts('2030-01-15 12:00 America/Chicago') as n`);
    expect(day[0]!.n).toBe(0);
    const night = await sql<{ n: number }>(`select public.hold_quiet_texts('2030-01-15 23:30 America/Chicago') as n`);
    expect(night[0]!.n).toBe(1);
    const [row] = await sql<{ ok: boolean }>(
      `select next_attempt_at = '2030-01-16 08:00 America/Chicago'::timestamptz as ok from public.notification_jobs where id = $1`,
      [id],
    );
    expect(row!.ok).toBe(true);
    expect((await job(id)).address).toBe(OMAR_PHONE);
  });

  it('end at 08:00 sharp, begin at 21:00 sharp, on the local clock across a change to summer time', async () => {
    const cases: [string, string | null][] = [
      ['2030-01-15 20:59:59 America/Chicago', null],
      ['2030-01-15 21:00 America/Chicago', '2030-01-16 08:00 America/Chicago'],
      ['2030-01-16 07:59:59 America/Chicago', '2030-01-16 08:00 America/Chicago'],
      ['2030-01-16 08:00 America/Chicago', null],
      // the night summer time begins (2030-03-10 02:00 → 03:00)
      ['2030-03-09 23:00 America/Chicago', '2030-03-10 08:00 America/Chicago'],
    ];
    for (const [at, until] of cases) {
      const [row] = await sql<{ ok: boolean }>(
        `select private.text_quiet_until('America/Chicago', $1::timestamptz) is not distinct from $2::timestamptz as ok`,
        [at, until],
      );
      expect(row!.ok, at).toBe(true);
    }
  });
});

describe('quiet hours and the grace period of a status change', () => {
  /** The jobs of R3's messages to Omar and to Clara. */
  async function r3Jobs() {
    return sql<{ channel: string; state: string; from_status: string; to_status: string }>(
      `select channel, state, from_status, to_status
         from public.notification_jobs
        where referral_id = $1
          and (recipient_kind = 'seeker' or recipient_user_id = (select id from auth.users where email = $2))
        order by created_at, channel::text`,
      [R3, 'clara@harbor.example'],
    );
  }

  it('a text waits for the later of the two: the end of quiet hours when the grace period ends in them', async () => {
    await setGrace(3600);
    const zone = zoneAtHour(22);
    await setZone(zone);
    const { id } = await danaUpdates('pending');
    // Clara's email waits out the grace period; the text, which would be due at 23:xx, waits for 08:00
    const [email] = await sql<{ ok: boolean }>(
      `select bool_and(next_attempt_at = created_at + interval '1 hour') as ok from public.notification_jobs
        where referral_id = $1 and channel = 'email'`,
      [R3],
    );
    expect(email!.ok).toBe(true);
    const [text] = await sql<{ ok: boolean; state: string }>(
      `select state, next_attempt_at = (((created_at at time zone $2)::date + 1) + time '08:00') at time zone $2 as ok
         from public.notification_jobs where id = $1`,
      [id, zone],
    );
    expect(text).toEqual({ ok: true, state: 'pending' });
  });

  it('a text waits for the later of the two: the grace period when it ends after quiet hours', async () => {
    await setGrace(3600);
    // 07:xx on the program's clock: quiet hours end within the hour, the grace period a little later
    await setZone(zoneAtHour(7));
    const { id } = await danaUpdates('pending');
    const [text] = await sql<{ ok: boolean; state: string }>(
      `select state, next_attempt_at = created_at + interval '1 hour' as ok from public.notification_jobs where id = $1`,
      [id],
    );
    expect(text).toEqual({ ok: true, state: 'pending' });
  });

  it('an undo within the grace period cancels the text held for the night too', async () => {
    await setGrace(3600);
    await setZone(zoneAtHour(22));
    await danaUpdates('pending');
    // the undo queues nothing at all
    const undo = await dana.from('referrals').update({ status: 'not_updated' }).eq('id', R3).select('id');
    expect(undo.error).toBeNull();
    expect(undo.data).toHaveLength(1);
    const jobs = await r3Jobs();
    expect(jobs.map((j) => [j.channel, j.to_status, j.state])).toEqual([
      ['email', 'pending', 'not_sent'],
      ['sms', 'pending', 'not_sent'],
    ]);
  });

  it('after the grace period a later change leaves the held text alone, and staff hear of both changes', async () => {
    // grace 0: the emails go at once, the text to Omar waits for 08:00
    await setZone(zoneAtHour(22));
    await danaUpdates('pending');
    await mail.waitFor((m) => m.to.some((t) => t.address === 'clara@harbor.example'));
    await danaUpdates('not_updated');
    // the second change is news of its own: Clara hears of it, the first text is not cancelled
    await waitUntil(
      'both emails to Clara sent',
      async () => (await r3Jobs()).filter((j) => j.channel === 'email' && j.state === 'sent').length === 2,
    );
    expect(await mail.to('clara@harbor.example')).toHaveLength(2);
    const jobs = await r3Jobs();
    expect(jobs.map((j) => [j.channel, j.from_status, j.to_status, j.state])).toEqual([
      ['email', 'not_updated', 'pending', 'sent'],
      ['sms', 'not_updated', 'pending', 'pending'],
      ['email', 'pending', 'not_updated', 'sent'],
      ['sms', 'pending', 'not_updated', 'pending'],
    ]);
    expect(await sms.to(OMAR_PHONE)).toHaveLength(0);
  });
});

describe('STOP and START', () => {
  it('STOP opts the number out: no more texts, staff see it; START opts back in', async () => {
    const stop = await sms.reply(OMAR_PHONE, ' Stop ');
    expect(stop.webhook_status).toBe(200);
    expect(stop.replies).toEqual([
      'You will get no more texts from Closed Loop Referrals. Reply START to get them again.',
    ]);
    const seeker = await dana.from('seekers').select('id, text_opted_out').eq('id', OMAR).single();
    expect(seeker.data).toEqual({ id: OMAR, text_opted_out: true });

    const { id } = await danaUpdates();
    const j = await job(id);
    expect(j.state).toBe('not_sent');
    expect(j.last_error).toBe('not sent: opted out by text');
    const staff = await dana.from('notification_jobs').select('state, last_error').eq('id', id).single();
    expect(staff.data).toEqual({ state: 'not_sent', last_error: 'not sent: opted out by text' });
    await mail.waitFor((m) => m.to.some((t) => t.address === 'clara@harbor.example'));
    expect(await sms.to(OMAR_PHONE)).toHaveLength(0);

    const start = await sms.reply(OMAR_PHONE, 'start');
    expect(start.replies[0]).toContain('again');
    expect((await dana.from('seekers').select('text_opted_out').eq('id', OMAR).single()).data).toEqual({
      text_opted_out: false,
    });
    await danaUpdates();
    await sms.waitFor((t) => t.to === OMAR_PHONE && t.direction === 'outbound-api');
  });

  it('synonyms count, other words do not, and nobody but the provider can opt a number out', async () => {
    for (const word of ['UNSUBSCRIBE', 'cancel.', 'Quit']) {
      expect((await sms.reply('+15125550100', word)).replies[0]).toContain('no more texts');
      await sms.reply('+15125550100', 'START');
    }
    expect((await sms.reply('+15125550100', 'please stop texting me at night')).replies).toEqual([]);
    const [none] = await sql<{ n: string }>(`select count(*) as n from private.sms_opt_outs`);
    expect(Number(none!.n)).toBe(0);

    // a forged webhook call: no signature, then a signature of another body
    const form = new URLSearchParams({ From: OMAR_PHONE, Body: 'STOP', To: '+15005550006' });
    const unsigned = await fetch(`${env.functionsUrl}/sms-inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(unsigned.status).toBe(403);
    const wrong = await fetch(`${env.functionsUrl}/sms-inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJl' },
      body: form.toString(),
    });
    expect(wrong.status).toBe(403);
    const json = await fetch(`${env.functionsUrl}/sms-inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ From: OMAR_PHONE, Body: 'STOP' }),
    });
    expect(json.status).toBe(415);
    const [still] = await sql<{ n: string }>(`select count(*) as n from private.sms_opt_outs`);
    expect(Number(still!.n)).toBe(0);
    // Clara cannot read opt-outs or call the function behind the webhook
    const rpc = await clara.rpc('record_inbound_text', { p_from: OMAR_PHONE, p_body: 'STOP' });
    expect(rpc.error?.code).toBe('42501');
  });
});

describe('delivery failures and outages', () => {
  it('a failed delivery callback shows as failed to staff, with the provider code', async () => {
    await sms.faults({ undeliverable: { [OMAR_PHONE]: { status: 'undelivered', error_code: 30003 } } });
    const { id } = await danaUpdates();
    await waitUntil('undelivered', async () => (await job(id)).delivery_status === 'undelivered');
    const staff = await dana
      .from('notification_jobs')
      .select('state, delivery_status, delivery_error_code')
      .eq('id', id)
      .single();
    expect(staff.data).toEqual({ state: 'sent', delivery_status: 'undelivered', delivery_error_code: '30003' });

    // a forged callback cannot change it back
    const forged = await fetch(`${env.functionsUrl}/sms-status?job=${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ MessageSid: 'SM' + '0'.repeat(32), MessageStatus: 'delivered' }).toString(),
    });
    expect(forged.status).toBe(403);
    expect((await job(id)).delivery_status).toBe('undelivered');
  });

  it('an outage of the provider loses nothing and sends nothing twice', async () => {
    await sms.faults({ outage: 503 });
    const { id } = await danaUpdates();
    await waitUntil('a failed try', async () => {
      const j = await job(id);
      return j.tries >= 1 && j.state === 'pending' && (j.last_error ?? '').startsWith('Twilio 503');
    });
    expect(await sms.to(OMAR_PHONE)).toHaveLength(0);
    await sms.faults({ outage: null });
    await sms.waitFor((t) => t.to === OMAR_PHONE);
    await waitUntil('delivered', async () => (await job(id)).delivery_status === 'delivered');
    await outboxSettled();
    expect(await sms.to(OMAR_PHONE)).toHaveLength(1);
    const j = await job(id);
    expect(j.state).toBe('sent');
    expect(j.tries).toBeGreaterThanOrEqual(2);
  });
});
