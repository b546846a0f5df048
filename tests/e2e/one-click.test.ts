/**
 * One-click status links end to end: Carl changes R2, Rita's email (Spanish)
 * carries "Recibió ayuda"; in Chromium at phone width the link opens the
 * app's confirm page, which changes nothing until Confirm; Confirm sets R2 to
 * got_help recorded as "Rita R."; the same link again, a tampered one, and
 * one sent to an address that is no longer Rita's change nothing and say so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeDb, mail, resetDb, signIn, sql } from '../support/stack.ts';
import { R2, RITA, freshWorld, oneClickLink, outboxSettled } from '../notifications/helpers.ts';
import { fileBrowser } from './support/browser.ts';
import { checkScreen } from './support/app.ts';

const browser = fileBrowser();

async function phonePage(): Promise<Page> {
  const { page } = await browser.page({ width: 360, height: 740 });
  return page;
}

async function statusOfR2(): Promise<string> {
  const [row] = await sql<{ status: string }>(`select status from public.referrals where id = $1`, [R2]);
  return row!.status;
}

let ritaLink: string;
let wendyLink: string;

beforeAll(async () => {
  await freshWorld(resetDb);
  const carl = await signIn('carl@safehaven.example');
  const { error } = await carl.from('referrals').update({ status: 'eligible' }).eq('id', R2);
  expect(error).toBeNull();
  const ritaMail = await mail.waitFor((m) => m.to.some((t) => t.address === 'rita@seeker.example'));
  const wendyMail = await mail.waitFor((m) => m.to.some((t) => t.address === 'wendy@westside.example'));
  await outboxSettled();
  ritaLink = oneClickLink(ritaMail, 'got_help');
  wendyLink = oneClickLink(wendyMail, 'referred_elsewhere');
});

afterAll(async () => {
  await closeDb();
});

describe('one-click links in the browser', () => {
  it("Rita's Got help button opens a confirm page (in Spanish) that changes nothing by itself", async () => {
    const page = await phonePage();
    await page.goto(ritaLink);
    await page.getByRole('heading', { level: 1, name: 'Actualizar un referido' }).waitFor();
    await page.getByRole('button', { name: 'Confirmar: Recibió ayuda' }).waitFor();
    const text = await page.locator('main').innerText();
    expect(text).toContain('Safe Haven Housing');
    expect(text).toContain('Rita');
    expect(text).toContain('Elegible');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('es');
    await checkScreen(page, 'one-click-confirm-es-360');
    // opening the link (as a mail scanner would) changed nothing
    expect(await statusOfR2()).toBe('eligible');

    await page.getByRole('button', { name: 'Confirmar: Recibió ayuda' }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('Listo. El referido ahora está: Recibió ayuda');
    expect(await statusOfR2()).toBe('got_help');
    const [event] = await sql(
      `select actor_display_name, actor_organization, from_status, to_status from public.referral_events
        where referral_id = $1 and event_type = 'status_changed' order by id desc limit 1`,
      [R2],
    );
    expect(event).toEqual({
      actor_display_name: 'Rita R.',
      actor_organization: null,
      from_status: 'eligible',
      to_status: 'got_help',
    });
    await checkScreen(page, 'one-click-applied-es-360');
  });

  it('the same link again changes nothing and says so', async () => {
    // Carl moves it on; Rita's spent link must not move it back.
    const carl = await signIn('carl@safehaven.example');
    await carl.from('referrals').update({ status: 'pending' }).eq('id', R2);
    const page = await phonePage();
    await page.goto(ritaLink);
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Este enlace ya se usó');
    expect(await page.getByRole('button', { name: /Confirmar/ }).count()).toBe(0);
    expect(await page.locator('main').innerText()).toContain('No se cambió nada');
    await checkScreen(page, 'one-click-used-es-360');
    expect(await statusOfR2()).toBe('pending');
  });

  it('a superseded link says the referral has moved on and changes nothing', async () => {
    // Wendy's email was about "Eligible"; two changes later her buttons are stale.
    const page = await phonePage();
    await page.goto(wendyLink);
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toContain('This referral has changed since the email was sent');
    expect(await page.locator('main').innerText()).toContain('Nothing was changed. The referral is now: Pending.');
    expect(await statusOfR2()).toBe('pending');
  });

  it('a tampered link changes nothing and says so', async () => {
    const page = await phonePage();
    const tampered = ritaLink.replace('.got_help.', '.pending.');
    await page.goto(tampered);
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain("This link doesn't work");
    expect(await page.locator('main').innerText()).not.toContain('Safe Haven Housing');
    await checkScreen(page, 'one-click-invalid-en-360');
    const garbled = `${ritaLink.slice(0, -3)}xyz`;
    await page.goto(garbled);
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain("This link doesn't work");
    expect(await statusOfR2()).toBe('pending');
  });

  it("a staff member's link is applied by keyboard and recorded with their organisation", async () => {
    await mail.clear();
    const carl = await signIn('carl@safehaven.example');
    await carl.from('referrals').update({ status: 'eligible' }).eq('id', R2);
    const wendyMail = await mail.waitFor((m) => m.to.some((t) => t.address === 'wendy@westside.example'));
    const page = await phonePage();
    await page.goto(oneClickLink(wendyMail, 'referred_elsewhere'));
    const confirm = page.getByRole('button', { name: 'Confirm: Referred elsewhere' });
    await confirm.waitFor();
    await checkScreen(page, 'one-click-confirm-en-360');
    // staff say why: Confirm without a reason changes nothing and asks for one
    await confirm.focus();
    await page.keyboard.press('Enter');
    await page.getByText('Choose a reason before confirming.').waitFor();
    expect(await statusOfR2()).toBe('eligible');
    const reason = page.getByRole('combobox', { name: 'Reason (needed for this status)' });
    await reason.focus();
    await reason.selectOption({ label: 'The person asked to go elsewhere' });
    await confirm.focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain('Done. The referral is now: Referred elsewhere');
    const [event] = await sql(
      `select actor_display_name, actor_organization from public.referral_events
        where referral_id = $1 and event_type = 'status_changed' order by id desc limit 1`,
      [R2],
    );
    expect(event).toEqual({ actor_display_name: 'Wendy W.', actor_organization: 'Westside Family Center' });
    const [{ status_reason }] = await sql<{ status_reason: string }>(
      'select status_reason from public.referrals where id = $1',
      [R2],
    );
    expect(status_reason).toBe('client_request');
  });

  it("a link sent to an address that is no longer the recipient's changes nothing and says so", async () => {
    // the last test's change (Wendy's) still has a message to Rita in the outbox: let it go out first
    await outboxSettled();
    await mail.clear();
    const carl = await signIn('carl@safehaven.example');
    await carl.from('referrals').update({ status: 'pending' }).eq('id', R2);
    const ritaMail = await mail.waitFor((m) => m.to.some((t) => t.address === 'rita@seeker.example'));
    await outboxSettled();
    // Wendy, who added Rita, changes her email: the buttons at the old address stop working
    const wendy = await signIn('wendy@westside.example');
    const { error } = await wendy.from('seekers').update({ email: 'rita.new@seeker.example' }).eq('id', RITA);
    expect(error).toBeNull();
    const page = await phonePage();
    await page.goto(oneClickLink(ritaMail, 'got_help'));
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toContain('Este enlace se envió a una dirección que ya no está registrada');
    expect(await page.getByRole('button', { name: /Confirmar/ }).count()).toBe(0);
    expect(await page.locator('main').innerText()).toContain('No se cambió nada');
    await checkScreen(page, 'one-click-address-changed-es-360');
    expect(await statusOfR2()).toBe('pending');
  });
});
