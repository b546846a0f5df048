/**
 * Every write a client can attempt, allowed and refused, through the API as
 * the seeded people. Each test starts from the seeded world.
 */
import type { SupabaseClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, resetDb, serviceClient, signIn, sql, type Client } from '../support/stack.ts';
import { goals, notes, personas, programs, referrals, seekers, sites, users, type Persona } from './world.ts';

const clients = {} as Record<Persona, Client>;

async function statusOf(id: string): Promise<{ status: string; version: number }> {
  const [row] = await sql<{ status: string; version: number }>(
    'select status, version from public.referrals where id = $1',
    [id],
  );
  return row!;
}

async function eventCount(id: string): Promise<number> {
  const [row] = await sql<{ n: number }>(
    'select count(*)::int as n from public.referral_events where referral_id = $1',
    [id],
  );
  return row!.n;
}

beforeAll(async () => {
  await resetDb();
  for (const p of personas) clients[p] = await signIn(users[p].email);
});
beforeEach(resetDb);
afterAll(closeDb);

describe('referral status', () => {
  // party → a referral they may update, by the rule that lets them
  const allowed: [Persona, keyof typeof referrals, string][] = [
    ['helen', 'R1', 'the referrer (rule 1)'],
    ['henry', 'R1', 'a worker of the sharing site it came from (rule 2)'],
    ['cody', 'R3', 'a claimer of the sharing program it came from (rule 2)'],
    ['clara', 'R1', 'a claimer of the receiving program (rule 3)'],
    ['dana', 'R4', 'a claimer of the receiving program (rule 3)'],
    ['carl', 'R2', 'a claimer of the receiving program (rule 3)'],
    ['wendy', 'R2', 'the referrer (rule 1)'],
    ['sam', 'R1', 'the seeker (rule 4)'],
  ];
  it.each(allowed)('%s may update %s as %s, and history records it', async (who, ref, _why) => {
    const before = await statusOf(referrals[ref]);
    const events = await eventCount(referrals[ref]);
    const { data, error } = await clients[who]
      .from('referrals')
      .update({ status: 'got_help' })
      .eq('id', referrals[ref])
      .select('status, version');
    expect(error).toBeNull();
    expect(data).toEqual([{ status: 'got_help', version: before.version + 1 }]);
    expect(await eventCount(referrals[ref])).toBe(events + 1);
  });

  const refused: [Persona, keyof typeof referrals][] = [
    ['walter', 'R2'], // same site as the referrer, but Westside does not share
    ['dana', 'R2'], // Westside worker too: no sharing
    ['wendy', 'R1'],
    ['carl', 'R1'],
    ['helen', 'R4'],
    ['sam', 'R2'], // not his referral
    ['clara', 'R4'], // Harbor's sharing covers only what Harbor sends
  ];
  it.each(refused)('%s may not update %s: nothing changes', async (who, ref) => {
    const before = await statusOf(referrals[ref]);
    const { data, error } = await clients[who]
      .from('referrals')
      .update({ status: 'got_help' })
      .eq('id', referrals[ref])
      .select('id');
    expect(error).toBeNull();
    expect(data).toEqual([]);
    expect(await statusOf(referrals[ref])).toEqual(before);
  });

  it('refuses an unknown status with an enum error', async () => {
    const { error } = await clients.helen
      .from('referrals')
      .update({ status: 'done' as never })
      .eq('id', referrals.R1);
    expect(error?.code).toBe('22P02');
    expect((await statusOf(referrals.R1)).status).toBe('not_updated');
  });

  it('a version-guarded update applies once and refuses a stale version', async () => {
    const { version } = await statusOf(referrals.R1);
    const first = await clients.clara
      .from('referrals')
      .update({ status: 'pending' })
      .eq('id', referrals.R1)
      .eq('version', version)
      .select('version');
    expect(first.error).toBeNull();
    expect(first.data).toEqual([{ version: version + 1 }]);
    const stale = await clients.helen
      .from('referrals')
      .update({ status: 'couldnt_contact' })
      .eq('id', referrals.R1)
      .eq('version', version)
      .select('version');
    expect(stale.error).toBeNull();
    expect(stale.data).toEqual([]);
    expect(await statusOf(referrals.R1)).toEqual({ status: 'pending', version: version + 1 });
  });
});

