/**
 * Response clocks and assignment (supabase/schemas/95_response_clocks.sql),
 * through the API as the seeded people: when a referral is due, who answers
 * it, who may assign it to whom, and what run_response_clocks(as_of) queues
 * for a given moment. Each test starts from the seeded world.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anonClient, closeDb, resetDb, serviceClient, signIn, sql, type Client } from '../support/stack.ts';
import { programs, referrals, seekers, sites, users, type Persona } from './world.ts';

const clients = {} as Record<Persona, Client>;
const who: Persona[] = ['helen', 'clara', 'cody', 'carl', 'sam'];

/** A referral from Helen (Eastside) to a program, made at a chosen moment (superuser, triggers on). */
async function referAt(createdAt: string, programId: string = programs.harbor, seekerId: string = seekers.sam) {
  const [row] = await sql<{ id: string; response_due_at: Date }>(
    `insert into public.referrals (seeker_id, program_id, referred_by, from_site_id, comment, created_at)
     values ($1, $2, $3, $4, 'clock test', $5) returning id, response_due_at`,
    [seekerId, programId, users.helen.id, sites.eastside, createdAt],
  );
  return row!;
}

/** A referral Helen makes through the API now. */
async function referNow(programId: string = programs.harbor, seekerId: string = seekers.sam): Promise<string> {
  const { data, error } = await clients.helen
    .from('referrals')
    .insert({ seeker_id: seekerId, program_id: programId, from_site_id: sites.eastside, comment: 'clock test' })
    .select('id')
    .single();
  expect(error).toBeNull();
  return data!.id;
}

async function referral(id: string) {
  const [row] = await sql<{
    created_at: Date;
    response_due_at: Date;
    /** exact, to the microsecond (a Date keeps milliseconds) */
    due: string;
    responded_at: Date | null;
    assigned_to: string | null;
    assigned_to_name: string;
    version: number;
  }>(
    'select created_at, response_due_at, response_due_at::text as due, responded_at, assigned_to, assigned_to_name, version from public.referrals where id = $1',
    [id],
  );
  return row!;
}

async function jobs(referralId: string, event?: string) {
  return sql<{ event: string; recipient_kind: string; address: string; language: string }>(
    `select event::text, recipient_kind::text, address, language::text from public.notification_jobs
      where referral_id = $1 and ($2::text is null or event::text = $2) order by event, address`,
    [referralId, event ?? null],
  );
}

async function sweep(asOf: Date | string) {
  const { data, error } = await serviceClient().rpc('run_response_clocks', {
    as_of: typeof asOf === 'string' ? asOf : asOf.toISOString(),
  });
  expect(error).toBeNull();
  return data as { reminded: number; escalated: number; messages: number };
}

const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);
const MINUTE = 60_000;

beforeAll(async () => {
  await resetDb();
  for (const p of who) clients[p] = await signIn(users[p].email);
});
beforeEach(resetDb);
afterAll(closeDb);

