/**
 * The seeker portal end to end, in Chromium at 360 px: Sam asks for a magic
 * link, signs in with the emailed link (no password), sees R1 and R4 with
 * program, status, comment and what to do next, sets R4 to Got help with one
 * tap; the people on the referral see it (Carl, who made R4, and Dana at the
 * program) and are emailed, Sam is not. Sam's R1 update reaches Helen. Spanish
 * and contact preferences; axe on every portal page in English and Spanish.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeDb, mail, resetDb, signIn, sql } from '../support/stack.ts';
import { R1, R4, SAM, freshWorld, outboxSettled, recipients, waitUntil } from '../notifications/helpers.ts';
import { fileBrowser } from './support/browser.ts';
import { appUrl, checkScreen, signInAs } from './support/app.ts';

const browser = fileBrowser();
let sam: Page;

const card = (page: Page, program: string) => page.getByRole('article', { name: program });

async function statusOf(id: string): Promise<string> {
  const [row] = await sql<{ status: string }>(`select status from public.referrals where id = $1`, [id]);
  return row!.status;
}

async function noHorizontalScroll(page: Page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(360);
}

beforeAll(async () => {
  await freshWorld(resetDb);
  const { page } = await browser.page({ width: 360, height: 740 });
  sam = page;
});

afterAll(async () => {
  await closeDb();
});

describe('the seeker portal', () => {
  it('offers sign-in by emailed link or texted code, never a password, in English and Spanish, accessible at 360 px', async () => {
    const { page } = await browser.page({ width: 360, height: 740 });
    await page.goto(appUrl('/portal'));
    await page.getByRole('heading', { level: 1, name: 'See your referrals' }).waitFor();
    expect(await page.getByLabel(/password/i).count()).toBe(0);
    await noHorizontalScroll(page);
    await checkScreen(page, 'portal-sign-in-en-360');
    await page.getByRole('button', { name: 'Ver esta página en español' }).click();
    await page.getByRole('heading', { level: 1, name: 'Vea sus referidos' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('es');
    await checkScreen(page, 'portal-sign-in-es-360');
  });

  it('Sam signs in with the emailed magic link and sees R1 and R4', async () => {
    await sam.goto(appUrl('/portal'));
    await sam.getByRole('textbox', { name: 'Email address' }).fill('sam@seeker.example');
    await sam.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await expect.poll(() => sam.getByRole('status').first().textContent()).toContain('Check your email');

    const linkMail = await mail.waitFor(
      (m) => m.to.some((t) => t.address === 'sam@seeker.example') && /sign-in link/i.test(m.subject),
    );
    const href = /href="([^"]*\/auth\/v1\/verify[^"]*)"/.exec(linkMail.html)?.[1]?.replace(/&amp;/g, '&');
    expect(href, 'magic link in the email').toBeTruthy();
    expect(decodeURIComponent(href!)).toContain(`redirect_to=${appUrl('/portal')}`);
    await sam.goto(href!);
    await sam.waitForURL((u) => u.pathname === '/portal');
    await sam.getByRole('heading', { level: 1, name: 'Hello, Sam' }).waitFor();

    const r1 = card(sam, 'Harbor Food Pantry');
    const r4 = card(sam, 'Bright Futures Job Training');
    await r1.waitFor();
    await r4.waitFor();
    expect(await sam.getByRole('article').count()).toBe(2);
    const r1Text = await r1.innerText();
    expect(r1Text).toContain('Not updated');
    expect(r1Text).toContain('Sam and his daughter need groceries this week');
    expect(r1Text).toContain('What to do next');
    expect(r1Text).toContain('(512) 555-0101');
    // when the program usually answers (its response target)
    expect(r1Text).toContain('Harbor Food Pantry usually answers within 2 business days.');
    // how to reach the organisation that referred him (its public phone and email, not Helen's own)
    expect(r1Text).toContain('How to reach Eastside Community Clinic');
    expect(r1Text).toContain('Referred by Helen H., Eastside Community Clinic');
    expect(await r1.getByRole('link', { name: 'Call (512) 555-0111' }).getAttribute('href')).toBe('tel:5125550111');
    expect(await r1.getByRole('link', { name: 'Email frontdesk@eastside.example' }).getAttribute('href')).toBe(
      'mailto:frontdesk@eastside.example',
    );
    const r4Text = await r4.innerText();
    expect(r4Text).toContain('Eligible');
    expect(r4Text).toContain('How to reach Safe Haven Housing');
    expect(r4Text).toContain('Sam wants steady work so he can keep up with rent.');
    // staff notes never reach the seeker
    expect(await sam.locator('main').innerText()).not.toContain('forklift cohort');
    await noHorizontalScroll(sam);
    await checkScreen(sam, 'portal-referrals-en-360');
  });

  it('one tap sets R4 to Got help; Carl and Dana see it and are emailed, Sam is not', async () => {
    await mail.clear();
    // Carl (who made R4) has My referrals open in his own browser.
    const { page: carlPage } = await browser.page();
    await signInAs(carlPage, 'carl@safehaven.example', '/referrals');
    const carlRow = carlPage.getByRole('row', { name: /Bright Futures Job Training/ });
    await carlRow.waitFor();
    expect(await carlRow.getByRole('combobox').inputValue()).toBe('eligible');

    const r4 = card(sam, 'Bright Futures Job Training');
    await r4.getByRole('button', { name: 'Got help', exact: true }).click();
    await r4.getByRole('button', { name: 'Got help (current)' }).waitFor();
    await waitUntil('R4 got_help', async () => (await statusOf(R4)) === 'got_help');
    // his screen follows without a reload
    await expect.poll(() => carlRow.getByRole('combobox').inputValue(), { timeout: 10_000 }).toBe('got_help');

    const carl = await signIn('carl@safehaven.example');
    const dana = await signIn('dana@brightfutures.example');
    for (const client of [carl, dana]) {
      const { data } = await client.from('referrals').select('status').eq('id', R4).single();
      expect(data!.status).toBe('got_help');
    }
    const [event] = await sql(
      `select actor_display_name, to_status from public.referral_events
        where referral_id = $1 and event_type = 'status_changed' order by id desc limit 1`,
      [R4],
    );
    expect(event).toEqual({ actor_display_name: 'Sam S.', to_status: 'got_help' });

    await mail.waitFor((m) => m.to.some((t) => t.address === 'carl@safehaven.example'));
    await outboxSettled();
    expect(recipients(await mail.list())).toEqual(['carl@safehaven.example', 'dana@brightfutures.example']);
    const [carlMail] = await mail.to('carl@safehaven.example');
    expect(carlMail!.subject).toBe("Sam's referral to Bright Futures Job Training is now Got help");
  });

  it("by keyboard, Sam marks R1 Couldn't get help and Helen sees it", async () => {
    // (R4 is not Helen's to see: Carl made it from Safe Haven, which does not
    // share, to a program she is not on. R1 is hers.)
    const { page: helenPage } = await browser.page();
    await signInAs(helenPage, 'helen@eastside.example', '/referrals');
    const helenRow = helenPage.getByRole('row', { name: /Harbor Food Pantry/ });
    await helenRow.waitFor();

    const r1 = card(sam, 'Harbor Food Pantry');
    await r1.getByRole('button', { name: "Couldn't get help", exact: true }).focus();
    await sam.keyboard.press('Enter');
    // a status that carries a reason asks why (optional) before saving
    const why = r1.getByRole('radiogroup', { name: 'Why? (optional)' });
    await why.waitFor();
    expect(await statusOf(R1)).toBe('not_updated');
    await checkScreen(sam, 'portal-why-en-360');
    await why.getByRole('radio', { name: 'No way to get there' }).focus();
    await sam.keyboard.press('Space');
    await r1.getByRole('button', { name: "Save: Couldn't get help" }).focus();
    await sam.keyboard.press('Enter');
    await r1.getByRole('button', { name: "Couldn't get help (current)" }).waitFor();
    await waitUntil('R1 updated', async () => (await statusOf(R1)) === 'couldnt_get_help');
    await r1.getByText('Reason: No way to get there').waitFor();
    const [{ status_reason }] = await sql<{ status_reason: string }>(
      'select status_reason from public.referrals where id = $1',
      [R1],
    );
    expect(status_reason).toBe('transport');
    await expect.poll(() => helenRow.getByRole('combobox').inputValue(), { timeout: 10_000 }).toBe('couldnt_get_help');
    const helen = await signIn('helen@eastside.example');
    const { data } = await helen.from('referrals').select('status').eq('id', R1).single();
    expect(data!.status).toBe('couldnt_get_help');
  });

  it('Sam switches to Spanish and chooses text messages; both are saved and the page is accessible', async () => {
    await sam.getByRole('button', { name: 'Ver esta página en español' }).click();
    await sam.getByRole('heading', { level: 1, name: 'Hola, Sam' }).waitFor();
    const r4 = card(sam, 'Bright Futures Job Training');
    expect(await r4.innerText()).toContain('Recibió ayuda');
    expect(await r4.innerText()).toContain('Qué hacer ahora');
    await waitUntil('language saved', async () => {
      const [row] = await sql<{ preferred_language: string }>(
        `select preferred_language from public.seekers where id = $1`,
        [SAM],
      );
      return row!.preferred_language === 'es';
    });
    await sam.getByRole('radio', { name: 'Mensaje de texto' }).check();
    await waitUntil('contact saved', async () => {
      const [row] = await sql<{ preferred_contact: string }>(
        `select preferred_contact from public.seekers where id = $1`,
        [SAM],
      );
      return row!.preferred_contact === 'text';
    });
    await expect
      .poll(() =>
        sam
          .getByRole('status')
          .filter({ hasText: /^Guardado$/ })
          .count(),
      )
      .toBe(1);
    await noHorizontalScroll(sam);
    await sam.getByText('Harbor Food Pantry suele responder en 2 días hábiles.').waitFor();
    await checkScreen(sam, 'portal-referrals-es-360');

    // a reload keeps Spanish (it is Sam's saved preference)
    await sam.reload();
    await sam.getByRole('heading', { level: 1, name: 'Hola, Sam' }).waitFor();
    expect(await sam.getByRole('radio', { name: 'Mensaje de texto' }).isChecked()).toBe(true);
  });

  it('a status changed by the program shows up in the portal without a reload', async () => {
    const dana = await signIn('dana@brightfutures.example');
    await dana.from('referrals').update({ status: 'pending' }).eq('id', R4);
    const r4 = card(sam, 'Bright Futures Job Training');
    await expect.poll(async () => r4.innerText(), { timeout: 10_000 }).toContain('Pendiente');
  });
});
