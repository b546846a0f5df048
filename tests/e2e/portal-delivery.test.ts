/**
 * What staff see about the seeker's notifications, in Chromium: Rita prefers
 * text messages but replied STOP, so when Carl updates R2 no text goes and
 * Wendy's referral drawer says Rita opted out by text; a text the carrier
 * could not deliver says so with the provider's code; with "phone" it says no
 * message was sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, resetDb, signIn, sms, sql } from '../support/stack.ts';
import { R2, RITA, daytimeEverywhere, freshWorld, outboxSettled, waitUntil } from '../notifications/helpers.ts';
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
  it('text, opted out by STOP: the drawer says Rita opted out by text', async () => {
    await daytimeEverywhere();
    await sql(`update public.seekers set preferred_contact = 'text', phone = '(512) 555-0142' where id = $1`, [RITA]);
    expect((await sms.reply('+15125550142', 'STOP')).webhook_status).toBe(200);
    const carl = await signIn('carl@safehaven.example');
    const { error } = await carl.from('referrals').update({ status: 'eligible' }).eq('id', R2);
    expect(error).toBeNull();
    await outboxSettled();

    const { page } = await browser.page();
    await signInAs(page, 'wendy@westside.example', `/referrals?referral=${R2}`);
    const drawer = page.getByRole('dialog', { name: 'Referral' });
    await expect
      .poll(
        () => drawer.getByRole('alert').or(drawer.getByRole('status')).filter({ hasText: 'opted out by text' }).count(),
        {
          timeout: 15_000,
        },
      )
      .toBe(1);
    expect(await drawer.innerText()).toContain(
      'Rita opted out by text (they replied STOP), so no text is sent to them.',
    );
    await checkScreen(page, 'drawer-seeker-opted-out');
  });

  it('a text the carrier did not deliver: the drawer says so, with the provider code', async () => {
    await sms.reply('+15125550142', 'START');
    await sms.faults({ undeliverable: { '+15125550142': { status: 'undelivered', error_code: 30005 } } });
    const carl = await signIn('carl@safehaven.example');
    expect((await carl.from('referrals').update({ status: 'pending' }).eq('id', R2)).error).toBeNull();
    await waitUntil('the provider to report', async () => {
      const [row] = await sql<{ delivery_status: string | null }>(
        `select delivery_status from public.notification_jobs where referral_id = $1 and recipient_kind = 'seeker'
          order by created_at desc limit 1`,
        [R2],
      );
      return row?.delivery_status === 'undelivered';
    });
    await sms.faults({ undeliverable: {} });
    const { page } = await browser.page();
    await signInAs(page, 'wendy@westside.example', `/referrals?referral=${R2}`);
    const drawer = page.getByRole('dialog', { name: 'Referral' });
    await expect
      .poll(() => drawer.getByRole('status').filter({ hasText: 'was not delivered' }).count(), { timeout: 15_000 })
      .toBe(1);
    expect(await drawer.innerText()).toContain('The text to Rita was not delivered (provider code 30005)');
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
