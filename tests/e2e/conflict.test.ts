/**
 * Two people change the same referral: the app never overwrites a change it has
 * not seen. Helen's status change is checked against the version she read; when
 * Clara changed it first, Helen's screen says so, rolls back, and shows Clara's
 * status. With Realtime down and back, the screen catches up by itself after
 * the reconnect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeDb, control, resetDb, signIn, sql, type Client } from '../support/stack.ts';
import { fileBrowser } from './support/browser.ts';
import { appUrl, checkScreen, signInAs } from './support/app.ts';

const browser = fileBrowser();
let helen: Page;
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
  await signInAs(helen, 'helen@eastside.example', `/people/${samId}?referral=${r1}`);
});

afterAll(async () => {
  if (realtimeStopped) await control('start', 'realtime');
  clara?.auth.stopAutoRefresh();
  await clara?.removeAllChannels();
  await closeDb();
});

const statusIn = (page: Page) =>
  page.getByRole('dialog', { name: 'Referral' }).getByRole('combobox', { name: 'Status' });

describe('a referral changed by two people at once', () => {
  it('refuses the stale change, says who was first in plain words, and shows their status', async () => {
    await expect.poll(() => statusIn(helen).inputValue()).toBe('not_updated');
    // Helen does not hear about Clara's change (Realtime is down), so her screen is stale.
    await control('stop', 'realtime');
    realtimeStopped = true;
    const { error } = await clara.from('referrals').update({ status: 'pending' }).eq('id', r1);
    expect(error).toBeNull();

    await statusIn(helen).selectOption({ label: 'Eligible' });
    const drawer = helen.getByRole('dialog', { name: 'Referral' });
    await drawer.getByRole('button', { name: 'Save' }).click();
    await drawer.getByRole('alert').filter({ hasText: 'Someone else changed this referral first' }).waitFor();
    await expect.poll(() => statusIn(helen).inputValue()).toBe('pending');
    await checkScreen(helen, '19-conflict');
    const [row] = await sql<{ status: string }>(`select status from public.referrals where id = $1`, [r1]);
    expect(row!.status).toBe('pending');
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
});