describe('due times', () => {
  it('counts Monday to Friday in the program’s time zone, at the same local time', async () => {
    // Harbor: America/Chicago, 2 business days (the defaults)
    const cases: [string, string, string][] = [
      ['Monday 09:00 CST', '2026-12-07T15:00:00Z', '2026-12-09T15:00:00Z'], // → Wednesday 09:00
      ['Friday 15:00 CST', '2026-12-04T21:00:00Z', '2026-12-08T21:00:00Z'], // over the weekend → Tuesday 15:00
      ['Saturday 10:00 CST', '2026-12-05T16:00:00Z', '2026-12-08T16:00:00Z'], // a weekend counts from Friday → Tuesday
      ['Sunday 23:59 CST', '2026-12-07T05:59:00Z', '2026-12-09T05:59:00Z'], // Sunday night → Tuesday 23:59 local
      ['Thursday 18:00 CST', '2026-12-04T00:00:00Z', '2026-12-08T00:00:00Z'], // → Monday 18:00 local
      // clocks go back on Sunday 1 November 2026: the local time holds, the offset moves
      ['Friday 09:00 CDT before the change', '2026-10-30T14:00:00Z', '2026-11-03T15:00:00Z'],
    ];
    for (const [what, created, due] of cases) {
      const r = await referAt(created);
      expect(r.response_due_at.toISOString(), what).toBe(new Date(due).toISOString());
    }
  });

  it('uses each program’s own time zone and target', async () => {
    await sql(`update public.programs set time_zone = 'Europe/Madrid', response_days = 3 where id = $1`, [
      programs.safeHaven,
    ]);
    // Thursday 23:30 UTC: still Thursday 17:30 in Chicago, already Friday 00:30 in Madrid
    const harbor = await referAt('2026-12-03T23:30:00Z', programs.harbor);
    const safeHaven = await referAt('2026-12-03T23:30:00Z', programs.safeHaven, seekers.rita);
    expect(harbor.response_due_at.toISOString()).toBe('2026-12-07T23:30:00.000Z'); // Monday 17:30 Chicago
    expect(safeHaven.response_due_at.toISOString()).toBe('2026-12-08T23:30:00.000Z'); // Wednesday 00:30 Madrid
  });

  it('agrees with counting the days one by one, for every start day and target', async () => {
    const [row] = await sql<{ wrong: number; checked: number }>(`
      with starts as (
        select tz, d::date + time '13:05' as local_start, n
        from unnest(array['America/Chicago', 'Asia/Tokyo']) tz,
             generate_series(date '2026-12-01', date '2026-12-21', interval '1 day') d,
             generate_series(1, 12) n
      ),
      computed as (
        select tz, n, local_start,
               private.add_business_days(local_start at time zone tz, n, tz) at time zone tz as local_due,
               (select day::date from generate_series(local_start::date + 1, local_start::date + 40, interval '1 day') day
                 where extract(isodow from day) < 6 order by day offset n - 1 limit 1) as counted_day
        from starts
      )
      select count(*) filter (where local_due <> counted_day + local_start::time)::int as wrong, count(*)::int as checked
      from computed`);
    expect(row).toEqual({ wrong: 0, checked: 2 * 21 * 12 });
  });

  it('refuses a time zone the database does not know, and a target outside 1-30 days', async () => {
    await expect(
      sql(`update public.programs set time_zone = 'Mars/Olympus_Mons' where id = $1`, [programs.harbor]),
    ).rejects.toThrow(/Unknown time zone "Mars\/Olympus_Mons"/);
    // what timezone() would take but is not a zone name: a POSIX rule, an abbreviation, an old alias
    for (const zone of ['America/Foo+3', 'EST5EDT', 'EST', 'Japan', 'Etc/GMT+25', '']) {
      await expect(
        sql(`update public.programs set time_zone = $2 where id = $1`, [programs.harbor, zone]),
        zone,
      ).rejects.toThrow(`Unknown time zone "${zone}"`);
    }
    for (const zone of ['UTC', 'Etc/GMT+5', 'America/Argentina/Buenos_Aires', 'Europe/Madrid']) {
      const [row] = await sql<{ time_zone: string }>(
        `update public.programs set time_zone = $2 where id = $1 returning time_zone`,
        [programs.harbor, zone],
      );
      expect(row?.time_zone).toBe(zone);
    }
    await expect(sql(`update public.programs set response_days = 0 where id = $1`, [programs.harbor])).rejects.toThrow(
      /programs_response_days_check/,
    );
    await sql(`update public.programs set time_zone = 'America/New_York', response_days = 30 where id = $1`, [
      programs.harbor,
    ]);
  });

  it('cannot be set by a client', async () => {
    const id = await referNow();
    const { error } = await clients.clara
      .from('referrals')
      .update({ response_due_at: new Date().toISOString() } as never)
      .eq('id', id);
    expect(error?.code).toBe('42501');
  });
});

describe('responded_at', () => {
  it('is the first status change by a claimer of the receiving program, and only theirs', async () => {
    const id = await referNow();
    for (const p of ['helen', 'sam'] as const) {
      const { error } = await clients[p]
        .from('referrals')
        .update({ status: 'pending' })
        .eq('id', id)
        .select('id')
        .single();
      expect(error, p).toBeNull();
      await clients[p].from('referrals').update({ status: 'not_updated' }).eq('id', id);
      expect((await referral(id)).responded_at, `${p} is not the program`).toBeNull();
    }
    // a claimer of another program cannot even see it
    const { data } = await clients.carl.from('referrals').update({ status: 'pending' }).eq('id', id).select('id');
    expect(data).toEqual([]);
    expect((await referral(id)).responded_at).toBeNull();

    await clients.clara.from('referrals').update({ status: 'eligible' }).eq('id', id).select('id').single();
    const first = (await referral(id)).responded_at;
    expect(first).toBeInstanceOf(Date);
    await clients.cody.from('referrals').update({ status: 'got_help' }).eq('id', id).select('id').single();
    expect((await referral(id)).responded_at).toEqual(first);
  });

  it('is not a change of goal or of assignment, and cannot be written by a client', async () => {
    const id = await referNow();
    await clients.clara.from('referrals').update({ assigned_to: users.cody.id }).eq('id', id).select('id').single();
    expect((await referral(id)).responded_at).toBeNull();
    const { error } = await clients.clara
      .from('referrals')
      .update({ responded_at: new Date().toISOString() } as never)
      .eq('id', id);
    expect(error?.code).toBe('42501');
    expect((await referral(id)).responded_at).toBeNull();
  });

  it('comes from a claimer’s one-click link too', async () => {
    const id = await referNow();
    const [link] = await sql<{ token: string }>(
      `select private.one_click_token(l.id, 'pending') as token from private.one_click_links l
        where l.referral_id = $1 and l.recipient_user_id = $2`,
      [id, users.clara.id],
    );
    const { data, error } = await serviceClient().rpc('apply_one_click_link', { p_token: link!.token });
    expect(error).toBeNull();
    expect((data as { state: string }).state).toBe('applied');
    expect((await referral(id)).responded_at).toBeInstanceOf(Date);
  });
});

