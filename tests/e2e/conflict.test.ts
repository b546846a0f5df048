/**
 * Two people change the same referral: the app never overwrites a change it has
 * not seen. Helen's status change is checked against the version she read; when
 * Clara changed it first, Helen's screen says so, rolls back, and shows Clara's
 * status. With Realtime down and back, the screen catches up by itself after
 * the reconnect. And a change that reaches her screen while her own choice waits
 * for Save is not overwritten by it either.
 *
 * Helen's screen is made stale by keeping Realtime down from before she opens
 * the referral. Stopping it after her screen has joined its topics would not do:
 * a live screen reads everything again each time it joins (src/lib/realtime.ts),
 * and on a busy machine that read can reach the database after Clara's change,
 * so Helen's screen would be up to date and her save rightly accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeDb, control, resetDb, signIn, sql, type Client } from '../support/stack.ts';
import { fileBrowser } from './support/browser.ts';
import { appUrl, checkScreen, signInAs } from './support/app.ts';
import { watchApiRequests } from './support/requests.ts';

const browser = fileBrowser();
let helen: Page;
let helenApi: ReturnType<typeof watchApiRequests>;
let clara: Client;
let r1: string;
let samId: string;
/** Set while this file has Realtime stopped, so teardown restarts it only then. */
let realtimeStopped = false;

beforeAll(async () => {
  await resetDb();
  clara = await signIn('clara@harbor.example');
  const [row] = await sql<{ id: string; seeker_id: string }>(
    `select r.id, r.seeker_id from public.referrals r join public.programs p on p.id = r.program_id
      join public.seekers s on s.id = r.seeker_id where p.name = 'Harbor Food Pantry' and s.first_name = 'Sam'`,
  );
  r1 = row!.id;
  samId = row!.seeker_id;
  ({ page: helen } = await browser.page());
  helenApi = watchApiRequests(helen);
});

afterAll(async () => {
  if (realtimeStopped) await control('start', 'realtime');
  clara?.auth.stopAutoRefresh();
  await clara?.removeAllChannels();
  await closeDb();
});

const drawerOf = (page: Page) => page.getByRole('dialog', { name: 'Referral' });
const statusIn = (page: Page) => drawerOf(page).getByRole('combobox', { name: 'Status' });
const statusNow = async () =>
  (await sql<{ status: string }>(`select status from public.referrals where id = $1`, [r1]))[0]!.status;

describe('a referral changed by two people at once', () => {
  it('refuses the stale change, says who was first in plain words, and shows their status', async () => {
    // Realtime is down before Helen opens the referral: her screen reads it
    // once, and once those reads are answered nothing reads it again, so it
    // does not learn of Clara's change.
    await control('stop', 'realtime');
    realtimeStopped = true;
    await signInAs(helen, 'helen@eastside.example', `/people/${samId}?referral=${r1}`);
    await expect.poll(() => statusIn(helen).inputValue()).toBe('not_updated');
    await helenApi.answered();
    const { error } = await clara.from('referrals').update({ status: 'pending' }).eq('id', r1);
    expect(error).toBeNull();

    await statusIn(helen).selectOption({ label: 'Eligible' });
    const drawer = drawerOf(helen);
    await drawer.getByRole('button', { name: 'Save' }).click();
    await drawer.getByRole('alert').filter({ hasText: 'Someone else changed this referral first' }).waitFor();
    await expect.poll(() => statusIn(helen).inputValue()).toBe('pending');
    await checkScreen(helen, '19-conflict');
    expect(await statusNow()).toBe('pending');
  });

  it('catches up after Realtime comes back, without a reload', async () => {
    const { error } = await clara
      .from('referrals')
      .update({ status: 'no_capacity', status_reason: 'waitlist_full' })
      .eq('id', r1);
    expect(error).toBeNull();
    await control('start', 'realtime');
    realtimeStopped = false;
    await expect.poll(() => statusIn(helen).inputValue(), { timeout: 30_000, interval: 250 }).toBe('no_capacity');
    expect(new URL(helen.url()).searchParams.get('referral')).toBe(r1);
    expect(helen.url()).toBe(appUrl(`/people/${samId}?referral=${r1}`));
  });

  it('does not overwrite a change that arrives while her chosen status waits for Save', async () => {
    // Helen's screen is live again; she chooses a status and has not saved it yet.
    await statusIn(helen).selectOption({ label: 'Eligible' });
    const drawer = drawerOf(helen);
    await drawer.getByText('Not saved yet').waitFor();
    const { error } = await clara.from('referrals').update({ status: 'pending' }).eq('id', r1);
    expect(error).toBeNull();
    // Clara's change has reached Helen's screen (it is in the history), her choice still waits.
    await drawer
      .getByRole('list', { name: 'History' })
      .getByRole('listitem')
      .filter({ hasText: 'changed the status from No capacity to Pending' })
      .waitFor();
    expect(await statusIn(helen).inputValue()).toBe('eligible');

    await drawer.getByRole('button', { name: 'Save' }).click();
    await drawer.getByRole('alert').filter({ hasText: 'Someone else changed this referral first' }).waitFor();
    await expect.poll(() => statusIn(helen).inputValue()).toBe('pending');
    expect(await statusNow()).toBe('pending');
  });
});
