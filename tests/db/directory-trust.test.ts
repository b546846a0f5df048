/**
 * Capacity, freshness and reports of wrong information, through the API as the
 * seeded people: who may set what (allowed and refused), stale capacity shown
 * as unknown, the search filter and ranking, the history entry of a referral
 * made to a program that is not accepting, and who sees which report.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, resetDb, signIn, sql, type Client } from '../support/stack.ts';
import { personas, programs, seekers, users, type Persona } from './world.ts';

const clients = {} as Record<Persona, Client>;

async function program(id: string) {
  const [row] = await sql<{
    capacity: string;
    capacity_wait: string | null;
    capacity_updated_by: string | null;
    capacity_updated_at: Date | null;
    verified_at: Date | null;
    verified_by: string | null;
    phone: string | null;
    name: string;
    team_sharing: boolean;
  }>(
    `select capacity, capacity_wait, capacity_updated_by, capacity_updated_at, verified_at, verified_by, phone, name, team_sharing
       from public.programs where id = $1`,
    [id],
  );
  return row!;
}

beforeAll(async () => {
  await resetDb();
  for (const p of personas) clients[p] = await signIn(users[p].email);
});
beforeEach(resetDb);
afterAll(closeDb);

describe('capacity', () => {
  it('a claimer sets their program on a waitlist with a wait band; the stamps are theirs', async () => {
    const { data, error } = await clients.clara
      .from('programs')
      .update({ capacity: 'waitlist', capacity_wait: 'about 2 weeks' })
      .eq('id', programs.harbor)
      .select('capacity, capacity_wait, capacity_updated_by');
    expect(error).toBeNull();
    expect(data).toEqual([
      { capacity: 'waitlist', capacity_wait: 'about 2 weeks', capacity_updated_by: users.clara.id },
    ]);
    const row = await program(programs.harbor);
    expect(Date.now() - row.capacity_updated_at!.getTime()).toBeLessThan(60_000);
  });

  it('moving off the waitlist clears the wait band', async () => {
    await clients.clara
      .from('programs')
      .update({ capacity: 'waitlist', capacity_wait: 'about 2 weeks' })
      .eq('id', programs.harbor);
    await clients.clara.from('programs').update({ capacity: 'accepting' }).eq('id', programs.harbor);
    expect(await program(programs.harbor)).toMatchObject({ capacity: 'accepting', capacity_wait: null });
  });

  const outsiders: Persona[] = ['helen', 'wendy', 'carl', 'sam'];
  it.each(outsiders)('%s, not a claimer of Harbor, cannot change its capacity', async (who) => {
    const { data, error } = await clients[who]
      .from('programs')
      .update({ capacity: 'not_accepting' })
      .eq('id', programs.harbor)
      .select('id');
    // RLS filters the row out of the update: nothing changes
    expect(error).toBeNull();
    expect(data).toEqual([]);
    expect((await program(programs.harbor)).capacity).toBe('unknown');
  });

  it('a claimer cannot choose the stamps, the name or team sharing', async () => {
    const before = await program(programs.harbor);
    for (const patch of [
      { capacity_updated_at: '2020-01-01T00:00:00Z' },
      { capacity_updated_by: users.helen.id },
      { verified_by: users.helen.id },
      { name: 'Renamed' },
      { team_sharing: true },
    ]) {
      const { error } = await clients.clara.from('programs').update(patch).eq('id', programs.harbor);
      expect(error?.code, JSON.stringify(patch)).toBe('42501');
    }
    expect(await program(programs.harbor)).toEqual(before);
  });

  it('a wait band without a waitlist, or an over-long one, is refused with a clear error', async () => {
    const { error } = await clients.clara
      .from('programs')
      .update({ capacity: 'waitlist', capacity_wait: 'x'.repeat(61) })
      .eq('id', programs.harbor);
    expect(error?.code).toBe('23514');
    expect(error?.message).toContain('programs_capacity_wait_check');
  });

  it('capacity set more than 30 days ago shows as unknown in search, and the filter leaves it out', async () => {
    await clients.clara.from('programs').update({ capacity: 'accepting' }).eq('id', programs.harbor);
    const fresh = await clients.helen.rpc('search_programs', { zip: '78702', accepting_only: true });
    expect(fresh.error).toBeNull();
    expect(fresh.data!.map((p) => p.id)).toEqual([programs.harbor]);
    expect(fresh.data![0]).toMatchObject({ capacity: 'accepting' });

    // an admin back-dates it (Studio): 31 days old
    await sql(`update public.programs set capacity_updated_at = now() - interval '31 days' where id = $1`, [
      programs.harbor,
    ]);
    const stale = await clients.helen.rpc('search_programs', { zip: '78702' });
    expect(stale.data!.find((p) => p.id === programs.harbor)).toMatchObject({ capacity: 'unknown' });
    const filtered = await clients.helen.rpc('search_programs', { zip: '78702', accepting_only: true });
    expect(filtered.data).toEqual([]);
  });

  it('at the same distance, a program not accepting comes after the others', async () => {
    // Harbor and Safe Haven: put both in the same ZIP code, then mark Harbor full
    await sql(`update public.programs set zip = '78702' where id = any($1)`, [[programs.harbor, programs.safeHaven]]);
    const before = await clients.helen.rpc('search_programs', { zip: '78702' });
    const names = (rows: typeof before.data) => rows!.filter((p) => p.distance_miles === 0).map((p) => p.id);
    expect(names(before.data)).toEqual([programs.harbor, programs.safeHaven]); // by name
    await clients.clara.from('programs').update({ capacity: 'not_accepting' }).eq('id', programs.harbor);
    const after = await clients.helen.rpc('search_programs', { zip: '78702' });
    expect(names(after.data)).toEqual([programs.safeHaven, programs.harbor]);
  });

  it("a referral to a program that is not accepting records that in the referral's history", async () => {
    await clients.carl.from('programs').update({ capacity: 'not_accepting' }).eq('id', programs.safeHaven);
    const made = await clients.helen
      .from('referrals')
      .insert({ seeker_id: seekers.sam, program_id: programs.safeHaven })
      .select('id')
      .single();
    expect(made.error).toBeNull();
    const { data: events } = await clients.helen
      .from('referral_events')
      .select('event_type, actor_id')
      .eq('referral_id', made.data!.id)
      .order('id');
    expect(events).toEqual([
      { event_type: 'created', actor_id: users.helen.id },
      { event_type: 'referred_not_accepting', actor_id: users.helen.id },
    ]);

    // accepting (or waitlisted) programs: no such entry
    const other = await clients.helen
      .from('referrals')
      .insert({ seeker_id: seekers.sam, program_id: programs.harbor })
      .select('id')
      .single();
    const { data: plain } = await clients.helen
      .from('referral_events')
      .select('event_type')
      .eq('referral_id', other.data!.id);
    expect(plain).toEqual([{ event_type: 'created' }]);
  });
});

describe('freshness and claimer edits', () => {
  it('a claimer confirms the listing: verified now, by them', async () => {
    const { error } = await clients.cody
      .from('programs')
      .update({ verified_at: new Date().toISOString() })
      .eq('id', programs.harbor);
    expect(error).toBeNull();
    const row = await program(programs.harbor);
    expect(row.verified_by).toBe(users.cody.id);
    expect(Date.now() - row.verified_at!.getTime()).toBeLessThan(60_000);
  });

  it('a claimer edits the phone number: also counts as checked, and a client-chosen time is ignored', async () => {
    const { error } = await clients.clara
      .from('programs')
      .update({ phone: '(512) 555-0199', verified_at: '2001-01-01T00:00:00Z' })
      .eq('id', programs.harbor);
    expect(error).toBeNull();
    const row = await program(programs.harbor);
    expect(row).toMatchObject({ phone: '(512) 555-0199', verified_by: users.clara.id });
    expect(row.verified_at!.getFullYear()).toBeGreaterThan(2001);
  });

  it("a claimer cannot edit another program's listing", async () => {
    const { data } = await clients.clara
      .from('programs')
      .update({ phone: '000' })
      .eq('id', programs.safeHaven)
      .select('id');
    expect(data).toEqual([]);
    expect((await program(programs.safeHaven)).phone).not.toBe('000');
  });
});

describe('reports of wrong information', () => {
  async function report(who: Persona, programId = programs.harbor) {
    return clients[who]
      .from('program_reports')
      .insert({ program_id: programId, reason: 'phone', details: 'The number rings a fax machine.' })
      .select('id, status, reporter_name, reported_by')
      .single();
  }

  it('staff report; the reporter is always the caller, named for the claimers', async () => {
    const { data, error } = await report('helen');
    expect(error).toBeNull();
    expect(data).toMatchObject({ status: 'open', reporter_name: 'Helen H.', reported_by: users.helen.id });
  });

  it('a seeker cannot report', async () => {
    const { error } = await report('sam');
    expect(error?.code).toBe('42501');
  });

  it('a report cannot be made in someone else’s name or already resolved', async () => {
    const { error } = await clients.helen
      .from('program_reports')
      .insert({ program_id: programs.harbor, reason: 'phone', reported_by: users.wendy.id } as never);
    expect(error?.code).toBe('42501');
    const resolved = await clients.helen
      .from('program_reports')
      .insert({ program_id: programs.harbor, reason: 'phone', status: 'resolved' } as never);
    expect(resolved.error?.code).toBe('42501');
  });

  it('"other" needs words, and a duplicate open report is refused', async () => {
    const other = await clients.helen.from('program_reports').insert({ program_id: programs.harbor, reason: 'other' });
    expect(other.error?.code).toBe('23514');
    await report('helen');
    const again = await report('helen');
    expect(again.error?.code).toBe('23505');
  });

  it("the queue: the program's claimers and the reporter see a report; nobody else does", async () => {
    const { data } = await report('helen');
    const id = data!.id;
    const sees = async (who: Persona) =>
      ((await clients[who].from('program_reports').select('id').eq('id', id)).data ?? []).length === 1;
    expect(await sees('helen')).toBe(true);
    expect(await sees('clara')).toBe(true);
    expect(await sees('cody')).toBe(true);
    for (const who of ['henry', 'wendy', 'carl', 'dana', 'sam'] as Persona[]) expect(await sees(who), who).toBe(false);
  });

  it('a claimer resolves it once; the reporter sees the outcome; others cannot resolve', async () => {
    const { data } = await report('helen');
    const id = data!.id;
    for (const who of ['helen', 'carl', 'wendy'] as Persona[]) {
      const { data: none } = await clients[who]
        .from('program_reports')
        .update({ status: 'dismissed' })
        .eq('id', id)
        .select('id');
      expect(none, who).toEqual([]);
    }
    const done = await clients.clara
      .from('program_reports')
      .update({ status: 'resolved', resolution_note: 'Phone number corrected.' })
      .eq('id', id)
      .select('status, resolved_by')
      .single();
    expect(done.error).toBeNull();
    expect(done.data).toEqual({ status: 'resolved', resolved_by: users.clara.id });

    const seen = await clients.helen
      .from('program_reports')
      .select('status, resolution_note, resolved_at')
      .eq('id', id)
      .single();
    expect(seen.data).toMatchObject({ status: 'resolved', resolution_note: 'Phone number corrected.' });
    expect(seen.data!.resolved_at).not.toBeNull();

    const twice = await clients.cody.from('program_reports').update({ status: 'dismissed' }).eq('id', id);
    expect(twice.error?.code).toBe('P0001');
    expect(twice.error?.message).toBe('This report has already been resolved');
  });

  it('a claimer cannot move a report to another program or rewrite what was reported', async () => {
    const { data } = await report('helen');
    const moved = await clients.clara
      .from('program_reports')
      .update({ program_id: programs.safeHaven } as never)
      .eq('id', data!.id);
    expect(moved.error?.code).toBe('42501');
    const rewritten = await clients.clara
      .from('program_reports')
      .update({ details: 'nothing' } as never)
      .eq('id', data!.id);
    expect(rewritten.error?.code).toBe('42501');
  });

  it('unrelated history stays as it was (reports touch no referral)', async () => {
    const [before] = await sql<{ n: number }>('select count(*)::int as n from public.referral_events');
    await report('helen');
    const [after] = await sql<{ n: number }>('select count(*)::int as n from public.referral_events');
    expect(after!.n).toBe(before!.n);
  });
});
