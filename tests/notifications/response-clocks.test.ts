/**
 * Reminders and escalations through the real outbox: run_response_clocks
 * queues them for a given moment, the sender renders them in the
 * recipient's language and the mail catcher receives them. Each is sent
 * once, and none after the program has answered.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, mail, resetDb, serviceClient, signIn, sql, type Client, type Mail } from '../support/stack.ts';
import { HARBOR, SAM, freshWorld, outboxSettled, recipients } from './helpers.ts';

const CLARA = '10000000-0000-4000-8000-000000000005';
const HELEN = '10000000-0000-4000-8000-000000000001';
const EASTSIDE = '20000000-0000-4000-8000-000000000001';
const DAY = 24 * 60 * 60 * 1000;

let helen: Client;
let clara: Client;
let cody: Client;

beforeAll(async () => {
  [helen, clara, cody] = await Promise.all([
    signIn('helen@eastside.example'),
    signIn('clara@harbor.example'),
    signIn('cody@harbor.example'),
  ]);
});
beforeEach(async () => {
  await freshWorld(resetDb);
});
afterAll(closeDb);

/** Helen refers Sam to Harbor; the "new referral" emails are sent and cleared away. */
async function referral(): Promise<{ id: string; due: string; escalate: string }> {
  const { data, error } = await helen
    .from('referrals')
    .insert({ seeker_id: SAM, program_id: HARBOR, from_site_id: EASTSIDE, comment: 'Needs groceries this week.' })
    .select('id')
    .single();
  expect(error).toBeNull();
  const [row] = await sql<{ due: string; escalate: string }>(
    `select r.response_due_at::text as due,
            private.add_business_days(r.created_at, 2 * p.response_days, p.time_zone)::text as escalate
       from public.referrals r join public.programs p on p.id = r.program_id where r.id = $1`,
    [data!.id],
  );
  await outboxSettled();
  await mail.clear();
  return { id: data!.id, ...row! };
}

async function sweep(asOf: string | Date) {
  const { data, error } = await serviceClient().rpc('run_response_clocks', {
    as_of: typeof asOf === 'string' ? asOf : asOf.toISOString(),
  });
  expect(error).toBeNull();
  return data as { reminded: number; escalated: number; messages: number };
}

/** Every email the catcher holds once the outbox has drained. */
async function delivered(): Promise<Mail[]> {
  await outboxSettled();
  return mail.list();
}

describe('reminders and escalations', () => {
  it('remind each claimer once in their language at the due time, and escalate to the referrer once at twice it', async () => {
    await sql(`update public.profiles set preferred_language = 'es' where id = $1`, [CLARA]);
    const r = await referral();

    expect(await sweep(r.due)).toEqual({ reminded: 1, escalated: 0, messages: 2 });
    const reminders = await delivered();
    expect(recipients(reminders)).toEqual(['clara@harbor.example', 'cody@harbor.example']);
    const toClara = reminders.find((m) => m.to[0]!.address === 'clara@harbor.example')!;
    const toCody = reminders.find((m) => m.to[0]!.address === 'cody@harbor.example')!;
    expect(toClara.subject).toBe('Espera respuesta: el referido de Sam a Harbor Food Pantry');
    expect(toClara.text).toContain('Harbor Food Pantry suele responder en 2 días hábiles.');
    expect(toCody.subject).toBe("Waiting for an answer: Sam's referral to Harbor Food Pantry");
    expect(toCody.text).toContain('Harbor Food Pantry usually answers within 2 business days.');
    expect(toCody.text).toContain('/inbound?referral=');

    // the same moment again, and a later one short of the escalation: nothing new
    expect(await sweep(r.due)).toEqual({ reminded: 0, escalated: 0, messages: 0 });
    expect(await sweep(new Date(new Date(r.escalate).getTime() - 60_000))).toEqual({
      reminded: 0,
      escalated: 0,
      messages: 0,
    });

    expect(await sweep(r.escalate)).toEqual({ reminded: 0, escalated: 1, messages: 1 });
    expect(await sweep(r.escalate)).toEqual({ reminded: 0, escalated: 0, messages: 0 });
    const all = await delivered();
    expect(recipients(all)).toEqual(['clara@harbor.example', 'cody@harbor.example', 'helen@eastside.example']);
    const escalation = all.find((m) => m.to[0]!.address === 'helen@eastside.example')!;
    expect(escalation.subject).toBe("No answer yet: Sam's referral to Harbor Food Pantry");
    expect(escalation.text).toContain('usually answers within 2 business days, and after 4 it has not.');
    expect(escalation.text).toContain(`Start a Referral for Sam: `);
    expect(escalation.text).toContain(`/people/${SAM}/refer`);
  });

  it('escalate in Spanish to a referrer who reads Spanish', async () => {
    await sql(`update public.profiles set preferred_language = 'es' where id = $1`, [HELEN]);
    const r = await referral();
    expect(await sweep(r.escalate)).toEqual({ reminded: 1, escalated: 1, messages: 3 });
    const escalation = (await delivered()).find((m) => m.to[0]!.address === 'helen@eastside.example')!;
    expect(escalation.subject).toBe('Sin respuesta: el referido de Sam a Harbor Food Pantry');
    expect(escalation.text).toContain('Iniciar un referido para Sam: ');
  });

  it('send nothing once the program has answered', async () => {
    const answeredEarly = await referral();
    const { error } = await cody.from('referrals').update({ status: 'pending' }).eq('id', answeredEarly.id);
    expect(error).toBeNull();
    await outboxSettled();
    await mail.clear();
    expect(await sweep(new Date(Date.now() + 60 * DAY))).toEqual({ reminded: 0, escalated: 0, messages: 0 });

    // answered between the reminder and the escalation: no escalation
    const answeredLate = await referral();
    expect(await sweep(answeredLate.due)).toMatchObject({ reminded: 1, messages: 2 });
    expect(recipients(await delivered())).toEqual(['clara@harbor.example', 'cody@harbor.example']);
    const update = await clara.from('referrals').update({ status: 'eligible' }).eq('id', answeredLate.id);
    expect(update.error).toBeNull();
    await outboxSettled();
    await mail.clear();
    expect(await sweep(answeredLate.escalate)).toEqual({ reminded: 0, escalated: 0, messages: 0 });
    const events = await sql<{ event: string; n: number }>(
      `select event::text, count(*)::int as n from public.notification_jobs
        where referral_id = any($1) and event in ('reminder', 'escalation') group by event order by event`,
      [[answeredEarly.id, answeredLate.id]],
    );
    expect(events).toEqual([{ event: 'reminder', n: 2 }]);
    expect(await delivered()).toEqual([]);
  });
});
