/**
 * A seeker without email, end to end in Chromium at 360 px: Omar has only a
 * phone. Clara (Harbor, who added him) gives him a portal account; Omar opens
 * /portal, chooses "Text me a code", types his number as he writes it, reads
 * the code in the text (the SMS catcher), mistypes it once, then signs in and
 * sees his referral R3. Axe on every screen; nothing scrolls sideways.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeDb, resetDb, signIn, sms } from '../support/stack.ts';
import { OMAR, freshWorld } from '../notifications/helpers.ts';
import { fileBrowser } from './support/browser.ts';
import { appUrl, checkScreen } from './support/app.ts';

const browser = fileBrowser();
const OMAR_PHONE = '+15125550177';

async function noHorizontalScroll(page: Page) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
}

beforeAll(async () => {
  await freshWorld(resetDb);
  await sms.clear();
});

afterAll(async () => {
  await closeDb();
});

describe('Omar, who has only a phone', () => {
  it('gets a phone account from the organisation that added him, once', async () => {
    const clara = await signIn('clara@harbor.example');
    const first = await clara.functions.invoke('invite-seeker', { body: { seeker_id: OMAR } });
    expect(first.error).toBeNull();
    expect(first.data).toMatchObject({ status: 'phone_account' });
    const again = await clara.functions.invoke('invite-seeker', { body: { seeker_id: OMAR } });
    expect(again.error).not.toBeNull();
    expect(await again.error.context.json()).toMatchObject({ code: 'already_has_account' });
    const { data: seeker } = await clara.from('seekers').select('user_id').eq('id', OMAR).single();
    expect(seeker!.user_id).toBe(first.data.user_id);
  });

  it('signs in to the portal with a texted code and sees his referral', async () => {
    const { page } = await browser.page({ width: 360, height: 740 });
    await page.goto(appUrl('/portal'));
    await page.getByRole('heading', { level: 1, name: 'See your referrals' }).waitFor();
    await page.getByText('Text me a code', { exact: true }).first().click();
    await page.getByRole('textbox', { name: 'Mobile phone number' }).fill('512 555 01');
    await page.getByRole('button', { name: 'Text me a code' }).click();
    await expect
      .poll(() => page.getByRole('alert').or(page.getByText('Enter a phone number like')).count())
      .toBeGreaterThan(0);
    await page.getByRole('textbox', { name: 'Mobile phone number' }).fill('(512) 555-0177');
    await noHorizontalScroll(page);
    await checkScreen(page, 'portal-phone-number-360');
    await page.getByRole('button', { name: 'Text me a code' }).click();
    await page.getByRole('status').filter({ hasText: 'we texted a code to +15125550177' }).waitFor();

    const text = await sms.waitFor((t) => t.to === OMAR_PHONE);
    const code = /code is (\d{6})/.exec(text.body)![1]!;
    await page.getByRole('textbox', { name: 'Code from the text' }).fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'That code is not right or has expired' }).waitFor();
    await checkScreen(page, 'portal-phone-code-wrong-360');

    await page.getByRole('textbox', { name: 'Code from the text' }).fill(code);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Hello, Omar' }).waitFor();
    const r3 = page.getByRole('article', { name: 'Bright Futures Job Training' });
    await r3.waitFor();
    expect(await page.getByRole('article').count()).toBe(1);
    expect(await r3.innerText()).toContain('warehouse or forklift training');
    await noHorizontalScroll(page);
    await checkScreen(page, 'portal-phone-signed-in-360');
  });
});
