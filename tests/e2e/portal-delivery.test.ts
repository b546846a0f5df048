/**
 * What staff see about the seeker's notifications, in Chromium: Rita prefers
 * text messages and no SMS provider is configured, so when Carl updates R2 the
 * SMS job ends as "not sent" and Wendy's referral drawer says Rita was not
 * notified; with "phone" it says no message was sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, resetDb, signIn, sql } from '../support/stack.ts';
import { R2, RITA, freshWorld, outboxSettled } from '../notifications/helpers.ts';
import { fileBrowser } from './support/browser.ts';
import { checkScreen, signInAs } from './support/app.ts';

const browser = fileBrowser();

beforeAll(async () => {
  await freshWorld(resetDb);
});

afterAll(async () => {
  await closeDb();
});

describe("the seeker's notification, as staff see it", () => {
  it('text with no SMS provider: the drawer says Rita was not notified', async () => {
    await sql(`update public.seekers set preferred_contact = 'text', phone = '(512) 555-0142' where id = $1`, [RITA]);
    const carl = await signIn('carl@safehaven.example');
    const { error } = await carl.from('referrals').update({ status: 'eligible' }).eq('id', R2);
    expect(error).toBeNull();
    await outboxSettled();

    const { page } = await browser.page();
    await signInAs(page, 'wendy@westside.example', `/referrals?referral=${R2}`);
    const drawer = page.getByRole('dialog', { name: 'Referral' });
    await expect
      .poll(() => drawer.getByRole('status').filter({ hasText: 'Rita was not notified' }).count(), { timeout: 15_000 })
      .toBe(1);
    expect(await drawer.innerText()).toContain(
      'Rita was not notified of the latest change: text messages are not set up for this service yet.',
    );
    await checkScreen(page, 'drawer-seeker-not-notified');
  });

  it('phone: the drawer says no message was sent to Rita', async () => {
    await sql(`update public.seekers set preferred_contact = 'phone' where id = $1`, [RITA]);
    const { page } = await browser.page();
    await signInAs(page, 'wendy@westside.example', `/referrals?referral=${R2}`);
    const drawer = page.getByRole('dialog', { name: 'Referral' });
    await expect
      .poll(() => drawer.getByRole('status').filter({ hasText: 'Rita prefers phone calls' }).count(), {
        timeout: 15_000,
      })
      .toBe(1);
  });
});
