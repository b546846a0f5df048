/**
 * Team sharing is read live from the organisation's flag: switching it (a
 * plain table edit in Studio) changes who sees what on the very next request.
 * Inbound visibility never depends on it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeDb, resetDb, signIn, sql, type Client } from '../support/stack.ts';
import { nameOf, programs, referrals, seekers, sites, users } from './world.ts';

async function visible(c: Client): Promise<string[]> {
  const { data, error } = await c.from('referrals').select('id');
  if (error) throw new Error(JSON.stringify(error));
  return data!.map((r) => nameOf(referrals, r.id)).sort();
}

const setSiteSharing = (id: string, on: boolean) =>
  sql('update public.sites set team_sharing = $1 where id = $2', [on, id]);
const setProgramSharing = (id: string, on: boolean) =>
  sql('update public.programs set team_sharing = $1 where id = $2', [on, id]);

describe('team sharing', () => {
  let walter: Client, dana: Client, henry: Client, cody: Client, carl: Client;

  beforeAll(async () => {
    await resetDb();
    [walter, dana, henry, cody, carl] = await Promise.all(
      [users.walter, users.dana, users.henry, users.cody, users.carl].map((u) => signIn(u.email)),
    );
  });
  beforeEach(resetDb);
  afterAll(closeDb);

  it('switching a site on shows its workers each other’s referrals at once, and off hides them again', async () => {
    expect(await visible(walter)).toEqual([]);
    await setSiteSharing(sites.westside, true);
    expect(await visible(walter)).toEqual(['R2']);
    // Dana also works at Westside
    expect(await visible(dana)).toEqual(['R2', 'R3', 'R4']);
    // the shared team may update the status and add notes
    const upd = await walter.from('referrals').update({ status: 'pending' }).eq('id', referrals.R2).select('id');
    expect(upd.data).toHaveLength(1);
    const note = await walter.from('referral_notes').insert({ referral_id: referrals.R2, body: 'Following up.' });
    expect(note.error).toBeNull();
    // and sees the seeker the site added
    const { data: s } = await walter.from('seekers').select('id');
    expect(s!.map((r) => r.id)).toEqual([seekers.rita]);

    await setSiteSharing(sites.westside, false);
    expect(await visible(walter)).toEqual([]);
    expect(await visible(dana)).toEqual(['R3', 'R4']);
    const { data: s2 } = await walter.from('seekers').select('id');
    expect(s2).toEqual([]);
  });

  it('switching a site off leaves only the referrer', async () => {
    expect(await visible(henry)).toEqual(['R1']);
    await setSiteSharing(sites.eastside, false);
    expect(await visible(henry)).toEqual([]);
    const upd = await henry.from('referrals').update({ status: 'pending' }).eq('id', referrals.R1).select('id');
    expect(upd.data).toEqual([]);
  });

  it('a program’s sharing covers the referrals its claimers send', async () => {
    expect(await visible(cody)).toEqual(['R1', 'R3']);
    await setProgramSharing(programs.harbor, false);
    // R3 was sent by Clara from Harbor; R1 is inbound to Harbor
    expect(await visible(cody)).toEqual(['R1']);
  });

  it('inbound referrals ignore the receiving program’s sharing flag', async () => {
    // Safe Haven shares nothing, yet Carl sees what is sent to it
    expect(await visible(carl)).toEqual(['R2', 'R4']);
    await setProgramSharing(programs.safeHaven, true);
    expect(await visible(carl)).toEqual(['R2', 'R4']);
    await setProgramSharing(programs.harbor, false);
    expect(await visible(cody)).toContain('R1');
    await setProgramSharing(programs.harbor, true);
    expect(await visible(cody)).toEqual(['R1', 'R3']);
  });

  it('a new member sees shared and inbound referrals at once; a removed one stops', async () => {
    await sql('insert into public.program_members (program_id, user_id) values ($1, $2)', [
      programs.safeHaven,
      users.walter.id,
    ]);
    expect(await visible(walter)).toEqual(['R2']);
    await sql('delete from public.program_members where program_id = $1 and user_id = $2', [
      programs.safeHaven,
      users.walter.id,
    ]);
    expect(await visible(walter)).toEqual([]);
  });
});