describe('assignment', () => {
  it('a claimer assigns to a claimer of the program; history records it; the assignee is emailed', async () => {
    const { data, error } = await clients.clara
      .from('referrals')
      .update({ assigned_to: users.cody.id })
      .eq('id', referrals.R1)
      .select('assigned_to, assigned_to_name')
      .single();
    expect(error).toBeNull();
    expect(data).toEqual({ assigned_to: users.cody.id, assigned_to_name: 'Cody C.' });
    const events = await sql(
      `select actor_display_name, actor_organization, assignee_id, assignee_name from public.referral_events
        where referral_id = $1 and event_type = 'assigned'`,
      [referrals.R1],
    );
    expect(events).toEqual([
      {
        actor_display_name: 'Clara C.',
        actor_organization: 'Harbor Food Pantry',
        assignee_id: users.cody.id,
        assignee_name: 'Cody C.',
      },
    ]);
    expect(await jobs(referrals.R1, 'assigned')).toEqual([
      { event: 'assigned', recipient_kind: 'program', address: users.cody.email, language: 'en' },
    ]);
    // the referrer sees who handles it
    const seen = await clients.helen.from('referrals').select('assigned_to_name').eq('id', referrals.R1).single();
    expect(seen.data).toEqual({ assigned_to_name: 'Cody C.' });
  });

  it('someone who assigns it to themselves is not emailed; unassigning is recorded', async () => {
    const mine = await clients.cody
      .from('referrals')
      .update({ assigned_to: users.cody.id })
      .eq('id', referrals.R1)
      .select('id');
    expect(mine.error).toBeNull();
    expect(await jobs(referrals.R1, 'assigned')).toEqual([]);
    const none = await clients.clara
      .from('referrals')
      .update({ assigned_to: null })
      .eq('id', referrals.R1)
      .select('assigned_to, assigned_to_name')
      .single();
    expect(none.data).toEqual({ assigned_to: null, assigned_to_name: '' });
    const events = await sql(
      `select actor_display_name, assignee_name from public.referral_events
        where referral_id = $1 and event_type = 'assigned' order by id`,
      [referrals.R1],
    );
    expect(events).toEqual([
      { actor_display_name: 'Cody C.', assignee_name: 'Cody C.' },
      { actor_display_name: 'Clara C.', assignee_name: null },
    ]);
  });

  it('refuses an assignee who is not a claimer of the receiving program', async () => {
    for (const other of [users.carl.id, users.helen.id, users.sam.id]) {
      const { error } = await clients.clara.from('referrals').update({ assigned_to: other }).eq('id', referrals.R1);
      expect(error?.code).toBe('23514');
      expect(error?.message).toBe('A referral can only be assigned to a claimer of the program that received it');
    }
    expect((await referral(referrals.R1)).assigned_to).toBeNull();
  });

  it('refuses anyone but a claimer of the receiving program, even one who may change its status', async () => {
    // Helen made R1 and Sam is its seeker: both may change its status, neither may assign it
    for (const p of ['helen', 'sam'] as const) {
      const { error } = await clients[p]
        .from('referrals')
        .update({ assigned_to: users.clara.id })
        .eq('id', referrals.R1);
      expect(error?.code, p).toBe('42501');
      expect(error?.message).toBe('Only a claimer of the program that received this referral can assign it');
    }
    // Clara claims for Harbor, which made R3 (shared): R3 is Bright Futures' to assign
    const r3 = await clients.clara.from('referrals').update({ assigned_to: users.clara.id }).eq('id', referrals.R3);
    expect(r3.error?.code).toBe('42501');
    // Carl does not see R1 at all
    const carl = await clients.carl
      .from('referrals')
      .update({ assigned_to: users.carl.id })
      .eq('id', referrals.R1)
      .select('id');
    expect(carl.data).toEqual([]);
    expect((await referral(referrals.R1)).assigned_to).toBeNull();
    expect(await jobs(referrals.R1, 'assigned')).toEqual([]);
  });
});

