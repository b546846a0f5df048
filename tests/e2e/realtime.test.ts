/**
 * Live screens end to end: two people on two screens (Helen, the referrer,
 * on Sam's profile; Clara, a claimer, on Inbound Referrals) see a status
 * change and a new note made by a third person (Cody, through the API)
 * within one second, without reloading. After the Realtime service has been
 * down, the screens catch up with what changed meanwhile once they rejoin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { control, resetDb, signIn, sql, type Client } from '../support/stack.ts';
import { fileBrowser } from './support/browser.ts';
import { signInAs } from './support/app.ts';
import { watchApiRequests } from './support/requests.ts';

const R1 = '50000000-0000-4000-8000-000000000001';
const STATUS_LABEL = "Status of Sam Seeker's referral to Harbor Food Pantry";

const browser = fileBrowser();
let helen: Page;
let clara: Page;
let cody: Client;
let samId: string;

/** The first byte of a binary frame carrying a broadcast to the client (stack/realtime/protocol.ts). */
const KIND_USER_BROADCAST = 4;
/** When each page last received a Broadcast frame on a private topic (diagnostics). */
const lastChangeFrame = new Map<Page, number>();
/** Each page's API requests still unanswered. */
const apiOf = new Map<Page, ReturnType<typeof watchApiRequests>>();

async function open(email: string, next: string) {
  const { page } = await browser.page();
  apiOf.set(page, watchApiRequests(page));
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      // realtime-js (vsn 2.0.0) gets a change as a binary frame of kind 4 (a
      // user broadcast, docs/realtime.md); as JSON text only with vsn 1.0.0.
      const broadcast =
        typeof payload === 'string' ? payload.includes('"broadcast",{') : payload[0] === KIND_USER_BROADCAST;
      if (broadcast) lastChangeFrame.set(page, performance.now());
    }),
  );
  await signInAs(page, email, next);
  return page;
}

const drawer = (page: Page) => page.getByRole('dialog', { name: 'Referral' });
const drawerStatus = (page: Page) => drawer(page).getByRole('combobox', { name: 'Status' }).inputValue();

/**
 * Waits until every check passes and expects it within `ms` of `t0` (when the
 * change was committed); the message says when the change frames arrived.
 */
async function within(ms: number, t0: number, checks: (() => Promise<unknown>)[]): Promise<number> {
  await Promise.all(checks.map((check) => check()));
  const took = performance.now() - t0;
  const frames = [helen, clara].map((p) => `${Math.round((lastChangeFrame.get(p) ?? NaN) - t0)} ms`).join(', ');
  expect(
    took,
    `screens updated after ${Math.round(took)} ms (change frames reached the pages after ${frames})`,
  ).toBeLessThanOrEqual(ms);
  return took;
}

beforeAll(async () => {
  await resetDb();
  samId = (await sql<{ id: string }>(`select id from public.seekers where email = 'sam@seeker.example'`))[0]!.id;
  cody = await signIn('cody@harbor.example');
  helen = await open('helen@eastside.example', `/people/${samId}?referral=${R1}`);
  clara = await open('clara@harbor.example', `/inbound?referral=${R1}`);
  for (const page of [helen, clara]) {
    await drawer(page).getByRole('heading', { name: 'Harbor Food Pantry' }).waitFor();
    expect(await drawerStatus(page)).toBe('not_updated');
  }
  await clara.getByRole('combobox', { name: STATUS_LABEL }).waitFor();
});

afterAll(async () => {
  await cody?.removeAllChannels();
});

describe('two screens stay in sync', () => {
  it('both screens are live (a first change reaches them)', async () => {
    await cody.from('referrals').update({ status: 'pending' }).eq('id', R1);
    for (const page of [helen, clara]) await expect.poll(() => drawerStatus(page), { timeout: 15_000 }).toBe('pending');
  });

  it('a status change by a third person shows on both screens within 1 s', async () => {
    const { error } = await cody.from('referrals').update({ status: 'eligible' }).eq('id', R1);
    const t0 = performance.now();
    expect(error).toBeNull();
    await within(1000, t0, [
      () => expect.poll(() => drawerStatus(helen), { timeout: 1500, interval: 20 }).toBe('eligible'),
      () => expect.poll(() => drawerStatus(clara), { timeout: 1500, interval: 20 }).toBe('eligible'),
      () =>
        expect
          .poll(() => clara.getByRole('combobox', { name: STATUS_LABEL }).inputValue(), { timeout: 1500, interval: 20 })
          .toBe('eligible'),
    ]);
  });

  it('a new note by a third person shows on both screens within 1 s', async () => {
    const body = `Cody called Sam at ${new Date().toISOString()}`;
    const { error } = await cody.from('referral_notes').insert({ referral_id: R1, body });
    const t0 = performance.now();
    expect(error).toBeNull();
    await within(1000, t0, [
      () => drawer(helen).getByRole('list', { name: 'Notes' }).getByText(body).waitFor({ timeout: 1500 }),
      () => drawer(clara).getByRole('list', { name: 'Notes' }).getByText(body).waitFor({ timeout: 1500 }),
    ]);
  });

  it('after the Realtime service was down, both screens catch up once they rejoin', async () => {
    await control('stop', 'realtime');
    // What the screens read before (after the note) is answered before the
    // change, so only their rejoin can bring it in.
    for (const page of [helen, clara]) await apiOf.get(page)!.answered();
    const { error } = await cody.from('referrals').update({ status: 'got_help' }).eq('id', R1);
    expect(error).toBeNull();
    for (const page of [helen, clara]) expect(await drawerStatus(page)).toBe('eligible');
    await control('start', 'realtime');
    for (const page of [helen, clara]) {
      await expect.poll(() => drawerStatus(page), { timeout: 20_000 }).toBe('got_help');
    }
    // And they are live again afterwards (no reload).
    await cody.from('referrals').update({ status: 'no_capacity', status_reason: 'waitlist_full' }).eq('id', R1);
    await within(5000, performance.now(), [
      () => expect.poll(() => drawerStatus(helen), { timeout: 6000, interval: 20 }).toBe('no_capacity'),
      () => expect.poll(() => drawerStatus(clara), { timeout: 6000, interval: 20 }).toBe('no_capacity'),
    ]);
  }, 60_000);
});