describe('referral columns outside the grant', () => {
  const columns: [string, Record<string, unknown>][] = [
    ['comment', { comment: 'changed' }],
    ['program_id', { program_id: programs.safeHaven }],
    ['seeker_id', { seeker_id: seekers.rita }],
    ['referred_by', { referred_by: users.henry.id }],
    ['from_site_id', { from_site_id: sites.westside }],
    ['version', { version: 99 }],
    ['created_at', { created_at: '2020-01-01T00:00:00Z' }],
  ];
  it.each(columns)('the referrer may not change %s', async (_col, patch) => {
    const { error } = await clients.helen
      .from('referrals')
      .update(patch as never)
      .eq('id', referrals.R1);
    expect(error?.code).toBe('42501');
    const [row] = await sql(
      'select comment, program_id, seeker_id, referred_by, version from public.referrals where id = $1',
      [referrals.R1],
    );
    expect(row).toMatchObject({
      program_id: programs.harbor,
      seeker_id: seekers.sam,
      referred_by: users.helen.id,
      version: 1,
    });
  });

  it('staff may move a referral to another goal of the same seeker, and remove it', async () => {
    const moved = await clients.carl
      .from('referrals')
      .update({ goal_id: goals.samFood })
      .eq('id', referrals.R4)
      .select('goal_id');
    expect(moved.error).toBeNull();
    expect(moved.data).toEqual([{ goal_id: goals.samFood }]);
    const removed = await clients.dana
      .from('referrals')
      .update({ goal_id: null })
      .eq('id', referrals.R4)
      .select('goal_id');
    expect(removed.error).toBeNull();
    expect(removed.data).toEqual([{ goal_id: null }]);
  });

  it('the seeker may not change the goal of their referral', async () => {
    const { error } = await clients.sam.from('referrals').update({ goal_id: goals.samWork }).eq('id', referrals.R1);
    expect(error?.code).toBe('42501');
    const [row] = await sql<{ goal_id: string }>('select goal_id from public.referrals where id = $1', [referrals.R1]);
    expect(row!.goal_id).toBe(goals.samFood);
  });

  it('a goal of another seeker is refused', async () => {
    // R2 is Rita's; Sam's goal cannot hold it
    const { error } = await clients.wendy.from('referrals').update({ goal_id: goals.samFood }).eq('id', referrals.R2);
    expect(error?.code).toBe('23503');
    const [row] = await sql<{ goal_id: string | null }>('select goal_id from public.referrals where id = $1', [
      referrals.R2,
    ]);
    expect(row!.goal_id).toBeNull();
  });
});

describe('making a referral', () => {
  it('a one-membership referrer gets their organisation by default', async () => {
    const { data, error } = await clients.helen
      .from('referrals')
      .insert({ seeker_id: seekers.sam, program_id: programs.safeHaven, comment: 'Needs housing help too.' })
      .select('from_site_id, from_program_id, referred_by, referred_by_name, status, version')
      .single();
    expect(error).toBeNull();
    expect(data).toEqual({
      from_site_id: sites.eastside,
      from_program_id: null,
      referred_by: users.helen.id,
      referred_by_name: 'Helen H.',
      status: 'not_updated',
      version: 1,
    });
  });

  it('the referrer’s name is set from their profile, and a claimer of the receiving program reads it', async () => {
    const named = await clients.helen
      .from('referrals')
      .insert({ seeker_id: seekers.sam, program_id: programs.safeHaven, referred_by_name: 'Dr. Somebody' } as never);
    expect(named.error?.code).toBe('42501');
    const made = await clients.helen
      .from('referrals')
      .insert({ seeker_id: seekers.sam, program_id: programs.safeHaven })
      .select('id')
      .single();
    expect(made.error).toBeNull();
    const seen = await clients.carl.from('referrals').select('referred_by_name').eq('id', made.data!.id).single();
    expect(seen.data).toEqual({ referred_by_name: 'Helen H.' });
    // while Helen's profile stays hidden from him
    const profile = await clients.carl.from('profiles').select('id').eq('id', users.helen.id);
    expect(profile.data).toEqual([]);
    // the seeded referrals carry it too
    const r1 = await clients.clara.from('referrals').select('referred_by_name').eq('id', referrals.R1).single();
    expect(r1.data).toEqual({ referred_by_name: 'Helen H.' });
  });

  it('a referrer with several organisations must choose one', async () => {
    const { error } = await clients.dana
      .from('referrals')
      .insert({ seeker_id: seekers.omar, program_id: programs.harbor });
    expect(error?.code).toBe('23514');
    const chosen = await clients.dana
      .from('referrals')
      .insert({ seeker_id: seekers.omar, program_id: programs.harbor, from_program_id: programs.brightFutures })
      .select('from_program_id')
      .single();
    expect(chosen.error).toBeNull();
    expect(chosen.data).toEqual({ from_program_id: programs.brightFutures });
  });

  it('a referral from an organisation the referrer does not belong to is refused', async () => {
    const before = await sql('select count(*)::int as n from public.referrals');
    const site = await clients.helen
      .from('referrals')
      .insert({ seeker_id: seekers.sam, program_id: programs.safeHaven, from_site_id: sites.westside });
    expect(site.error?.code).toBe('42501');
    const program = await clients.helen
      .from('referrals')
      .insert({ seeker_id: seekers.sam, program_id: programs.safeHaven, from_program_id: programs.harbor });
    expect(program.error?.code).toBe('42501');
    expect(await sql('select count(*)::int as n from public.referrals')).toEqual(before);
  });

  it('nobody can refer in someone else’s name', async () => {
    const { error } = await clients.helen
      .from('referrals')
      .insert({ seeker_id: seekers.sam, program_id: programs.safeHaven, referred_by: users.henry.id } as never);
    expect(error?.code).toBe('42501');
  });

  it('a seeker the referrer cannot see cannot be referred', async () => {
    const { error } = await clients.walter
      .from('referrals')
      .insert({ seeker_id: seekers.rita, program_id: programs.harbor });
    expect(error?.code).toBe('42501');
  });

  it('a seeker account cannot make referrals', async () => {
    const { error } = await clients.sam
      .from('referrals')
      .insert({ seeker_id: seekers.sam, program_id: programs.harbor });
    expect(error).not.toBeNull();
  });

  it('an over-long comment is refused with a constraint error', async () => {
    const { error } = await clients.helen
      .from('referrals')
      .insert({ seeker_id: seekers.sam, program_id: programs.safeHaven, comment: 'x'.repeat(2001) });
    expect(error?.code).toBe('23514');
  });
});

