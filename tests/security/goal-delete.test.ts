/**
 * Attack: rewriting referrals one cannot see by deleting the goal they are in.
 * Sam's food goal holds R1 (Helen's referral to Harbor). Carl sees Sam only
 * through R4; deleting the goal would take R1 out of it, move its version and
 * put "Carl D." in R1's history. A seeker could take a referral out of a goal
 * the same way, though seekers may change nothing but status.
 *
 * The rule: goals are added, edited and deleted by staff who see the seeker;
 * a goal holding a referral the caller cannot update as staff stays.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, resetDb, signIn, sql, type Client } from '../support/stack.ts';
import { goals, notes, programs, referrals, seekers, users } from '../db/world.ts';

let carl: Client;
let helen: Client;
let clara: Client;
let dana: Client;
let sam: Client;

beforeAll(async () => {
  await resetDb();
  [carl, helen, clara, dana, sam] = await Promise.all([
    signIn(users.carl.email),
    signIn(users.helen.email),
    signIn(users.clara.email),
    signIn(users.dana.email),
    signIn(users.sam.email),
  ]);
});
beforeEach(resetDb);
afterAll(closeDb);

async function referral(id: string) {
  const [row] = await sql<{ goal_id: string | null; version: number; events: number }>(
    `select r.goal_id, r.version, (select count(*)::int from public.referral_events e where e.referral_id = r.id) as events
       from public.referrals r where r.id = $1`,
    [id],
  );
  return row!;
}

const goalExists = async (id: string) => (await sql('select 1 from public.goals where id = $1', [id])).length === 1;

describe('deleting a goal', () => {
  it('Carl cannot delete a goal that holds a referral he cannot see; R1 is untouched', async () => {
    // Carl sees the goal (he sees Sam) but not R1 inside it
    expect((await carl.from('goals').select('id').eq('id', goals.samFood)).data).toEqual([{ id: goals.samFood }]);
    expect((await carl.from('referrals').select('id').eq('id', referrals.R1)).data).toEqual([]);
    const before = await referral(referrals.R1);

    const { error } = await carl.from('goals').delete().eq('id', goals.samFood);
    expect(error?.code).toBe('42501');
    expect(error?.message).toBe(
      'The goal "Steady food for the month" holds referrals you cannot see, so it cannot be deleted',
    );

    expect(await goalExists(goals.samFood)).toBe(true);
    expect(await referral(referrals.R1)).toEqual(before);
    expect(before.goal_id).toBe(goals.samFood);
    expect(
      await sql(`select 1 from public.referral_events where referral_id = $1 and actor_id = $2`, [
        referrals.R1,
        users.carl.id,
      ]),
    ).toEqual([]);
  });

  it('staff of every referral in the goal delete it: the referrals leave it, history names them', async () => {
    // Helen made R1, the only referral in the food goal
    const before = await referral(referrals.R1);
    const { error } = await helen.from('goals').delete().eq('id', goals.samFood);
    expect(error).toBeNull();
    expect(await goalExists(goals.samFood)).toBe(false);
    const after = await referral(referrals.R1);
    expect(after).toEqual({ goal_id: null, version: before.version + 1, events: before.events + 1 });
    const [event] = await sql<{ event_type: string; actor_display_name: string; from_goal_title: string }>(
      `select event_type, actor_display_name, from_goal_title from public.referral_events
        where referral_id = $1 order by id desc limit 1`,
      [referrals.R1],
    );
    expect(event).toEqual({
      event_type: 'goal_removed',
      actor_display_name: 'Helen H.',
      from_goal_title: 'Steady food for the month',
    });
  });

  it('Helen, who added Sam, cannot delete the work goal either: it holds R4, which she cannot see', async () => {
    const { error } = await helen.from('goals').delete().eq('id', goals.samWork);
    expect(error?.code).toBe('42501');
    expect(await referral(referrals.R4)).toMatchObject({ goal_id: goals.samWork });
    // Dana, claimer of R4's program, may
    expect((await dana.from('goals').delete().eq('id', goals.samWork)).error).toBeNull();
    expect(await referral(referrals.R4)).toMatchObject({ goal_id: null });
  });

  it('an empty goal is deleted by any staff who see the seeker', async () => {
    const { data } = await clara
      .from('goals')
      .insert({ seeker_id: seekers.sam, title: 'Winter coat' })
      .select('id')
      .single();
    expect((await carl.from('goals').delete().eq('id', data!.id).select('id')).data).toEqual([{ id: data!.id }]);
  });
});

describe('a seeker and goals', () => {
  it('Sam sees his goals but cannot delete one, so cannot take R1 out of it', async () => {
    expect((await sam.from('goals').select('id').eq('id', goals.samFood)).data).toEqual([{ id: goals.samFood }]);
    const before = await referral(referrals.R1);
    const { data, error } = await sam.from('goals').delete().eq('id', goals.samFood).select('id');
    expect(error).toBeNull();
    expect(data).toEqual([]);
    expect(await goalExists(goals.samFood)).toBe(true);
    expect(await referral(referrals.R1)).toEqual(before);
  });

  it('Sam cannot add or rename goals', async () => {
    const add = await sam.from('goals').insert({ seeker_id: seekers.sam, title: 'Mine' });
    expect(add.error?.code).toBe('42501');
    const rename = await sam.from('goals').update({ title: 'Renamed' }).eq('id', goals.samFood).select('id');
    expect(rename.data).toEqual([]);
    const [goal] = await sql<{ title: string }>('select title from public.goals where id = $1', [goals.samFood]);
    expect(goal!.title).toBe('Steady food for the month');
  });

  it('Sam cannot move his referral between goals directly either; he may still change its status', async () => {
    const move = await sam.from('referrals').update({ goal_id: goals.samWork }).eq('id', referrals.R1);
    expect(move.error?.code).toBe('42501');
    const status = await sam.from('referrals').update({ status: 'got_help' }).eq('id', referrals.R1).select('status');
    expect(status.data).toEqual([{ status: 'got_help' }]);
  });
});

describe("other writes into a referral's history", () => {
  it("a note's author who no longer works on the referral cannot delete the note (and write its history)", async () => {
    await sql('delete from public.program_members where program_id = $1 and user_id = $2', [
      programs.safeHaven,
      users.carl.id,
    ]);
    const { data, error } = await carl.from('referral_notes').delete().eq('id', notes.onR2ByCarl).select('id');
    expect(error).toBeNull();
    expect(data).toEqual([]);
    expect(await sql('select 1 from public.referral_notes where id = $1', [notes.onR2ByCarl])).toHaveLength(1);
    expect(await sql(`select 1 from public.referral_events where event_type = 'note_deleted'`)).toEqual([]);
  });

  it('while on the referral, the author deletes it and the history records that', async () => {
    const { data } = await carl.from('referral_notes').delete().eq('id', notes.onR2ByCarl).select('id');
    expect(data).toEqual([{ id: notes.onR2ByCarl }]);
    const [event] = await sql(
      `select actor_display_name from public.referral_events where event_type = 'note_deleted'`,
    );
    expect(event).toEqual({ actor_display_name: 'Carl D.' });
  });
});
