/**
 * The rest of the screens in Chromium: adding and editing a person, finding
 * them by phone; a person in several organisations choosing which one a
 * referral is made from; the Inbound Referrals filters and their empty state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeDb, resetDb, sql } from '../support/stack.ts';
import { fileBrowser } from './support/browser.ts';
import { checkScreen, signInAs } from './support/app.ts';

const browser = fileBrowser();

async function open(email: string, next?: string): Promise<Page> {
  const { page } = await browser.page();
  await signInAs(page, email, next);
  return page;
}

beforeAll(async () => {
  await resetDb();
});

afterAll(async () => {
  await closeDb();
});

describe('people, organisations and filters', () => {
  it('Henry adds a person, corrects their phone, and finds them by it', async () => {
    const henry = await open('henry@eastside.example');
    await henry.getByRole('button', { name: 'Add a person' }).click();
    const dialog = henry.getByRole('dialog', { name: 'Add a person' });
    await dialog.getByRole('textbox', { name: /First name/ }).fill('Ana');
    await dialog.getByRole('textbox', { name: 'Last name' }).fill('Lopez');
    await dialog.getByRole('textbox', { name: /ZIP code/ }).fill('787');
    await dialog.getByRole('button', { name: 'Add person' }).click();
    await dialog.getByText('Enter a five-digit ZIP code').waitFor();
    await checkScreen(henry, '30-add-person');
    await dialog.getByRole('textbox', { name: /ZIP code/ }).fill('78741');
    await dialog.getByRole('button', { name: 'Add person' }).click();
    await henry.getByRole('heading', { name: 'Ana Lopez', level: 1 }).waitFor();
    await henry.getByText('No referrals yet. Use Start a Referral').waitFor();

    await henry.getByRole('button', { name: 'Edit details' }).click();
    await henry.getByRole('textbox', { name: 'Phone' }).fill('512-555-0142');
    await henry.getByRole('combobox', { name: 'Preferred contact' }).selectOption({ label: 'Text message' });
    await henry.getByRole('button', { name: 'Save details' }).click();
    await henry.getByText('512-555-0142').waitFor();
    await henry.getByText('Text message').waitFor();
    await checkScreen(henry, '31-person-added');
    const [ana] = await sql<{ phone: string; preferred_contact: string; created_from_site_id: string | null }>(
      `select phone, preferred_contact, created_from_site_id from public.seekers where first_name = 'Ana' and last_name = 'Lopez'`,
    );
    expect(ana).toMatchObject({ phone: '512-555-0142', preferred_contact: 'text' });
    expect(ana!.created_from_site_id).not.toBeNull();

    await henry.getByRole('link', { name: "People I'm Helping" }).first().click();
    await henry.getByRole('searchbox', { name: /Search people/ }).fill('555-0142');
    await expect.poll(() => henry.getByRole('table').getByRole('link').allTextContents()).toEqual(['Ana Lopez']);
  });

  it('Dana, in a program and a site, chooses which one she refers from', async () => {
    const dana = await open('dana@brightfutures.example');
    await dana.getByRole('link', { name: 'Omar Ortiz' }).click();
    await dana.getByRole('heading', { name: 'Omar Ortiz', level: 1 }).waitFor();
    // Omar's referral to Bright Futures is inbound for Dana, who claims for it.
    await dana.getByRole('heading', { name: 'Inbound Referrals' }).waitFor();
    await dana
      .getByRole('row', { name: /Bright Futures Job Training/ })
      .first()
      .waitFor();
    await checkScreen(dana, '32-dana-profile');

    await dana.getByRole('link', { name: 'Start a Referral' }).click();
    expect(await dana.getByRole('textbox', { name: 'ZIP code' }).inputValue()).toBe('78745');
    await dana.getByRole('button', { name: 'Connect Omar Ortiz with Harbor Food Pantry' }).click();
    const form = dana.getByRole('form', { name: 'Connect Omar Ortiz with Harbor Food Pantry' });
    const from = form.getByRole('combobox', { name: /Refer from/ });
    expect(await from.locator('option').allTextContents()).toEqual([
      'Bright Futures Job Training (program)',
      'Westside Family Center (site)',
    ]);
    await from.selectOption({ label: 'Westside Family Center (site)' });
    await form
      .getByRole('textbox', { name: /Message to the program and the client/ })
      .fill('Omar asked about weekend food.');
    await form.getByRole('checkbox', { name: /agrees to share/ }).check();
    await checkScreen(dana, '33-connect-refer-from');
    await form.getByRole('button', { name: 'Send referral' }).click();
    await dana.waitForURL(/\?referral=/);
    const id = new URL(dana.url()).searchParams.get('referral');
    const [row] = await sql<{ site: string | null; program: string | null }>(
      `select s.name as site, p.name as program from public.referrals r
         left join public.sites s on s.id = r.from_site_id left join public.programs p on p.id = r.from_program_id
        where r.id = $1`,
      [id],
    );
    expect(row).toEqual({ site: 'Westside Family Center', program: null });
  });

  it('Clara filters Inbound Referrals by group and by name, and sees what to do when nothing matches', async () => {
    const clara = await open('clara@harbor.example', '/inbound');
    await clara.getByRole('heading', { name: 'Inbound Referrals' }).waitFor();
    await clara.getByRole('row', { name: /Sam Seeker/ }).waitFor();
    await clara
      .getByRole('combobox', { name: 'Status', exact: true })
      .selectOption({ label: 'Needs further action (all)' });
    await clara.getByText('No referrals match these filters.').waitFor();
    await checkScreen(clara, '34-inbound-empty-filter');
    await clara.getByRole('combobox', { name: 'Status', exact: true }).selectOption({ label: 'In progress (all)' });
    await clara.getByRole('searchbox', { name: /Search by person's name/ }).fill('omar');
    await expect
      .poll(() => clara.getByRole('table').locator('a[href^="/people/"]').allTextContents())
      .toEqual(['Omar Ortiz']);
    await clara.getByRole('searchbox', { name: /Search by person's name/ }).fill('sam');
    await expect
      .poll(() => clara.getByRole('table').locator('a[href^="/people/"]').allTextContents())
      .toEqual(['Sam Seeker']);
    await clara.getByRole('combobox', { name: 'Sort' }).selectOption({ label: 'Person (A–Z)' });
    await expect
      .poll(() => clara.getByRole('table').locator('a[href^="/people/"]').allTextContents())
      .toEqual(['Sam Seeker']);
  });

  it('Helen pages through her team’s people, sorts them, and is taken back to the first page when the list shrinks', async () => {
    await sql(
      `insert into public.seekers (first_name, last_name, zip, created_by, created_from_site_id)
       select 'Pat', 'Page ' || lpad(i::text, 2, '0'), '78702', $1, $2 from generate_series(1, 25) i`,
      ['10000000-0000-4000-8000-000000000002', '20000000-0000-4000-8000-000000000001'], // Henry, Eastside
    );
    try {
      const helen = await open('helen@eastside.example', '/people');
      const names = () => helen.getByRole('table').getByRole('link').allTextContents();
      await helen.getByRole('link', { name: 'Pat Page 01' }).waitFor();
      const caption = (await helen.getByRole('table').locator('caption').textContent()) ?? '';
      const total = Number(caption.split(' ')[0]);
      expect(total).toBeGreaterThan(25);
      const pager = helen.getByRole('navigation', { name: 'Pages of people' });
      expect(await pager.textContent()).toContain(`Showing 1–20 of ${total}, 20 per page`);
      await helen.getByRole('button', { name: 'Page 2' }).click();
      await expect.poll(names).toContain('Pat Page 25');
      expect((await names()).length).toBe(total - 20);
      expect(await pager.textContent()).toContain(`Showing 21–${total} of ${total}, 20 per page`);
      await checkScreen(helen, '35-people-page-2');
      await helen.getByRole('combobox', { name: 'Sort' }).selectOption({ label: 'Newest first' });
      await expect.poll(async () => (await names()).length).toBe(20); // a new order starts at page 1

      // Eastside stops sharing: Henry's people leave Helen's list; the next
      // refresh of the list (here: a change to one of her people) would find
      // page 2 empty, so she is taken back to page 1 instead of an empty page.
      await helen.getByRole('button', { name: 'Page 2' }).click();
      await expect.poll(async () => (await names()).length).toBe(total - 20);
      await sql(`update public.sites set team_sharing = false where id = '20000000-0000-4000-8000-000000000001'`);
      await sql(`update public.seekers set phone = '(512) 555-0100' where first_name = 'Sam' and last_name = 'Seeker'`);
      const henrysShown = async () => (await names()).filter((n) => n.startsWith('Pat Page')).length;
      await expect.poll(henrysShown, { timeout: 10_000 }).toBe(0);
      await expect.poll(names, { timeout: 10_000 }).toContain('Sam Seeker');
      expect(await helen.getByRole('button', { name: 'Page 2' }).count()).toBe(0);
      expect(await helen.getByText('Nobody here yet').count()).toBe(0);
    } finally {
      await resetDb();
    }
  });
});
