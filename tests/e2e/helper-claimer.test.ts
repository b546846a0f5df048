/**
 * The helper and claimer app end to end, in Chromium against the built app and
 * the test stack, as the seeded people (docs/seeded-world.md): Helen finds Sam and his
 * referral R1, refers him to Safe Haven Housing; Carl sees it come in and marks
 * it Eligible with the keyboard alone; Helen sees that live; notes and goals;
 * Walter sees none of it. Every screen visited is scanned by axe and
 * photographed into test-results/screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeDb, resetDb, sql } from '../support/stack.ts';
import { fileBrowser } from './support/browser.ts';
import { appUrl, checkScreen, signInAs } from './support/app.ts';

const browser = fileBrowser();
let helen: Page;
let carl: Page;
let samId: string;
let newReferralId: string;

async function open(email: string, next?: string, size?: { width: number; height: number }) {
  const { page } = await browser.page(size);
  await signInAs(page, email, next);
  return page;
}

const drawer = (page: Page) => page.getByRole('dialog', { name: 'Referral' });

beforeAll(async () => {
  await resetDb();
  const rows = await sql<{ id: string }>(`select id from public.seekers where email = 'sam@seeker.example'`);
  samId = rows[0]!.id;
});

afterAll(async () => {
  await closeDb();
});

describe('helpers and claimers in the browser', () => {
  it('sign-in screen is accessible and refuses a wrong password in plain words', async () => {
    const { page } = await browser.page();
    await page.goto(appUrl('/people'));
    await page.waitForURL(/\/sign-in\?next=%2Fpeople/);
    await checkScreen(page, '01-sign-in');
    await page.getByRole('textbox', { name: /^Email/ }).fill('helen@eastside.example');
    await page.getByRole('textbox', { name: /^Password/ }).fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('That email and password do not match an account.');
  });

  it('Helen finds Sam Seeker and sees R1 with its status, comment and history', async () => {
    helen = await open('helen@eastside.example');
    await expect.poll(() => helen.getByRole('heading', { level: 1 }).textContent()).toBe("People I'm Helping");
    await helen.getByRole('searchbox', { name: /Search people/ }).fill('Sam');
    await helen.getByRole('link', { name: 'Sam Seeker' }).waitFor();
    expect(await helen.getByRole('table').getByRole('row').count()).toBe(2); // header + Sam
    await checkScreen(helen, '02-people');

    await helen.getByRole('link', { name: 'Sam Seeker' }).click();
    await helen.waitForURL(new RegExp(`/people/${samId}$`));
    await helen.getByRole('heading', { name: 'Navigation History' }).waitFor();
    const r1Row = helen.getByRole('row', { name: /Harbor Food Pantry/ });
    await r1Row.waitFor();
    expect(
      await r1Row.getByRole('combobox', { name: /Status of Sam Seeker's referral to Harbor Food Pantry/ }).inputValue(),
    ).toBe('not_updated');
    await checkScreen(helen, '03-seeker-profile');

    await r1Row.getByRole('button', { name: /^Open/ }).click();
    const d = drawer(helen);
    await d.getByRole('heading', { name: 'Harbor Food Pantry' }).waitFor();
    expect(await d.getByRole('combobox', { name: 'Status' }).inputValue()).toBe('not_updated');
    await d.getByText('Sam and his daughter need groceries').waitFor();
    await d
      .getByRole('list', { name: 'History' })
      .getByText(/Helen H\. · Eastside Community Clinic/)
      .first()
      .waitFor();
    expect(await d.getByRole('list', { name: 'History' }).textContent()).toContain('made the referral');
    await checkScreen(helen, '04-referral-drawer');
    await d.getByRole('button', { name: 'Close referral' }).click();
  });

  it('Helen starts a referral at 78702 and refers Sam to Safe Haven Housing from Eastside', async () => {
    await helen.getByRole('link', { name: 'Start a Referral' }).click();
    await helen.waitForURL(new RegExp(`/people/${samId}/refer$`));
    await helen.getByRole('status').filter({ hasText: 'You are helping Sam Seeker' }).waitFor();
    expect(await helen.getByRole('textbox', { name: 'ZIP code' }).inputValue()).toBe('78702');
    const programs = helen.getByRole('list', { name: 'Programs' });
    await programs.getByRole('heading').first().waitFor();
    expect(await programs.getByRole('heading').first().textContent()).toBe('Harbor Food Pantry');
    await checkScreen(helen, '05-start-referral');

    await helen.getByRole('searchbox', { name: /Search programs/ }).fill('housing');
    await expect.poll(() => programs.getByRole('heading').allTextContents()).toEqual(['Safe Haven Housing']);
    await helen.getByRole('button', { name: 'Connect Sam Seeker with Safe Haven Housing' }).click();
    const form = helen.getByRole('form', { name: 'Connect Sam Seeker with Safe Haven Housing' });
    await form.waitFor();
    expect(await form.getByRole('textbox', { name: 'Email' }).inputValue()).toBe('sam@seeker.example');
    // Helen belongs to one site only, so there is nothing to choose: it is made from Eastside.
    expect(await form.getByRole('combobox', { name: 'Refer from' }).count()).toBe(0);
    await form
      .getByRole('textbox', { name: /Message to the program and the client/ })
      .fill('Sam needs a safe place to stay from next week.');
    await form.getByRole('button', { name: 'Send referral' }).click();
    await form.getByText('The person must agree before their details are shared').waitFor();
    await checkScreen(helen, '06-connect-form');
    await form.getByRole('checkbox', { name: /Sam Seeker agrees to share/ }).check();
    await form.getByRole('button', { name: 'Send referral' }).click();

    await helen.waitForURL(new RegExp(`/people/${samId}\\?referral=`));
    newReferralId = new URL(helen.url()).searchParams.get('referral')!;
    const d = drawer(helen);
    await d.getByRole('heading', { name: 'Safe Haven Housing' }).waitFor();
    await d.getByText('Sam needs a safe place to stay from next week.').waitFor();
    const [row] = await sql<{ from_site: string; status: string }>(
      `select s.name as from_site, r.status from public.referrals r join public.sites s on s.id = r.from_site_id where r.id = $1`,
      [newReferralId],
    );
    expect(row).toEqual({ from_site: 'Eastside Community Clinic', status: 'not_updated' });
    // the drawer reads the new referral by id; the person's list shows it once it has been read again
    await expect.poll(() => helen.getByRole('row', { name: /Safe Haven Housing/ }).count()).toBe(1);
  });

  it('Carl sees it on Inbound Referrals and marks it Eligible with the keyboard alone', async () => {
    carl = await open('carl@safehaven.example', '/inbound');
    await carl.getByRole('heading', { name: 'Inbound Referrals' }).waitFor();
    const label = "Status of Sam Seeker's referral to Safe Haven Housing";
    const status = carl.getByRole('combobox', { name: label });
    await status.waitFor();
    expect(await status.inputValue()).toBe('not_updated');
    expect(
      await carl
        .getByRole('main')
        .getByText(/\d+ not updated/)
        .textContent(),
    ).toMatch(/^[1-9]\d* not updated$/);
    await checkScreen(carl, '07-inbound');

    // Keyboard only: Tab from the top of the page to the status control, then type to choose.
    await carl.locator('body').focus();
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await carl.keyboard.press('Tab');
      reached = await carl.evaluate((l) => document.activeElement?.getAttribute('aria-label') === l, label);
    }
    expect(reached, 'the status control is reachable with Tab').toBe(true);
    // Choosing saves nothing: the box keeps the focus and Save appears; no request is sent.
    const writes: string[] = [];
    carl.on('request', (r) => {
      if (r.method() === 'PATCH' && r.url().includes('/rest/v1/referrals')) writes.push(r.url());
    });
    await carl.keyboard.press('e');
    await expect.poll(() => status.inputValue()).toBe('eligible');
    const save = carl.getByRole('button', {
      name: "Save the status of Sam Seeker's referral to Safe Haven Housing: Eligible",
    });
    await save.waitFor();
    expect(await carl.evaluate((l) => document.activeElement?.getAttribute('aria-label') === l, label)).toBe(true);
    // Tab to Save, Enter: now it is saved (the one write of this test, so none was sent before)
    await carl.keyboard.press('Tab');
    expect(await save.evaluate((el) => el === document.activeElement)).toBe(true);
    await carl.keyboard.press('Enter');
    await expect
      .poll(
        async () =>
          (await sql<{ status: string }>(`select status from public.referrals where id = $1`, [newReferralId]))[0]!
            .status,
      )
      .toBe('eligible');
    await carl.getByText('Saved: Eligible.').waitFor();
    expect(writes).toHaveLength(1);
    // the keyboard is back on the status box, not at the top of the page
    expect(await carl.evaluate((l) => document.activeElement?.getAttribute('aria-label') === l, label)).toBe(true);
    await checkScreen(carl, '08-inbound-after-change');
  });

  it("Helen sees the new status and Carl's history line without reloading", async () => {
    const d = drawer(helen);
    await expect
      .poll(() => d.getByRole('combobox', { name: 'Status' }).inputValue(), { timeout: 10_000 })
      .toBe('eligible');
    await d
      .getByRole('list', { name: 'History' })
      .getByText('Carl D. · Safe Haven Housing')
      .waitFor({ timeout: 10_000 });
    expect(await d.getByRole('list', { name: 'History' }).textContent()).toContain(
      'Carl D. · Safe Haven Housing changed the status from Not updated to Eligible',
    );
    await checkScreen(helen, '09-helen-sees-eligible');
  });

  it('Helen adds a note and deletes it; the history keeps both', async () => {
    const d = drawer(helen);
    await d.getByRole('button', { name: 'Add Note' }).click();
    await d.getByRole('textbox', { name: 'New note' }).fill('Called Safe Haven; intake is on Thursday.');
    await d.getByRole('button', { name: 'Save note' }).click();
    const notes = d.getByRole('list', { name: 'Notes' });
    await notes.getByText('Called Safe Haven; intake is on Thursday.').waitFor();
    await d.getByRole('list', { name: 'History' }).getByText('added a note').waitFor();
    await checkScreen(helen, '10-note-added');

    await notes.getByRole('button', { name: /Delete note "Called Safe Haven/ }).click();
    const confirm = helen.getByRole('dialog', { name: 'Delete this note?' });
    await confirm.waitFor();
    await checkScreen(helen, '11-delete-note-confirm');
    await confirm.getByRole('button', { name: 'Delete note' }).click();
    await d.getByText(/No notes yet/).waitFor();
    await d.getByRole('list', { name: 'History' }).getByText('deleted a note').waitFor();
    const history = await d.getByRole('list', { name: 'History' }).textContent();
    expect(history).toContain('Helen H. · Eastside Community Clinic added a note');
    expect(history).toContain('Helen H. · Eastside Community Clinic deleted a note');
  });

  it('Helen adds R1 to a goal, moves it to another and removes it', async () => {
    await helen.getByRole('button', { name: 'Close referral' }).click();
    await helen
      .getByRole('row', { name: /Harbor Food Pantry/ })
      .getByRole('button', { name: /^Open/ })
      .click();
    const d = drawer(helen);
    await d.getByRole('heading', { name: 'Harbor Food Pantry' }).waitFor();
    const goal = d.getByRole('combobox', { name: 'Add to a Goal' });
    const history = d.getByRole('list', { name: 'History' });
    const goalTitles = (await goal.locator('option').allTextContents()).filter(
      (t) => t !== 'Not in a goal' && t !== 'Remove from goal',
    );
    expect(goalTitles.length).toBeGreaterThanOrEqual(2);
    const [first, second] = goalTitles as [string, string];

    // The seed may already have R1 in a goal: start from "not in a goal".
    if ((await goal.inputValue()) !== '') {
      await goal.selectOption({ label: 'Remove from goal' });
      await expect.poll(() => d.getByText('Not in a goal').first().isVisible()).toBe(true);
      await history
        .getByText(/removed the referral from the goal/)
        .first()
        .waitFor();
    }
    const removedBefore = await history.getByText(/removed the referral from the goal/).count();

    await goal.selectOption({ label: first });
    await history.getByText(`added the referral to the goal "${first}"`).first().waitFor();
    await expect.poll(() => goal.inputValue()).not.toBe('');
    await goal.selectOption({ label: second });
    await history.getByText(`moved the referral to the goal "${second}"`).waitFor();
    await checkScreen(helen, '12-goal-moved');
    await goal.selectOption({ label: 'Remove from goal' });
    await expect
      .poll(() => history.getByText(`removed the referral from the goal "${second}"`).count(), { timeout: 10_000 })
      .toBe(1);
    expect(await history.getByText(/removed the referral from the goal/).count()).toBe(removedBefore + 1);
    await expect.poll(() => goal.inputValue()).toBe('');
  });

  it('Helen sees the referral she made under My referrals', async () => {
    await helen.getByRole('button', { name: 'Close referral' }).click();
    await drawer(helen).waitFor({ state: 'hidden' });
    await helen.getByRole('link', { name: 'My referrals' }).click();
    await helen.getByRole('heading', { name: 'My referrals', level: 1 }).waitFor();
    const row = helen.getByRole('row', { name: /Safe Haven Housing/ });
    await row.waitFor();
    expect(await row.getByRole('combobox').inputValue()).toBe('eligible');
    await checkScreen(helen, '13-my-referrals');
  });

  it('Walter sees none of this', async () => {
    const walter = await open('walter@westside.example');
    await walter.getByRole('heading', { name: "People I'm Helping" }).waitFor();
    await walter.getByRole('searchbox', { name: /Search people/ }).fill('Sam');
    await walter.getByText(/Nobody matches/).waitFor();
    await checkScreen(walter, '14-walter-people');

    await walter.goto(appUrl(`/people/${samId}?referral=${newReferralId}`));
    await walter.getByRole('heading', { name: 'Person not available' }).waitFor();
    await checkScreen(walter, '15-walter-sam-profile');

    await walter.getByRole('link', { name: 'My referrals' }).click();
    await walter.getByRole('heading', { name: 'My referrals', level: 1 }).waitFor();
    await walter.getByText(/have not made any referrals yet/).waitFor();
    expect(await walter.getByText('Safe Haven Housing').count()).toBe(0);
    expect(await walter.getByRole('link', { name: 'Inbound Referrals' }).count()).toBe(0);
  });

  it('works on a phone-sized screen', async () => {
    const phone = await open('clara@harbor.example', '/inbound', { width: 390, height: 844 });
    await phone.getByRole('heading', { name: 'Inbound Referrals' }).waitFor();
    await phone.getByRole('button', { name: 'Open navigation' }).click();
    await phone.getByRole('link', { name: "People I'm Helping" }).waitFor();
    await checkScreen(phone, '16-phone-navigation');
    await phone.getByRole('button', { name: 'Close navigation' }).click();
    await phone.getByRole('button', { name: /^Open Sam Seeker's referral to Harbor Food Pantry/ }).waitFor();
    await checkScreen(phone, '17-phone-inbound');
    await phone.getByRole('button', { name: /^Open Sam Seeker's referral to Harbor Food Pantry/ }).click();
    await drawer(phone).getByRole('heading', { name: 'Harbor Food Pantry' }).waitFor();
    await checkScreen(phone, '18-phone-referral');
  });
});