describe('notes', () => {
  it('staff with access add notes, stamped with their name and organisation', async () => {
    const { data, error } = await clients.henry
      .from('referral_notes')
      .insert({ referral_id: referrals.R1, body: 'Called Sam, he will go on Friday.' })
      .select('author_id, author_display_name, author_organization, body')
      .single();
    expect(error).toBeNull();
    expect(data).toEqual({
      author_id: users.henry.id,
      author_display_name: 'Henry H.',
      author_organization: 'Eastside Community Clinic',
      body: 'Called Sam, he will go on Friday.',
    });
  });

  const refused: [Persona, keyof typeof referrals][] = [
    ['walter', 'R2'],
    ['wendy', 'R1'],
    ['sam', 'R1'], // seekers do not take part in staff notes
  ];
  it.each(refused)('%s may not add a note to %s', async (who, ref) => {
    const { error } = await clients[who].from('referral_notes').insert({ referral_id: referrals[ref], body: 'hello' });
    expect(error?.code).toBe('42501');
  });

  it('an empty or over-long note is refused with a constraint error', async () => {
    for (const body of ['', 'x'.repeat(4001)]) {
      const { error } = await clients.helen.from('referral_notes').insert({ referral_id: referrals.R1, body });
      expect(error?.code).toBe('23514');
    }
  });

  it('nobody can edit a note, not even its author', async () => {
    const { error } = await clients.helen.from('referral_notes').update({ body: 'edited' }).eq('id', notes.onR1ByHelen);
    expect(error?.code).toBe('42501');
    const [row] = await sql<{ body: string }>('select body from public.referral_notes where id = $1', [
      notes.onR1ByHelen,
    ]);
    expect(row!.body).toBe('Sam has no car; the pantry is on the 4 bus line.');
  });

  it('others with access cannot delete a note', async () => {
    for (const who of ['henry', 'clara', 'cody'] as const) {
      const { data, error } = await clients[who]
        .from('referral_notes')
        .delete()
        .eq('id', notes.onR1ByHelen)
        .select('id');
      expect(error).toBeNull();
      expect(data).toEqual([]);
    }
    expect(await sql('select id from public.referral_notes where id = $1', [notes.onR1ByHelen])).toHaveLength(1);
  });

  it('the author deletes their note and the history keeps that it happened', async () => {
    const { data, error } = await clients.helen
      .from('referral_notes')
      .delete()
      .eq('id', notes.onR1ByHelen)
      .select('id');
    expect(error).toBeNull();
    expect(data).toEqual([{ id: notes.onR1ByHelen }]);
    const events = await sql<{ event_type: string; note_id: string; actor_display_name: string }>(
      `select event_type, note_id, actor_display_name from public.referral_events
        where referral_id = $1 and event_type::text like 'note_%' order by id`,
      [referrals.R1],
    );
    expect(events).toEqual([
      { event_type: 'note_added', note_id: notes.onR1ByHelen, actor_display_name: 'Helen H.' },
      { event_type: 'note_deleted', note_id: notes.onR1ByHelen, actor_display_name: 'Helen H.' },
    ]);
  });
});

