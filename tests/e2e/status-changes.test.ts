/**
 * Status changes that cannot slip, with reasons and forwarding, in Chromium:
 * Clara declines Sam's referral with a reason from Inbound Referrals and
 * Helen, with it open, sees the reason arrive; a status box reached by
 * keyboard and moved with the arrow keys changes nothing until saved; an
 * undone change sends no email; Clara forwards the referral to another
 * program and both referrals show the link. axe checks every screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeDb, mail, resetDb, signIn, sql } from '../support/stack.ts';
import { R1, R2, freshWorld, outboxSettled, recipients } from '../notifications/helpers.ts';
import { fileBrowser } from './support/browser.ts';
import { checkScreen, signInAs } from './support/app.ts';

const browser = fileBrowser();
const LABEL = "Status of Sam Seeker's referral to Harbor Food Pantry";
let clara: Page;
let helen: Page;
/** PATCHes of referrals Clara's page sent. */
const writes: string[] = [];

const row = async () =>
  (
    await sql<{ status: string; status_reason: string | null; version: number }>(
      'select status, status_reason, version from public.referrals where id = $1',
      [R1],
    )
  )[0]!;

async function setGrace(seconds: number) {
  await sql('update private.notification_settings set status_change_grace_seconds = $1', [seconds]);
}

beforeAll(async () => {
  await freshWorld(resetDb);
  ({ page: helen } = await browser.page());
  await signInAs(helen, 'helen@eastside.example', `/referrals?referral=${R1}`);
  ({ page: clara } = await browser.page());
  clara.on('request', (r) => {
    if (r.method() === 'PATCH' && r.url().includes('/rest/v1/referrals')) writes.push(r.url());
  });
  await signInAs(clara, 'clara@harbor.example', '/inbound');
  await clara.getByRole('combobox', { name: LABEL }).waitFor();
});

afterAll(async () => {
  await setGrace(0);
  await closeDb();
});

