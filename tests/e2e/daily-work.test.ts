/**
 * The daily work in Chromium, with an axe scan of every screen: how to reach
 * the person where program staff work, a walk-in's preferred contact, the
 * Today worklist, a bulk status change, the note for the program only kept
 * from the seeker, Dana's "Refer from", "Already referred", a search without
 * a ZIP code and the printable summary.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeDb, mail, resetDb, sql } from '../support/stack.ts';
import { fileBrowser } from './support/browser.ts';
import { appUrl, checkScreen, signInAs } from './support/app.ts';

const browser = fileBrowser();
const SAM = '40000000-0000-4000-8000-000000000001';
const R1 = '50000000-0000-4000-8000-000000000001';
const CLARA = '10000000-0000-4000-8000-000000000005';
const WENDY = '10000000-0000-4000-8000-000000000003';

/** A write as a signed-in person would make it through the API (their rules, triggers, history), in one transaction. */
async function asUser(userId: string, statement: string) {
  await sql(
    `begin;
     select set_config('request.jwt.claims', '{"sub":"${userId}","role":"authenticated"}', true);
     set local role authenticated;
     ${statement};
     commit;`,
  );
}

async function open(email: string, next?: string): Promise<Page> {
  const { page } = await browser.page();
  await signInAs(page, email, next);
  return page;
}

beforeAll(resetDb);
beforeEach(resetDb);
afterAll(closeDb);

