/**
 * History: every creation, status change, note and goal change is recorded
 * by triggers with the time and the actor as "First L." plus organisation
 * (site for a worker, program for a claimer, the one joined first for
 * someone who is both, none for a seeker).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, resetDb, signIn, sql, type Client } from '../support/stack.ts';
import { goals, programs, referrals, seekers, sites, users } from './world.ts';

interface Event {
  event_type: string;
  actor_id: string | null;
  actor_display_name: string;
  actor_organization: string | null;
  from_status: string | null;
  to_status: string | null;
  from_goal_title: string | null;
  to_goal_title: string | null;
}

async function lastEvent(client: Client, referralId: string): Promise<Event> {
  const { data, error } = await client
    .from('referral_events')
    .select(
      'event_type, actor_id, actor_display_name, actor_organization, from_status, to_status, from_goal_title, to_goal_title',
    )
    .eq('referral_id', referralId)
    .order('id', { ascending: false })
    .limit(1)
    .single();
  if (error) throw new Error(JSON.stringify(error));
  return data as Event;
}

describe('referral history', () => {
  let helen: Client, clara: Client, dana: Client, sam: Client, carl: Client;

  beforeAll(async () => {
    await resetDb();
    [helen, clara, dana, sam, carl] = await Promise.all(
      [users.helen, users.clara, users.dana, users.sam, users.carl].map((u) => signIn(u.email)),
    );
  });
  beforeEach(resetDb);
  afterAll(closeDb);

  it('the seeded history reads as the people who acted', async () => {
    const { data } = await carl
      .from('referral_events')
      .select('event_type, actor_display_name, actor_organization, from_status, to_status')
      .eq('referral_id', referrals.R4)
      .order('id');
    expect(data).toEqual([
      {
        event_type: 'created',
        actor_display_name: 'Carl D.',
        actor_organization: 'Safe Haven Housing',
        from_status: null,
        to_status: 'not_updated',
      },
      {
        event_type: 'status_changed',
        actor_display_name: 'Dana D.',
        actor_organization: 'Bright Futures Job Training',
        from_status: 'not_updated',
        to_status: 'eligible',
      },
      {
        event_type: 'goal_added',
        actor_display_name: 'Dana D.',
        actor_organization: 'Bright Futures Job Training',
        from_status: null,
        to_status: null,
      },
      {
        event_type: 'note_added',
        actor_display_name: 'Dana D.',
        actor_organization: 'Bright Futures Job Training',
        from_status: null,
        to_status: null,
      },
    ]);
  });

  it('a site worker changing a status: "Helen H." of Eastside Community Clinic', async () => {
    await helen.from('referrals').update({ status: 'needs_client_action' }).eq('id', referrals.R1).throwOnError();
    expect(await lastEvent(helen, referrals.R1)).toMatchObject({
      event_type: 'status_changed',
      actor_id: users.helen.id,
      actor_display_name: 'Helen H.',
      actor_organization: 'Eastside Community Clinic',
      from_status: 'not_updated',
      to_status: 'needs_client_action',
    });
  });

  it('a claimer: "Clara C." of Harbor Food Pantry', async () => {
    await clara.from('referrals').update({ status: 'pending' }).eq('id', referrals.R1).throwOnError();
    expect(await lastEvent(clara, referrals.R1)).toMatchObject({
      actor_display_name: 'Clara C.',
      actor_organization: 'Harbor Food Pantry',
      from_status: 'not_updated',
      to_status: 'pending',
    });
  });

  it('Dana, claimer at Bright Futures since 2024-01-10 and worker at Westside since 2025-03-01, shows Bright Futures', async () => {
    await dana.from('referrals').update({ status: 'got_help' }).eq('id', referrals.R3).throwOnError();
    expect(await lastEvent(dana, referrals.R3)).toMatchObject({
      actor_display_name: 'Dana D.',
      actor_organization: 'Bright Futures Job Training',
      from_status: 'not_updated',
      to_status: 'got_help',
    });
  });

  it('the organisation joined first wins, whichever kind it is', async () => {
    await sql('update public.site_members set joined_at = $1 where user_id = $2 and site_id = $3', [
      '2023-06-01T00:00:00Z',
      users.dana.id,
      sites.westside,
    ]);
    await dana.from('referrals').update({ status: 'pending' }).eq('id', referrals.R3).throwOnError();
    expect(await lastEvent(dana, referrals.R3)).toMatchObject({
      actor_display_name: 'Dana D.',
      actor_organization: 'Westside Family Center',
    });
  });

  it('a seeker: "Sam S." and no organisation', async () => {
    await sam.from('referrals').update({ status: 'got_help' }).eq('id', referrals.R1).throwOnError();
    expect(await lastEvent(sam, referrals.R1)).toMatchObject({
      actor_id: users.sam.id,
      actor_display_name: 'Sam S.',
      actor_organization: null,
      from_status: 'not_updated',
      to_status: 'got_help',
    });
  });

  it('creation is recorded with its status', async () => {
    const { data } = await clara
      .from('referrals')
      .insert({ seeker_id: seekers.omar, program_id: programs.safeHaven, comment: 'Needs a place to stay.' })
      .select('id')
      .single()
      .throwOnError();
    expect(await lastEvent(clara, data!.id)).toMatchObject({
      event_type: 'created',
      actor_display_name: 'Clara C.',
      actor_organization: 'Harbor Food Pantry',
      to_status: 'not_updated',
    });
  });

  it('goal added, moved and removed are each recorded with the goal titles', async () => {
    await carl.from('referrals').update({ goal_id: null }).eq('id', referrals.R4).throwOnError();
    expect(await lastEvent(carl, referrals.R4)).toMatchObject({
      event_type: 'goal_removed',
      actor_display_name: 'Carl D.',
      from_goal_title: 'Find full-time work',
      to_goal_title: null,
    });
    await carl.from('referrals').update({ goal_id: goals.samFood }).eq('id', referrals.R4).throwOnError();
    expect(await lastEvent(carl, referrals.R4)).toMatchObject({
      event_type: 'goal_added',
      from_goal_title: null,
      to_goal_title: 'Steady food for the month',
    });
    await carl.from('referrals').update({ goal_id: goals.samWork }).eq('id', referrals.R4).throwOnError();
    expect(await lastEvent(carl, referrals.R4)).toMatchObject({
      event_type: 'goal_moved',
      from_goal_title: 'Steady food for the month',
      to_goal_title: 'Find full-time work',
    });
  });

  it('a status and goal changed together give two entries, and an unchanged status none', async () => {
    const count = async () =>
      (
        await sql<{ n: number }>('select count(*)::int as n from public.referral_events where referral_id = $1', [
          referrals.R1,
        ])
      )[0]!.n;
    const before = await count();
    await helen
      .from('referrals')
      .update({ status: 'pending', goal_id: goals.samWork })
      .eq('id', referrals.R1)
      .throwOnError();
    expect(await count()).toBe(before + 2);
    await helen.from('referrals').update({ status: 'pending' }).eq('id', referrals.R1).throwOnError();
    expect(await count()).toBe(before + 2);
  });

  it('someone acting through a one-click link without signing in is recorded by name ("Rita R.")', async () => {
    // what a trusted server-side function does for an emailed status link
    await sql(`
      begin;
      select private.set_actor_seeker('${seekers.rita}');
      update public.referrals set status = 'got_help' where id = '${referrals.R2}';
      commit;`);
    const [ev] = await sql<Event>(
      'select * from public.referral_events where referral_id = $1 order by id desc limit 1',
      [referrals.R2],
    );
    expect(ev).toMatchObject({
      event_type: 'status_changed',
      actor_id: null,
      actor_display_name: 'Rita R.',
      actor_organization: null,
      to_status: 'got_help',
    });
  });

  it('a staff member acting through a link is recorded with their organisation', async () => {
    await sql(`
      begin;
      select private.set_actor('${users.carl.id}');
      update public.referrals set status = 'no_capacity', status_reason = 'no_staff' where id = '${referrals.R2}';
      commit;`);
    const [ev] = await sql<Event>(
      'select * from public.referral_events where referral_id = $1 order by id desc limit 1',
      [referrals.R2],
    );
    expect(ev).toMatchObject({
      actor_id: users.carl.id,
      actor_display_name: 'Carl D.',
      actor_organization: 'Safe Haven Housing',
    });
  });

  it('the history entries are in the order things happened', async () => {
    await helen.from('referrals').update({ status: 'pending' }).eq('id', referrals.R1).throwOnError();
    await clara.from('referrals').update({ status: 'got_help' }).eq('id', referrals.R1).throwOnError();
    const { data } = await helen
      .from('referral_events')
      .select('id, created_at')
      .eq('referral_id', referrals.R1)
      .order('id');
    const times = data!.map((e) => Date.parse(e.created_at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });
});