describe('run_response_clocks', () => {
  it('runs every minute through pg_cron, the job the migrations schedule', async () => {
    expect(await sql(`select schedule, command, active from cron.job where jobname = 'response-clocks'`)).toEqual([
      { schedule: '* * * * *', command: 'select public.run_response_clocks()', active: true },
    ]);
  });

  it('is the service role’s alone', async () => {
    for (const client of [anonClient(), clients.clara]) {
      const { error } = await client.rpc('run_response_clocks', {});
      expect(error?.code).toBe('42501');
    }
    const { error } = await serviceClient().rpc('run_response_clocks', {});
    expect(error).toBeNull();
  });

  it('reminds the claimers at the due time and escalates to the referrer at twice it, once each, for a sequence of moments', async () => {
    const id = await referNow();
    const r = await referral(id);
    const [{ escalate, escalate_at }] = await sql<{ escalate: string; escalate_at: Date }>(
      `select e::text as escalate, e as escalate_at
         from (select private.add_business_days(created_at, 4, 'America/Chicago') e from public.referrals where id = $1) x`,
      [id],
    );
    const created = await jobs(id);

    await sweep(plus(r.response_due_at, -MINUTE));
    expect(await jobs(id)).toEqual(created);

    const first = await sweep(r.due);
    expect(first).toMatchObject({ reminded: 1, escalated: 0, messages: 2 });
    expect(await jobs(id, 'reminder')).toEqual([
      { event: 'reminder', recipient_kind: 'program', address: users.clara.email, language: 'en' },
      { event: 'reminder', recipient_kind: 'program', address: users.cody.email, language: 'en' },
    ]);
    // the same moment again, and moments up to the escalation: nothing more
    expect(await sweep(r.due)).toEqual({ reminded: 0, escalated: 0, messages: 0 });
    expect(await sweep(plus(escalate_at, -MINUTE))).toEqual({ reminded: 0, escalated: 0, messages: 0 });
    expect(await sweep(r.due)).toEqual({ reminded: 0, escalated: 0, messages: 0 });

    expect(await sweep(escalate)).toEqual({ reminded: 0, escalated: 1, messages: 1 });
    expect(await jobs(id, 'escalation')).toEqual([
      { event: 'escalation', recipient_kind: 'helper', address: users.helen.email, language: 'en' },
    ]);
    expect(await sweep(escalate)).toEqual({ reminded: 0, escalated: 0, messages: 0 });
    expect(await sweep(plus(escalate_at, 30 * 24 * 60 * MINUTE))).toEqual({ reminded: 0, escalated: 0, messages: 0 });
    expect((await jobs(id)).length).toBe(created.length + 3);
  });

  it('a moment past both fires both at once', async () => {
    const id = await referNow();
    expect(await sweep(plus(new Date(), 60 * 24 * 60 * MINUTE))).toEqual({ reminded: 1, escalated: 1, messages: 3 });
    expect((await jobs(id)).filter((j) => j.event !== 'created').map((j) => [j.event, j.address])).toEqual([
      ['escalation', users.helen.email],
      ['reminder', users.clara.email],
      ['reminder', users.cody.email],
    ]);
  });

  it('reminds only the assignee of an assigned referral', async () => {
    const id = await referNow();
    await clients.clara.from('referrals').update({ assigned_to: users.cody.id }).eq('id', id).select('id').single();
    await sweep((await referral(id)).due);
    expect((await jobs(id, 'reminder')).map((j) => j.address)).toEqual([users.cody.email]);
  });

  it('sends nothing once the program has answered, before or after the due time', async () => {
    const early = await referNow();
    const late = await referNow();
    await clients.cody.from('referrals').update({ status: 'pending' }).eq('id', early).select('id').single();
    const { due, response_due_at } = await referral(late);
    await sweep(due);
    expect(await jobs(early, 'reminder')).toEqual([]);
    expect((await jobs(late, 'reminder')).length).toBe(2);
    await clients.clara.from('referrals').update({ status: 'eligible' }).eq('id', late).select('id').single();
    expect(await sweep(plus(response_due_at, 60 * 24 * 60 * MINUTE))).toEqual({
      reminded: 0,
      escalated: 0,
      messages: 0,
    });
    expect(await jobs(early, 'escalation')).toEqual([]);
    expect(await jobs(late, 'escalation')).toEqual([]);
  });

  it('tells nobody about a seeker who asked for no messages', async () => {
    await sql(`update public.seekers set preferred_contact = 'none' where id = $1`, [seekers.sam]);
    const id = await referNow();
    const result = await sweep(plus(new Date(), 60 * 24 * 60 * MINUTE));
    expect(result.messages).toBe(0);
    expect(await jobs(id)).toEqual([]);
  });

  it('leaves alone the seeded referrals, made with notifications suppressed', async () => {
    expect(await sweep(plus(new Date(), 60 * 24 * 60 * MINUTE))).toEqual({ reminded: 0, escalated: 0, messages: 0 });
  });
});
