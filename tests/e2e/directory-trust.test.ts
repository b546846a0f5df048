/**
 * A directory people can trust, end to end in Chromium against the built app
 * and the test stack: Clara marks Harbor Food Pantry "waitlist, about 2 weeks"
 * from the Inbound dashboard; Helen sees it in Start a Referral, filters to
 * programs accepting referrals, and confirms a referral to Safe Haven Housing,
 * which is not accepting; Helen reports a wrong phone number on Harbor; Clara
 * corrects the listing and resolves the report; Helen sees the outcome. Every
 * screen is scanned by axe and photographed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeDb, resetDb, signIn, sql } from '../support/stack.ts';
import { programs, seekers, users } from '../db/world.ts';
import { fileBrowser } from './support/browser.ts';
import { appUrl, checkScreen, signInAs } from './support/app.ts';

const browser = fileBrowser();
let clara: Page;
let helen: Page;

async function open(email: string, next: string) {
  const { page } = await browser.page();
  await signInAs(page, email, next);
  return page;
}

beforeAll(async () => {
  await resetDb();
  // Carl has marked Safe Haven Housing full
  const carl = await signIn(users.carl.email);
  const { error } = await carl.from('programs').update({ capacity: 'not_accepting' }).eq('id', programs.safeHaven);
  expect(error).toBeNull();
});

afterAll(closeDb);

describe('capacity, freshness and reports in the browser', () => {
  it('Clara marks Harbor "waitlist, about 2 weeks" from the Inbound dashboard in two clicks', async () => {
    clara = await open(users.clara.email, '/inbound');
    const panel = clara.getByRole('region', { name: 'Your programs in the directory' });
    const capacity = panel.getByRole('button', { name: /^Capacity of Harbor Food Pantry: Capacity unknown/ });
    await capacity.waitFor();
    await checkScreen(clara, 'directory-01-inbound-programs');
    await capacity.click(); // 1
    await clara.getByRole('menuitem', { name: 'Waitlist, about 2 weeks' }).click(); // 2
    await panel.getByRole('button', { name: /^Capacity of Harbor Food Pantry: Waitlist, about 2 weeks/ }).waitFor();
    await panel.getByText('Capacity updated today.').waitFor();
    const [row] = await sql<{ capacity: string; capacity_wait: string; capacity_updated_by: string }>(
      'select capacity, capacity_wait, capacity_updated_by from public.programs where id = $1',
      [programs.harbor],
    );
    expect(row).toEqual({ capacity: 'waitlist', capacity_wait: 'about 2 weeks', capacity_updated_by: users.clara.id });
  });

  it('Helen sees capacity on the cards, filters to accepting only, and sees the waitlist band on Connect', async () => {
    helen = await open(users.helen.email, `/people/${seekers.sam}/refer`);
    const list = helen.getByRole('list', { name: 'Programs' });
    const harbor = list.getByRole('listitem').filter({ hasText: 'Harbor Food Pantry' });
    await harbor.getByText('Waitlist, about 2 weeks').waitFor();
    await harbor.getByText('updated today').waitFor();
    await harbor.getByText('Information not checked yet').waitFor();
    const safeHaven = list.getByRole('listitem').filter({ hasText: 'Safe Haven Housing' });
    await safeHaven.getByText('Not accepting referrals').waitFor();
    await checkScreen(helen, 'directory-02-start-referral-capacity');

    await helen.getByRole('checkbox', { name: /Accepting referrals only/ }).check();
    await expect.poll(() => list.getByRole('heading').allTextContents()).toEqual(['Harbor Food Pantry']);
    await checkScreen(helen, 'directory-03-accepting-only');
    await helen.getByRole('checkbox', { name: /Accepting referrals only/ }).uncheck();
    await expect.poll(() => list.getByRole('heading').count()).toBe(3);

    await helen.getByRole('button', { name: 'Connect Sam Seeker with Harbor Food Pantry' }).click();
    // Sam already has an open referral to Harbor (R1): that is asked first
    await helen
      .getByRole('dialog', { name: 'Already referred to Harbor Food Pantry' })
      .getByRole('button', { name: 'Refer again', exact: true })
      .click();
    const form = helen.getByRole('form', { name: 'Connect Sam Seeker with Harbor Food Pantry' });
    await form.getByText('The wait is about 2 weeks.', { exact: false }).waitFor();
    await checkScreen(helen, 'directory-04-connect-waitlist');
    await form.getByRole('button', { name: 'Cancel' }).click();
    await form.waitFor({ state: 'detached' });
  });

  it('Helen confirms a referral to Safe Haven, which is not accepting, and its history says so', async () => {
    await helen.getByRole('button', { name: 'Connect Sam Seeker with Safe Haven Housing' }).click();
    const confirm = helen.getByRole('dialog', { name: 'Safe Haven Housing is not accepting referrals' });
    await confirm.waitFor();
    await checkScreen(helen, 'directory-05-confirm-not-accepting');
    await confirm.getByRole('button', { name: 'Refer anyway' }).click();
    const form = helen.getByRole('form', { name: 'Connect Sam Seeker with Safe Haven Housing' });
    await form.getByRole('checkbox', { name: /Sam Seeker agrees to share/ }).check();
    await form.getByRole('button', { name: 'Send referral' }).click();
    await helen.waitForURL(/\?referral=/);
    const referralId = new URL(helen.url()).searchParams.get('referral')!;
    await helen
      .getByRole('dialog', { name: 'Referral' })
      .getByRole('list', { name: 'History' })
      .getByText(/made the referral although the program said it was not accepting referrals/)
      .waitFor({ timeout: 30_000 });
    const events = await sql<{ event_type: string }>(
      'select event_type from public.referral_events where referral_id = $1 order by id',
      [referralId],
    );
    expect(events.map((e) => e.event_type)).toEqual(['created', 'referred_not_accepting']);
  });

  it('Helen reports a wrong phone number on Harbor', async () => {
    await helen.goto(appUrl(`/people/${seekers.sam}/refer`));
    await helen.getByRole('button', { name: 'Report wrong information about Harbor Food Pantry' }).click();
    const dialog = helen.getByRole('form', { name: 'Report wrong information about Harbor Food Pantry' });
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await dialog.getByText('Choose what is wrong').waitFor();
    await dialog.getByRole('combobox', { name: 'What is wrong' }).selectOption('phone');
    await dialog
      .getByRole('textbox', { name: /Details/ })
      .fill('It rings a fax machine. The pantry desk is (512) 555-0142.');
    await checkScreen(helen, 'directory-06-report-dialog');
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await dialog.waitFor({ state: 'detached' });
    const [report] = await sql<{ reason: string; status: string; reported_by: string }>(
      'select reason, status, reported_by from public.program_reports where program_id = $1',
      [programs.harbor],
    );
    expect(report).toEqual({ reason: 'phone', status: 'open', reported_by: users.helen.id });
  });

  it('Clara corrects the phone number and resolves the report; Helen sees the outcome', async () => {
    await clara.goto(appUrl('/inbound'));
    const panel = clara.getByRole('region', { name: 'Your programs in the directory' });
    await panel.getByRole('link', { name: '1 open report of wrong information' }).waitFor();
    await panel.getByRole('button', { name: 'Edit the listing of Harbor Food Pantry' }).click();
    const edit = clara.getByRole('form', { name: 'Edit the listing of Harbor Food Pantry' });
    await edit.getByRole('textbox', { name: 'Phone' }).fill('(512) 555-0142');
    await checkScreen(clara, 'directory-07-edit-listing');
    await edit.getByRole('button', { name: 'Save listing' }).click();
    await edit.waitFor({ state: 'detached' });
    await panel.getByText('Information checked today').waitFor();

    await panel.getByRole('link', { name: '1 open report of wrong information' }).click();
    await clara.waitForURL(/\/directory-reports$/);
    const queue = clara.getByRole('region', { name: 'Reports on your programs' });
    const item = queue.getByRole('listitem', { name: 'Harbor Food Pantry: The phone number is wrong' });
    await item.getByText('Reported by Helen H. · Eastside Community Clinic', { exact: false }).waitFor();
    await checkScreen(clara, 'directory-08-report-queue');
    await item.getByRole('textbox', { name: /What you did/ }).fill('Phone number corrected to (512) 555-0142.');
    await item.getByRole('button', { name: 'Resolve' }).click();
    await item.getByText('Resolved', { exact: true }).waitFor();

    const [row] = await sql<{ phone: string; verified_by: string }>(
      'select phone, verified_by from public.programs where id = $1',
      [programs.harbor],
    );
    expect(row).toEqual({ phone: '(512) 555-0142', verified_by: users.clara.id });

    await helen.goto(appUrl('/directory-reports'));
    const mine = helen.getByRole('region', { name: 'Reports you made' });
    await mine.getByText('Outcome: Phone number corrected to (512) 555-0142.').waitFor();
    await mine.getByText('Resolved', { exact: true }).waitFor();
    // Helen claims for no program: nothing to resolve
    await helen
      .getByRole('region', { name: 'Reports on your programs' })
      .getByText(/Nobody has reported wrong information about your programs/)
      .waitFor();
    await checkScreen(helen, 'directory-09-my-reports');
  });
});