describe('history cannot be written by clients', () => {
  const row = {
    referral_id: referrals.R1,
    seeker_id: seekers.sam,
    event_type: 'created',
    actor_display_name: 'Mallory M.',
  } as never;

  it.each(['helen', 'clara', 'sam'] as const)('%s cannot insert, edit or delete history', async (who) => {
    const before = await sql('select * from public.referral_events order by id');
    const ins = await clients[who].from('referral_events').insert(row);
    expect(ins.error?.code).toBe('42501');
    const upd = await clients[who]
      .from('referral_events')
      .update({ actor_display_name: 'Mallory M.' })
      .eq('referral_id', referrals.R1);
    expect(upd.error?.code).toBe('42501');
    const del = await clients[who].from('referral_events').delete().eq('referral_id', referrals.R1);
    expect(del.error?.code).toBe('42501');
    expect(await sql('select * from public.referral_events order by id')).toEqual(before);
  });

  it('not even the service role', async () => {
    const svc = serviceClient();
    expect((await svc.from('referral_events').insert(row)).error?.code).toBe('42501');
    expect(
      (await svc.from('referral_events').update({ actor_display_name: 'x' }).eq('referral_id', referrals.R1)).error
        ?.code,
    ).toBe('42501');
    expect((await svc.from('referral_events').delete().eq('referral_id', referrals.R1)).error?.code).toBe('42501');
  });

  it('and an admin in SQL cannot rewrite it either', async () => {
    await expect(
      sql(`update public.referral_events set actor_display_name = 'x' where referral_id = $1`, [referrals.R1]),
    ).rejects.toThrow(/history cannot be changed/);
    await expect(sql(`delete from public.referral_events where referral_id = $1`, [referrals.R1])).rejects.toThrow(
      /history cannot be changed/,
    );
  });
});

describe('seekers and goals', () => {
  it('staff add a seeker from their organisation', async () => {
    const { data, error } = await clients.walter
      .from('seekers')
      .insert({ first_name: 'Pat', last_name: 'Perez', zip: '78702', phone: '(512) 555-0150', preferred_contact: 'text' })
      .select('created_by, created_from_site_id, created_from_program_id')
      .single();
    expect(error).toBeNull();
    expect(data).toEqual({
      created_by: users.walter.id,
      created_from_site_id: sites.westside,
      created_from_program_id: null,
    });
  });

  it('a seeker cannot be added from an organisation the user does not belong to', async () => {
    const { error } = await clients.walter
      .from('seekers')
      .insert({ first_name: 'Pat', preferred_contact: 'phone', created_from_program_id: programs.harbor });
    expect(error?.code).toBe('42501');
  });

  it('invalid zip and over-long names are refused with constraint errors', async () => {
    expect((await clients.helen.from('seekers').insert({ first_name: 'Pat', zip: '7870', preferred_contact: 'phone' })).error?.code).toBe('23514');
    expect((await clients.helen.from('seekers').insert({ first_name: 'x'.repeat(101), preferred_contact: 'phone' })).error?.code).toBe('23514');
  });

  it('a seeker updates how they are reached, but not their name', async () => {
    const ok = await clients.sam
      .from('seekers')
      .update({ preferred_contact: 'text' })
      .eq('id', seekers.sam)
      .select('preferred_contact');
    expect(ok.error).toBeNull();
    expect(ok.data).toEqual([{ preferred_contact: 'text' }]);
    const name = await clients.sam.from('seekers').update({ first_name: 'Samuel' }).eq('id', seekers.sam);
    expect(name.error?.code).toBe('42501');
  });

  it('staff with access update a seeker; others change nothing', async () => {
    const ok = await clients.clara
      .from('seekers')
      .update({ phone: '(512) 555-0000' })
      .eq('id', seekers.omar)
      .select('phone');
    expect(ok.data).toEqual([{ phone: '(512) 555-0000' }]);
    const no = await clients.walter
      .from('seekers')
      .update({ phone: '(512) 555-0000' })
      .eq('id', seekers.rita)
      .select('id');
    expect(no.error).toBeNull();
    expect(no.data).toEqual([]);
  });

  it('nobody links a seeker record to an account through the API', async () => {
    const { error } = await clients.helen
      .from('seekers')
      .update({ user_id: users.helen.id } as never)
      .eq('id', seekers.sam);
    expect(error?.code).toBe('42501');
  });

  it('whoever can see a seeker adds a goal; others cannot', async () => {
    const ok = await clients.clara
      .from('goals')
      .insert({ seeker_id: seekers.sam, title: 'Winter coat' })
      .select('title')
      .single();
    expect(ok.error).toBeNull();
    const no = await clients.walter.from('goals').insert({ seeker_id: seekers.sam, title: 'Winter coat' });
    expect(no.error?.code).toBe('42501');
  });

  it('deleting a goal takes its referrals out of it and records that', async () => {
    // Dana receives R4, the goal's only referral (who may delete which goal: tests/security/goal-delete.test.ts)
    const { error } = await clients.dana.from('goals').delete().eq('id', goals.samWork);
    expect(error).toBeNull();
    const [r4] = await sql<{ goal_id: string | null }>('select goal_id from public.referrals where id = $1', [
      referrals.R4,
    ]);
    expect(r4!.goal_id).toBeNull();
    const [ev] = await sql<{ event_type: string; from_goal_title: string; actor_display_name: string }>(
      `select event_type, from_goal_title, actor_display_name from public.referral_events
        where referral_id = $1 order by id desc limit 1`,
      [referrals.R4],
    );
    expect(ev).toEqual({
      event_type: 'goal_removed',
      from_goal_title: 'Find full-time work',
      actor_display_name: 'Dana D.',
    });
  });
});