describe('changing a status', () => {
  it('Clara declines with a reason from Inbound Referrals, and Helen sees the reason live', async () => {
    const status = clara.getByRole('combobox', { name: LABEL });
    await status.selectOption({ label: 'Not eligible' });
    const reason = clara.getByRole('combobox', { name: "Reason for Sam Seeker's referral to Harbor Food Pantry" });
    await reason.waitFor();
    expect(writes).toHaveLength(0);
    await reason.selectOption({ label: 'Documents missing' });
    await clara
      .getByRole('textbox', {
        name: "Details of the reason for Sam Seeker's referral to Harbor Food Pantry (optional)",
      })
      .fill('No proof of address yet');
    await checkScreen(clara, 'status-reason-inbound');
    await clara
      .getByRole('button', { name: "Save the status of Sam Seeker's referral to Harbor Food Pantry: Not eligible" })
      .click();
    await clara.getByText('Saved: Not eligible.').waitFor();
    expect(await row()).toMatchObject({ status: 'not_eligible', status_reason: 'documents' });
    expect(writes).toHaveLength(1);

    const d = helen.getByRole('dialog', { name: 'Referral' });
    await expect
      .poll(() => d.getByRole('combobox', { name: 'Status' }).inputValue(), { timeout: 10_000 })
      .toBe('not_eligible');
    await d.getByText('Documents missing', { exact: true }).waitFor({ timeout: 10_000 });
    await d.getByText('No proof of address yet', { exact: true }).waitFor();
    await d
      .getByRole('list', { name: 'History' })
      .getByText(/to Not eligible\. Reason: Documents missing \("No proof of address yet"\)/)
      .waitFor({ timeout: 10_000 });
    await checkScreen(helen, 'status-reason-helen');
  });

  it('a status box reached by keyboard and moved with the arrow keys changes nothing until saved', async () => {
    const before = await row();
    const sent = writes.length;
    const status = clara.getByRole('combobox', { name: LABEL });
    // from the search box, Tab until the status box has the focus
    await clara.getByRole('searchbox', { name: "Search by person's name" }).focus();
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await clara.keyboard.press('Tab');
      reached = await clara.evaluate((l) => document.activeElement?.getAttribute('aria-label') === l, LABEL);
    }
    expect(reached, 'the status box is reachable with Tab').toBe(true);
    await clara.keyboard.press('ArrowDown');
    await clara.keyboard.press('ArrowDown');
    await expect.poll(() => status.inputValue()).not.toBe('not_eligible');
    // what the arrows chose waits for Save; the focus stays on the box
    await clara
      .getByRole('button', { name: /^Save the status of Sam Seeker's referral to Harbor Food Pantry/ })
      .waitFor();
    await clara.getByText('Not saved yet').waitFor();
    expect(await clara.evaluate((l) => document.activeElement?.getAttribute('aria-label') === l, LABEL)).toBe(true);
    await checkScreen(clara, 'status-not-saved-yet');
    // Escape drops it
    await clara.keyboard.press('Escape');
    await expect.poll(() => status.inputValue()).toBe('not_eligible');
    expect(await clara.getByRole('button', { name: /^Save the status/ }).count()).toBe(0);
    expect(await row()).toEqual(before);
    expect(writes).toHaveLength(sent);
  });

  it('an Undo within the grace period sends no email', async () => {
    await setGrace(12);
    try {
      await outboxSettled();
      await mail.clear();
      const status = clara.getByRole('combobox', { name: LABEL });
      await status.selectOption({ label: 'Pending' });
      await clara
        .getByRole('button', { name: "Save the status of Sam Seeker's referral to Harbor Food Pantry: Pending" })
        .click();
      await clara.getByText('Saved: Pending.').waitFor();
      await checkScreen(clara, 'status-saved-undo');
      await clara.getByRole('button', { name: 'Undo' }).click();
      await clara.getByText('Change undone: the status is Not eligible again.').waitFor();
      expect(await row()).toMatchObject({ status: 'not_eligible', status_reason: 'documents' });
      expect(await clara.evaluate((l) => document.activeElement?.getAttribute('aria-label') === l, LABEL)).toBe(true);
      const held = await sql<{ state: string; last_error: string }>(
        `select state, last_error from public.notification_jobs where referral_id = $1 and to_status = 'pending'`,
        [R1],
      );
      expect(held.length).toBeGreaterThan(0);
      expect(
        held.every(
          (j) => j.state === 'not_sent' && j.last_error === 'not sent: the change was undone within the grace period',
        ),
      ).toBe(true);
      // A change made after the undo and held as long: when its emails arrive,
      // any email of the undone change (due earlier) would have come first.
      const carl = await signIn('carl@safehaven.example');
      expect((await carl.from('referrals').update({ status: 'eligible' }).eq('id', R2)).error).toBeNull();
      await mail.waitFor((m) => m.to.some((t) => t.address === 'wendy@westside.example'), 40_000);
      await outboxSettled(40_000);
      expect(recipients(await mail.list())).toEqual(['rita@seeker.example', 'wendy@westside.example']);
    } finally {
      await setGrace(0);
    }
  });

  it('Clara forwards the referral to another program, and both referrals show the link', async () => {
    await mail.clear();
    const status = clara.getByRole('combobox', { name: LABEL });
    await status.selectOption({ label: 'Referred elsewhere' });
    await clara
      .getByRole('combobox', { name: "Reason for Sam Seeker's referral to Harbor Food Pantry" })
      .selectOption({ label: 'Another program is a better fit' });
    await clara.getByRole('button', { name: 'Forward to another program…' }).click();
    const dialog = clara.getByRole('dialog', { name: 'Forward to another program' });
    await dialog.waitFor();
    await dialog.getByRole('textbox', { name: 'ZIP code' }).fill('78741');
    await dialog.getByRole('searchbox', { name: 'Search programs' }).fill('Safe Haven');
    await dialog.getByRole('radio', { name: /Safe Haven Housing/ }).check();
    // the comment is carried over
    expect(await dialog.getByRole('textbox', { name: 'Message to the program' }).inputValue()).toContain('groceries');
    await checkScreen(clara, 'forward-dialog');
    await dialog.getByRole('button', { name: 'Forward to Safe Haven Housing' }).click();
    await clara.getByText('Forwarded to Safe Haven Housing.').waitFor();
    expect((await row()).status).toBe('referred_elsewhere');
    const [made] = await sql<{ id: string; program: string }>(
      `select r.id, p.name as program from public.referrals r join public.programs p on p.id = r.program_id
        where r.forwarded_from = $1`,
      [R1],
    );
    expect(made!.program).toBe('Safe Haven Housing');

    // the original shows where it went, and opens the new one, which shows where it came from
    await clara.getByRole('button', { name: "Open Sam Seeker's referral to Harbor Food Pantry" }).click();
    const d = clara.getByRole('dialog', { name: 'Referral' });
    await d.getByRole('heading', { name: 'Harbor Food Pantry' }).waitFor();
    const to = d.getByRole('link', { name: 'Safe Haven Housing' });
    await to.waitFor();
    expect(await d.getByText(/Forwarded to/).count()).toBeGreaterThan(0);
    await checkScreen(clara, 'forwarded-to');
    await to.click();
    await d.getByRole('heading', { name: 'Safe Haven Housing' }).waitFor();
    expect(new URL(clara.url()).searchParams.get('referral')).toBe(made!.id);
    await d.getByRole('link', { name: 'Harbor Food Pantry' }).waitFor();
    expect(await d.getByText(/Forwarded from/).count()).toBeGreaterThan(0);
    await checkScreen(clara, 'forwarded-from');

    // Helen, the original's referrer, sees where it went (without a link: the new one is not hers)
    const hd = helen.getByRole('dialog', { name: 'Referral' });
    await hd.getByText(/Forwarded to/).waitFor({ timeout: 10_000 });
    expect(await hd.getByRole('link', { name: 'Safe Haven Housing' }).count()).toBe(0);
    // and one email, about the forwarding
    await mail.waitFor((m) => m.to.some((t) => t.address === 'helen@eastside.example'));
    await outboxSettled();
    const helenMail = await mail.to('helen@eastside.example');
    expect(helenMail.map((m) => m.subject)).toEqual([
      "Sam's referral to Harbor Food Pantry was forwarded to Safe Haven Housing",
    ]);
    expect((await mail.to('sam@seeker.example')).map((m) => m.subject)).toEqual([
      'Harbor Food Pantry referred you on to Safe Haven Housing',
    ]);
  });
});
