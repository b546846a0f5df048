/**
 * The rules behind the daily work, allowed and refused, through the API as the
 * seeded people: a preferred contact always has its address; the note for the
 * program only never reaches the seeker (table, embed, function, email); the
 * worklist's "last looked" markers are each person's own; organisations'
 * public contact details reach the people they refer.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, mail, resetDb, signIn, sql, type Client } from '../support/stack.ts';
import { programs, referrals, seekers, sites, users } from './world.ts';

let helen: Client;
let henry: Client;
let walter: Client;
let clara: Client;
let dana: Client;
let sam: Client;

beforeAll(async () => {
  await resetDb();
  [helen, henry, walter, clara, dana, sam] = await Promise.all(
    (['helen', 'henry', 'walter', 'clara', 'dana', 'sam'] as const).map((p) => signIn(users[p].email)),
  );
});
beforeEach(resetDb);
afterAll(closeDb);

describe('preferred contact has its address', () => {
  it('left out, it is the channel that has an address', async () => {
    const add = (values: { email?: string; phone?: string }) =>
      sql<{ preferred_contact: string }>(
        `insert into public.seekers (first_name, email, phone, created_by, created_from_site_id)
         values ('Walk', $1, $2, $3, $4) returning preferred_contact`,
        [values.email ?? null, values.phone ?? null, users.helen.id, sites.eastside],
      );
    expect((await add({ email: 'walk@example.org', phone: '512 555 0100' }))[0]!.preferred_contact).toBe('email');
    expect((await add({ phone: '512 555 0100' }))[0]!.preferred_contact).toBe('text');
    expect((await add({}))[0]!.preferred_contact).toBe('phone');
  });

  it('a walk-in with only a phone may be reached by text or phone, never by email', async () => {
    for (const preferred_contact of ['text', 'phone'] as const) {
      const ok = await helen
        .from('seekers')
        .insert({ first_name: 'Walk', phone: '512 555 0100', preferred_contact })
        .select('preferred_contact')
        .single();
      expect(ok.error).toBeNull();
      expect(ok.data).toEqual({ preferred_contact });
    }
    const refused = await helen
      .from('seekers')
      .insert({ first_name: 'Walk', phone: '512 555 0100', preferred_contact: 'email' });
    expect(refused.error?.code).toBe('23514');
    expect(refused.error?.message).toBe('Email cannot be the way to reach Walk without an email address');
    expect(refused.error?.hint).toMatch(/Add an email address/);
  });

  it('text without a phone is refused, on insert and on update, by staff and by the seeker', async () => {
    const insert = await helen
      .from('seekers')
      .insert({ first_name: 'Pat', email: 'pat@example.org', preferred_contact: 'text' });
    expect(insert.error?.code).toBe('23514');
    expect(insert.error?.message).toMatch(/^Text message cannot be the way to reach Pat without a phone number/);

    // Sam prefers email: taking the email away would leave it without an address
    const clear = await helen.from('seekers').update({ email: null }).eq('id', seekers.sam).select('id');
    expect(clear.error?.code).toBe('23514');
    // Sam himself, without a phone on file, cannot choose text
    await sql(`update public.seekers set phone = null where id = $1`, [seekers.sam]);
    const own = await sam.from('seekers').update({ preferred_contact: 'text' }).eq('id', seekers.sam).select('id');
    expect(own.error?.code).toBe('23514');
    // … and the constraint holds for whoever writes, the table owner included
    await expect(
      sql(`update public.seekers set preferred_contact = 'text' where id = $1`, [seekers.sam]),
    ).rejects.toThrow(/Text message cannot be the way to reach Sam/);
    await expect(
      sql(`alter table public.seekers disable trigger seekers_before_update;
           update public.seekers set preferred_contact = 'text' where id = '${seekers.sam}'`),
    ).rejects.toThrow(/seekers_contact_has_address/);
    await sql(`alter table public.seekers enable trigger seekers_before_update`);
    const [row] = await sql<{ preferred_contact: string }>(
      `select preferred_contact from public.seekers where id = $1`,
      [seekers.sam],
    );
    expect(row!.preferred_contact).toBe('email');
  });
});

describe('the note for the program only', () => {
  const NOTE = 'Eviction notice due Friday: for the program only';

  async function referSamWithNote(): Promise<string> {
    const { data, error } = await helen.rpc('create_referral', {
      seeker_id: seekers.sam,
      program_id: programs.brightFutures,
      comment: 'Looking for work near home.',
      program_note: NOTE,
      from_site_id: sites.eastside,
    });
    expect(error).toBeNull();
    return data!.id;
  }

  it('is made with the referral in one step, and read by the referral staff only', async () => {
    const id = await referSamWithNote();
    for (const [who, client] of [
      ['helen (referrer)', helen],
      ['henry (sharing team)', henry],
      ['dana (receiving program)', dana],
    ] as const) {
      const { data, error } = await client.from('referral_program_notes').select('body').eq('referral_id', id);
      expect(error, who).toBeNull();
      expect(data, who).toEqual([{ body: NOTE }]);
    }
    for (const [who, client] of [
      ['sam (the seeker)', sam],
      ['walter (no access)', walter],
      ['clara (another program)', clara],
    ] as const) {
      const { data, error } = await client.from('referral_program_notes').select('body').eq('referral_id', id);
      expect(error, who).toBeNull();
      expect(data, who).toEqual([]);
    }
    // the seeker sees the referral and its message, never the note, not even as an embed
    const own = await sam.from('referrals').select('id, comment, referral_program_notes(body)').eq('id', id).single();
    expect(own.error).toBeNull();
    expect(own.data).toEqual({ id, comment: 'Looking for work near home.', referral_program_notes: null });
    const anything = await sam.from('referrals').select('*').eq('id', id).single();
    expect(JSON.stringify(anything.data)).not.toContain('Eviction');
  });

  it('is written by the referrer only, once, and never changed', async () => {
    const id = await referSamWithNote();
    expect((await sam.from('referral_program_notes').insert({ referral_id: id, body: 'x' })).error?.code).toBe('42501');
    // Dana receives R4 but did not make it
    expect(
      (await dana.from('referral_program_notes').insert({ referral_id: referrals.R4, body: 'x' })).error?.code,
    ).toBe('42501');
    expect((await helen.from('referral_program_notes').insert({ referral_id: id, body: 'again' })).error?.code).toBe(
      '23505',
    );
    const change = await helen.from('referral_program_notes').update({ body: 'changed' }).eq('referral_id', id);
    expect(change.error?.code).toBe('42501');
  });

  it('a referral that may not be made leaves no note behind', async () => {
    // Walter cannot see Sam: the whole call is refused and nothing is written
    const { error } = await walter.rpc('create_referral', {
      seeker_id: seekers.sam,
      program_id: programs.harbor,
      program_note: NOTE,
      from_site_id: sites.westside,
    });
    expect(error?.code).toBe('42501');
    const [n] = await sql<{ n: number }>(`select count(*)::int n from public.referral_program_notes`);
    expect(n!.n).toBe(0);
  });

  it("is in the program's email with how to reach the person, and never in the seeker's", async () => {
    await mail.clear();
    await referSamWithNote();
    const toSam = await mail.waitFor((m) => m.to.some((t) => t.address === users.sam.email));
    const toDana = await mail.waitFor((m) => m.to.some((t) => t.address === users.dana.email));
    expect(toDana.text).toContain(NOTE);
    expect(toDana.text).toContain('Phone: (512) 555-0199');
    expect(toDana.text).toContain('Best way to reach: Email');
    expect(toSam.text).toContain('Looking for work near home.');
    expect(toSam.text + toSam.html).not.toContain('Eviction');
    expect(toSam.text).not.toContain('Best way to reach');
  });
});

describe('last-looked markers and the worklist', () => {
  it("lists a referral someone else changed until its referrer looks at it; one's own change never", async () => {
    const changed = async (c: Client) => (await c.rpc('changed_referrals')).data?.map((r) => r.id) ?? [];
    expect(await changed(helen)).toEqual([]);
    expect((await clara.from('referrals').update({ status: 'pending' }).eq('id', referrals.R1)).error).toBeNull();
    expect(await changed(helen)).toEqual([referrals.R1]);
    // Henry shares Eastside's referrals: he sees the change too, with a marker of his own
    expect(await changed(henry)).toEqual([referrals.R1]);
    const seen = await helen.rpc('mark_referral_seen', { referral_id: referrals.R1 });
    expect(seen.error).toBeNull();
    expect(await changed(helen)).toEqual([]);
    expect(await changed(henry)).toEqual([referrals.R1]);
    // Helen's own change is not news to her
    expect((await helen.from('referrals').update({ status: 'eligible' }).eq('id', referrals.R1)).error).toBeNull();
    expect(await changed(helen)).toEqual([]);
    // Clara receives R1; the worklist lists what one sent, not what one received
    expect(await changed(clara)).toEqual([]);
  });

  it('markers are each person own, only for referrals they see as staff, stamped by the database', async () => {
    expect((await helen.rpc('mark_referral_seen', { referral_id: referrals.R1 })).error).toBeNull();
    // Walter does not see R1, Sam is not staff: refused, so a marker tells nobody what exists
    expect((await walter.rpc('mark_referral_seen', { referral_id: referrals.R1 })).error?.code).toBe('42501');
    expect((await sam.rpc('mark_referral_seen', { referral_id: referrals.R1 })).error?.code).toBe('42501');
    expect(
      (await walter.rpc('mark_referral_seen', { referral_id: '50000000-0000-4000-8000-0000000000ff' })).error?.code,
    ).toBe('42501');
    // nobody reads or moves another's markers
    expect((await henry.from('referral_reads').select('user_id')).data).toEqual([]);
    expect((await helen.from('referral_reads').select('user_id, referral_id')).data).toEqual([
      { user_id: users.helen.id, referral_id: referrals.R1 },
    ]);
    const moved = await henry.from('referral_reads').update({ seen_at: '2000-01-01' }).eq('user_id', users.helen.id);
    expect(moved.error).toBeNull();
    const forged = await helen
      .from('referral_reads')
      .insert({ referral_id: referrals.R1, user_id: users.henry.id } as never);
    expect(forged.error?.code).toBe('42501');
    // a time sent by the client is replaced by the database's
    await helen.from('referral_reads').update({ seen_at: '2099-01-01T00:00:00Z' }).eq('referral_id', referrals.R1);
    const [row] = await sql<{ future: boolean; n: number }>(
      `select bool_or(seen_at > now() + interval '1 day') future, count(*)::int n from public.referral_reads`,
    );
    expect(row).toEqual({ future: false, n: 1 });
  });
});

describe("the referring organisation's public contact details", () => {
  it('reach the seeker with their referral; the referrer’s own profile does not', async () => {
    const { data, error } = await sam
      .from('referrals')
      .select('referred_by_name, from_site:sites!referrals_from_site_id_fkey(name, phone, email)')
      .eq('id', referrals.R1)
      .single();
    expect(error).toBeNull();
    expect(data).toEqual({
      referred_by_name: 'Helen H.',
      from_site: { name: 'Eastside Community Clinic', phone: '(512) 555-0111', email: 'frontdesk@eastside.example' },
    });
    expect((await sam.from('profiles').select('id').eq('id', users.helen.id)).data).toEqual([]);
  });
});

describe('a bulk status change', () => {
  // What the Inbound bulk dialog does (src/features/referrals/api/bulk-update-status.ts): for each
  // selected referral, the single change's update (status and reason, the version the person saw),
  // one after another, each refused or applied on its own.
  type Target = { id: string; version: number };
  const change = (c: Client, targets: Target[], status: 'pending' | 'not_eligible', reason?: string, text?: string) =>
    Promise.all(
      targets.map(async (t) => {
        const { data, error } = await c
          .from('referrals')
          .update({ status, status_reason: reason ?? null, status_reason_text: text ?? null })
          .eq('id', t.id)
          .eq('version', t.version)
          .select('id, status, status_reason, status_reason_text');
        return { id: t.id, error, rows: data ?? [] };
      }),
    );
  const targetsOf = async (ids: string[]) =>
    sql<Target>(`select id, version from public.referrals where id = any($1) order by created_at, id`, [ids]);

  let wendy: Client;
  let cody: Client;
  let carl: Client;
  let second: string;
  let since: string;
  beforeAll(async () => {
    [wendy, cody, carl] = await Promise.all([
      signIn(users.wendy.email),
      signIn(users.cody.email),
      signIn(users.carl.email),
    ]);
  });
  beforeEach(async () => {
    // a second referral to Harbor, made by Wendy for Rita
    const { data, error } = await wendy
      .from('referrals')
      .insert({ seeker_id: seekers.rita, program_id: programs.harbor, from_site_id: sites.westside })
      .select('id')
      .single();
    expect(error).toBeNull();
    second = data!.id;
    since = (await sql<{ t: string }>(`select now()::text t`))[0]!.t;
  });
  /** The status changes the history recorded for these referrals since the test began. */
  const changesSince = (ids: string[]) =>
    sql<{
      referral_id: string;
      to_status: string;
      actor_id: string;
      status_reason: string | null;
      status_reason_text: string | null;
    }>(
      `select referral_id, to_status, actor_id, status_reason, status_reason_text from public.referral_events
        where event_type = 'status_changed' and referral_id = any($1) and created_at >= $2::timestamptz
        order by referral_id`,
      [ids, since],
    );

  it('changes every selected referral as a single change would, each in its history', async () => {
    const targets = await targetsOf([referrals.R1, second]);
    const out = await change(clara, targets, 'pending');
    expect(out.map((o) => [o.error, o.rows.length])).toEqual([
      [null, 1],
      [null, 1],
    ]);
    expect(await changesSince([referrals.R1, second])).toEqual(
      [referrals.R1, second].sort().map((id) => ({
        referral_id: id,
        to_status: 'pending',
        actor_id: users.clara.id,
        status_reason: null,
        status_reason_text: null,
      })),
    );
  });

  it('a status that needs a reason is refused for each without one, and applied to all with one reason', async () => {
    const targets = await targetsOf([referrals.R1, second]);
    const refused = await change(clara, targets, 'not_eligible');
    for (const o of refused) {
      expect(o.error?.code).toBe('22023');
      expect(o.error?.message).toBe(
        'Choose a reason for "Not eligible": staff say why when a referral moves to this status',
      );
    }
    expect(await sql(`select status from public.referrals where id = any($1)`, [[referrals.R1, second]])).toEqual([
      { status: 'not_updated' },
      { status: 'not_updated' },
    ]);
    expect(await changesSince([referrals.R1, second])).toEqual([]);

    // a code that is not a reason of this status is refused too
    const wrong = await change(clara, targets, 'not_eligible', 'no_such_reason');
    expect(wrong.every((o) => o.error !== null && o.rows.length === 0)).toBe(true);

    const applied = await change(clara, targets, 'not_eligible', 'income', 'Over the limit for both households.');
    expect(applied.map((o) => o.rows)).toEqual(
      [referrals.R1, second].map((id) => [
        {
          id,
          status: 'not_eligible',
          status_reason: 'income',
          status_reason_text: 'Over the limit for both households.',
        },
      ]),
    );
    expect(await changesSince([referrals.R1, second])).toEqual(
      [referrals.R1, second].sort().map((id) => ({
        referral_id: id,
        to_status: 'not_eligible',
        actor_id: users.clara.id,
        status_reason: 'income',
        status_reason_text: 'Over the limit for both households.',
      })),
    );
  });

  it('a referral someone else changed meanwhile is left alone and reported; the others still change', async () => {
    const targets = await targetsOf([referrals.R1, second]);
    // Cody changes Rita's referral after Clara selected it
    expect((await cody.from('referrals').update({ status: 'eligible' }).eq('id', second)).error).toBeNull();
    const out = await change(clara, targets, 'pending');
    const byId = Object.fromEntries(out.map((o) => [o.id, o.rows.length]));
    expect(byId).toEqual({ [referrals.R1]: 1, [second]: 0 });
    expect(await sql(`select status from public.referrals where id = $1`, [second])).toEqual([{ status: 'eligible' }]);
  });

  it('a referral the person may not change is refused for it alone', async () => {
    // Carl (Safe Haven) selects nothing of Harbor's: his update reaches no row
    const targets = await targetsOf([referrals.R1, second]);
    const out = await change(carl, targets, 'pending');
    expect(out.map((o) => o.rows.length)).toEqual([0, 0]);
    expect(await sql(`select status from public.referrals where id = any($1)`, [[referrals.R1, second]])).toEqual([
      { status: 'not_updated' },
      { status: 'not_updated' },
    ]);
  });
});