describe('organisations and memberships are admin-only', () => {
  it.each(['helen', 'clara'] as const)('%s cannot switch team sharing or add members', async (who) => {
    const share = await clients[who].from('sites').update({ team_sharing: false }).eq('id', sites.eastside);
    expect(share.error?.code).toBe('42501');
    const join = await clients[who]
      .from('program_members')
      .insert({ program_id: programs.safeHaven, user_id: users[who].id });
    expect(join.error?.code).toBe('42501');
    const prog = await clients[who].from('programs').update({ team_sharing: true }).eq('id', programs.safeHaven);
    expect(prog.error?.code).toBe('42501');
  });
});

describe('user, site and program ids are distinct', () => {
  // The policies compare a referral's referrer, sending site and sending
  // program with one array of the caller's ids; that is only the rule while no
  // two of them share an id, which private.principal_ids guarantees.
  it('a program cannot take the id of a site or a user, and a site not that of a program', async () => {
    const admin = serviceClient();
    const asSite = await admin.from('programs').insert({ id: sites.eastside, name: 'Copy of Eastside', zip: '78702' });
    expect(asSite.error?.code).toBe('23505');
    expect(asSite.error?.message).toMatch(/already used by a site/);
    const asUser = await admin.from('programs').insert({ id: users.helen.id, name: 'Helen’s program', zip: '78702' });
    expect(asUser.error?.code).toBe('23505');
    expect(asUser.error?.message).toMatch(/already used by a user/);
    const asProgram = await admin.from('sites').insert({ id: programs.harbor, name: 'Copy of Harbor' });
    expect(asProgram.error?.code).toBe('23505');
    expect(asProgram.error?.message).toMatch(/already used by a program/);
    const [{ n }] = await sql<{ n: number }>('select count(*)::int as n from public.programs where id in ($1, $2)', [
      sites.eastside,
      users.helen.id,
    ]);
    expect(n).toBe(0);
  });

  it('new organisations are registered, and a deleted one frees its id', async () => {
    const admin = serviceClient();
    const created = await admin.from('sites').insert({ name: 'Northside Library' }).select('id').single();
    expect(created.error).toBeNull();
    const id = created.data!.id as string;
    const kind = async () =>
      (await sql<{ kind: string }>('select kind from private.principal_ids where id = $1', [id]))[0]?.kind;
    expect(await kind()).toBe('site');
    expect((await admin.from('sites').delete().eq('id', id)).error).toBeNull();
    expect(await kind()).toBeUndefined();
    const again = await admin.from('programs').insert({ id, name: 'Northside Pantry', zip: '78702' });
    expect(again.error).toBeNull();
    expect(await kind()).toBe('program');
  });

  it('every seeded user, site and program is registered once', async () => {
    const [row] = await sql<{ missing: number }>(
      `select count(*)::int as missing from (
         select id from auth.users union all select id from public.sites union all select id from public.programs
         except all select id from private.principal_ids) m`,
    );
    expect(row!.missing).toBe(0);
  });

  it('a signed-in user cannot read the registry', async () => {
    // not an exposed schema: PostgREST refuses to serve it at all
    const untyped = clients.helen as unknown as SupabaseClient;
    const { data, error } = await untyped.schema('private').from('principal_ids').select('id');
    expect(data).toBeNull();
    expect(error?.code).toBe('PGRST106');
  });
});