describe('the daily work', () => {
  it('Clara sees how to reach Sam on Inbound and at the top of the referral', async () => {
    const clara = await open('clara@harbor.example', '/inbound');
    const row = clara.getByRole('row', { name: /Sam Seeker/ });
    await row.waitFor();
    await row.getByRole('link', { name: '(512) 555-0199' }).waitFor();
    expect(await row.getByRole('link', { name: '(512) 555-0199' }).getAttribute('href')).toBe('tel:5125550199');
    expect(await row.innerText()).toContain('Best way: Email');
    await checkScreen(clara, '60-inbound-person-contact');

    await row.getByRole('button', { name: /^Open Sam Seeker/ }).click();
    const panel = clara.getByRole('region', { name: 'How to reach Sam Seeker' });
    await panel.waitFor();
    expect(await panel.getByRole('link', { name: 'Call (512) 555-0199' }).getAttribute('href')).toBe('tel:5125550199');
    expect(await panel.getByRole('link', { name: 'sam@seeker.example' }).getAttribute('href')).toBe(
      'mailto:sam@seeker.example',
    );
    await checkScreen(clara, '61-referral-panel-contact');

    // Sam asks not to be reached: his name only, no phone or email
    await sql(`update public.seekers set preferred_contact = 'none' where id = $1`, [SAM]);
    await clara.goto(appUrl('/inbound'));
    await expect.poll(() => row.innerText()).toContain("Don't reach out");
    expect(await row.innerText()).not.toContain('555-0199');
    expect(await row.innerText()).not.toContain('sam@seeker.example');
  });

  it('a walk-in with only a phone is reached by text, never by email', async () => {
    const henry = await open('henry@eastside.example');
    await henry.getByRole('button', { name: 'Add a person' }).click();
    const dialog = henry.getByRole('dialog', { name: 'Add a person' });
    await dialog.getByRole('textbox', { name: /First name/ }).fill('Walker');
    await dialog.getByRole('textbox', { name: 'Phone' }).fill('512-555-0160');
    const contact = dialog.getByRole('combobox', { name: 'Preferred contact' });
    expect(await contact.inputValue()).toBe('text');
    await contact.selectOption({ label: 'Email' });
    await dialog.getByRole('button', { name: 'Add person' }).click();
    await dialog.getByText(/Email needs an email address/).waitFor();
    await checkScreen(henry, '62-walk-in-contact');
    await contact.selectOption({ label: 'Text message' });
    await dialog.getByRole('button', { name: 'Add person' }).click();
    await henry.getByRole('heading', { name: 'Walker', level: 1 }).waitFor();
    const [row] = await sql<{ preferred_contact: string }>(
      `select preferred_contact from public.seekers where first_name = 'Walker'`,
    );
    expect(row!.preferred_contact).toBe('text');
  });

  it('the Today worklist shows how long people have waited and what changed since Helen looked', async () => {
    await sql(`update public.referrals set created_at = now() - interval '3 days' where id = $1`, [R1]);
    const clara = await open('clara@harbor.example', '/');
    await clara.waitForURL(/\/today$/);
    const waiting = clara.getByRole('region', { name: 'Waiting for your programs' });
    await waiting.getByRole('row', { name: /Sam Seeker/ }).waitFor();
    expect(await waiting.getByRole('row', { name: /Sam Seeker/ }).innerText()).toContain('Waiting 3 days');
    expect(await clara.getByRole('link', { name: /Inbound Referrals 1 not updated/ }).count()).toBe(1);
    await checkScreen(clara, '63-today-claimer');

    await asUser(CLARA, `update public.referrals set status = 'pending' where id = '${R1}'`);
    const helen = await open('helen@eastside.example', '/today');
    const changed = helen.getByRole('region', { name: 'Changed since you last looked' });
    await changed.getByRole('row', { name: /Sam Seeker/ }).waitFor();
    await checkScreen(helen, '64-today-helper');
    await changed.getByRole('button', { name: /^Open Sam Seeker/ }).click();
    await helen.getByRole('region', { name: 'How to reach Sam Seeker' }).waitFor();
    await helen.getByRole('button', { name: 'Close referral' }).click();
    await changed.getByText('Nothing has changed on your referrals since you last looked.').waitFor();
  });

  it('Clara changes two referrals at once, in a dialog that changes nothing until confirmed; the badge filters', async () => {
    // a second referral to Harbor, so two are not updated
    await asUser(
      WENDY,
      `insert into public.referrals (seeker_id, program_id, from_site_id) values ('40000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000002')`,
    );
    const clara = await open('clara@harbor.example', '/inbound');
    await clara.getByRole('link', { name: /2 not updated: show only those/ }).click();
    await clara.waitForURL(/status=not_updated/);
    await clara.getByRole('row', { name: /Rita Rivera/ }).waitFor();
    await clara.reload(); // the filter lives in the URL
    await clara.getByRole('row', { name: /Rita Rivera/ }).waitFor();
    expect(await clara.getByRole('combobox', { name: 'Status', exact: true }).inputValue()).toBe('not_updated');

    await clara.getByRole('checkbox', { name: /Select Sam Seeker's referral/ }).check();
    await clara.getByRole('checkbox', { name: /Select Rita Rivera's referral/ }).check();
    await clara.getByRole('button', { name: 'Change status of 2 selected…' }).click();
    const dialog = clara.getByRole('dialog', { name: 'Change the status of 2 referrals' });
    await dialog.getByRole('combobox', { name: /New status/ }).selectOption({ label: 'Pending' });
    await checkScreen(clara, '65-bulk-status');
    const [before] = await sql<{ n: number }>(
      `select count(*)::int n from public.referrals where program_id = '30000000-0000-4000-8000-000000000001' and status = 'pending'`,
    );
    expect(before!.n).toBe(0);
    await dialog.getByRole('button', { name: 'Change 2 referrals to Pending' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect
      .poll(async () => {
        const [row] = await sql<{ n: number }>(
          `select count(*)::int n from public.referrals where program_id = '30000000-0000-4000-8000-000000000001' and status = 'pending'`,
        );
        return row!.n;
      })
      .toBe(2);
    // under "Not updated", the changed rows stay, marked, until the list is refreshed
    await clara.getByText('Changed · no longer matches the filters').first().waitFor();
    expect(await clara.getByText('Changed · no longer matches the filters').count()).toBe(2);
    await checkScreen(clara, '66-rows-kept');
    await clara.getByRole('button', { name: /Refresh the list/ }).click();
    await clara.getByText('No referrals match these filters.').waitFor();
  });

  it('a bulk change to a status that carries a reason asks for one reason, the same list as a single change', async () => {
    await asUser(
      WENDY,
      `insert into public.referrals (seeker_id, program_id, from_site_id) values ('40000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000002')`,
    );
    const harborStatuses = () =>
      sql<{ status: string; status_reason: string | null }>(
        `select status, status_reason from public.referrals
          where program_id = '30000000-0000-4000-8000-000000000001' and seeker_id in ($1, '40000000-0000-4000-8000-000000000002')
          order by seeker_id`,
        [SAM],
      );
    const clara = await open('clara@harbor.example', '/inbound');
    await clara.getByRole('checkbox', { name: /Select Sam Seeker's referral/ }).check();
    await clara.getByRole('checkbox', { name: /Select Rita Rivera's referral/ }).check();
    await clara.getByRole('button', { name: 'Change status of 2 selected…' }).click();
    const dialog = clara.getByRole('dialog', { name: 'Change the status of 2 referrals' });
    await dialog.getByRole('combobox', { name: /New status/ }).selectOption({ label: 'Not eligible' });
    const reason = dialog.getByRole('combobox', { name: /^Reason/ });
    // the reasons of a single change, for this status
    await expect.poll(() => reason.locator('option').allTextContents()).toContain('Income above the limit');
    await dialog.getByRole('button', { name: 'Change 2 referrals to Not eligible' }).click();
    await dialog.getByText('Choose a reason for "Not eligible".').waitFor();
    await checkScreen(clara, '65b-bulk-status-reason');
    // refused before anything was sent: both are as they were
    expect(await harborStatuses()).toEqual([
      { status: 'not_updated', status_reason: null },
      { status: 'not_updated', status_reason: null },
    ]);

    await reason.selectOption({ label: 'Income above the limit' });
    await dialog.getByRole('textbox', { name: /Details/ }).fill('Over the limit for both households.');
    await dialog.getByRole('button', { name: 'Change 2 referrals to Not eligible' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(harborStatuses).toEqual([
      { status: 'not_eligible', status_reason: 'income' },
      { status: 'not_eligible', status_reason: 'income' },
    ]);
    // and each referral's history keeps the reason with its words
    const history = await sql<{ status_reason: string; status_reason_text: string }>(
      `select e.status_reason, e.status_reason_text from public.referral_events e
         join public.referrals r on r.id = e.referral_id
        where e.event_type = 'status_changed' and e.to_status = 'not_eligible'
          and r.program_id = '30000000-0000-4000-8000-000000000001'`,
    );
    expect(history).toEqual([
      { status_reason: 'income', status_reason_text: 'Over the limit for both households.' },
      { status_reason: 'income', status_reason_text: 'Over the limit for both households.' },
    ]);
  });

  it('Dana refers Omar from her site by default, with a note the portal and Sam never see', async () => {
    await mail.clear();
    const dana = await open('dana@brightfutures.example', `/people/${SAM}/refer`);
    await dana.getByRole('combobox', { name: 'Acting for' }).waitFor();
    expect(await dana.getByRole('combobox', { name: 'Acting for' }).inputValue()).toMatch(/^site:/);
    // Sam already has an open referral with Bright Futures (R4, Eligible)
    const card = dana.getByRole('listitem').filter({ hasText: 'Bright Futures Job Training' });
    await card.getByText('Already referred · Eligible').waitFor();
    await checkScreen(dana, '67-already-referred');
    await dana.getByRole('button', { name: 'Connect Sam Seeker with Bright Futures Job Training' }).click();
    const confirm = dana.getByRole('dialog', { name: 'Already referred to Bright Futures Job Training' });
    await confirm.getByRole('button', { name: "Don't refer again" }).click();

    await dana.getByRole('button', { name: 'Connect Sam Seeker with Harbor Food Pantry' }).click();
    const form = dana.getByRole('form', { name: 'Connect Sam Seeker with Harbor Food Pantry' });
    expect(await form.getByRole('combobox', { name: /Refer from/ }).inputValue()).toMatch(/^site:/);
    await form.getByRole('textbox', { name: /Message to the program and the client/ }).fill('Weekend groceries.');
    await form.getByRole('textbox', { name: /Note for the program only/ }).fill('Eviction notice due Friday.');
    await form.getByRole('checkbox', { name: /agrees to share/ }).check();
    await checkScreen(dana, '68-connect-note');
    await form.getByRole('button', { name: 'Send referral' }).click();
    await dana.waitForURL(/\?referral=/);
    const [row] = await sql<{ site: string | null; note: string }>(
      `select s.name site, n.body note from public.referrals r left join public.sites s on s.id = r.from_site_id
         join public.referral_program_notes n on n.referral_id = r.id where r.comment = 'Weekend groceries.'`,
    );
    expect(row).toEqual({ site: 'Westside Family Center', note: 'Eviction notice due Friday.' });

    // Sam's email arrives with the message and without the note; the portal shows neither the note nor asks
    const toSam = await mail.waitFor(
      (m) => m.to.some((t) => t.address === 'sam@seeker.example') && m.text.includes('Weekend groceries.'),
    );
    expect(toSam.text).toContain('Weekend groceries.');
    expect(toSam.text + toSam.html).not.toContain('Eviction');
    const clara = await mail.waitFor((m) => m.to.some((t) => t.address === 'clara@harbor.example'));
    expect(clara.text).toContain('Eviction notice due Friday.');
  });

  it('programs are listed by name without a ZIP code, with an offer to save the one typed', async () => {
    await sql(`update public.seekers set zip = null where id = $1`, [SAM]);
    const helen = await open('helen@eastside.example', `/people/${SAM}/refer`);
    await helen.getByText(/has no ZIP code on their profile, so programs are listed by name/).waitFor();
    const names = () => helen.getByRole('list', { name: 'Programs' }).getByRole('heading').allTextContents();
    await expect.poll(names).toEqual(['Bright Futures Job Training', 'Harbor Food Pantry', 'Safe Haven Housing']);
    await checkScreen(helen, '69-no-zip');
    await helen.getByRole('textbox', { name: 'ZIP code' }).fill('78741');
    await helen.getByRole('button', { name: 'Change ZIP' }).click();
    await expect.poll(async () => (await names())[0]).toBe('Safe Haven Housing');
    await helen.getByRole('button', { name: "Save 78741 to Sam's profile" }).click();
    await expect
      .poll(async () => (await sql<{ zip: string }>(`select zip from public.seekers where id = $1`, [SAM]))[0]!.zip)
      .toBe('78741');
  });

  it('the printable summary names the program, how to get there and how to reach the referrer', async () => {
    const helen = await open('helen@eastside.example', `/referrals/${R1}/summary`);
    await helen.getByRole('heading', { name: 'Your referral to Harbor Food Pantry', level: 1 }).waitFor();
    const text = await helen.locator('main').innerText();
    for (const s of [
      '1100 E 7th St, Austin, TX 78702',
      '(512) 555-0101',
      'Tue and Thu 10am-6pm, Sat 9am-1pm',
      'A bag or box for your groceries.',
      'Helen H. · Eastside Community Clinic',
      '(512) 555-0111',
    ]) {
      expect(text).toContain(s);
    }
    await checkScreen(helen, '70-printable-summary');
  });
});
