/**
 * Reports in Chromium: Clara opens Reports from the navigation, switches the
 * period, reads a chart's numbers as a table, and downloads the CSVs; the
 * files' rows are what the screen shows (reasons in their words, overdue
 * now as the figure counts it). Axe scans the screen.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeDb, resetDb, sql } from '../support/stack.ts';
import { programs, referrals, seekers, sites, users } from '../db/world.ts';
import { fileBrowser } from './support/browser.ts';
import { checkScreen, signInAs } from './support/app.ts';

const browser = fileBrowser();

// Three more of Harbor's referrals, at fixed distances from now (triggers off:
// the times are written as the history and the response clock would have
// them; each due two days after it was made).
const EXTRA = [
  { id: '50000000-0000-4000-8000-0000000002a1', daysAgo: 40, status: 'got_help', responseHours: 5, outcomeHours: 48 },
  {
    id: '50000000-0000-4000-8000-0000000002a2',
    daysAgo: 70,
    status: 'no_capacity',
    reason: 'waitlist_full',
    responseHours: 72,
    outcomeHours: 72,
  },
  // never answered: overdue
  { id: '50000000-0000-4000-8000-0000000002a3', daysAgo: 200, status: 'not_updated' },
];

beforeAll(async () => {
  await resetDb();
  const rows = EXTRA.map(
    (r) =>
      `('${r.id}', '${seekers.sam}', '${programs.harbor}', '${users.helen.id}', '${sites.eastside}', '${r.status}',
        now() - interval '${r.daysAgo} days', now() - interval '${r.daysAgo} days',
        ${r.outcomeHours ? `now() - interval '${r.daysAgo} days' + interval '${r.outcomeHours} hours'` : 'null'},
        ${r.responseHours ? `now() - interval '${r.daysAgo} days' + interval '${r.responseHours} hours'` : 'null'},
        now() - interval '${r.daysAgo - 2} days', ${r.reason ? `'${r.reason}'` : 'null'})`,
  );
  await sql(`do $$ begin
    set local session_replication_role = replica;
    insert into public.referrals (id, seeker_id, program_id, referred_by, from_site_id, status, created_at, updated_at,
                                  status_changed_at, responded_at, response_due_at, status_reason)
    values ${rows.join(',\n')};
  end $$`);
});
afterAll(async () => {
  await resetDb();
  await closeDb();
});

/** A CSV as rows of fields (the app's CSV: quoted fields, CRLF, a byte order mark). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && s[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

async function download(
  page: Page,
  button: ReturnType<Page['getByRole']>,
): Promise<{ name: string; rows: string[][] }> {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await file.path();
  return { name: file.suggestedFilename(), rows: parseCsv(await readFile(path, 'utf8')) };
}

const WAIT = { timeout: 20_000 };
const figure = (page: Page, id: string) => page.locator(`[data-figure="${id}"] p`).first();

describe('Reports', () => {
  it('Clara opens Reports, switches the period, and downloads CSVs whose rows match the screen', async () => {
    const { page } = await browser.page();
    await signInAs(page, users.clara.email);
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.getByRole('heading', { name: 'Reports', level: 1, exact: true }).waitFor();

    // Last 3 months (the default): R1 (received), R3 (made by Clara from Harbor), and the 40- and 70-day ones
    await expect.poll(() => figure(page, 'referrals').textContent(), WAIT).toBe('4');
    await expect(page.locator('[data-figure="referrals"]').textContent()).resolves.toContain('3 received, 1 made');
    await page.getByRole('table', { name: 'Outcomes' }).waitFor({ state: 'attached' });
    await checkScreen(page, '40-reports');

    // Last 12 months adds the 200-day-old one
    await page.getByRole('combobox', { name: 'Period' }).selectOption({ label: 'Last 12 months' });
    await expect.poll(() => figure(page, 'referrals').textContent(), WAIT).toBe('5');
    await expect.poll(() => figure(page, 'got_help').textContent(), WAIT).toBe('20%'); // 1 of 5
    await expect.poll(() => figure(page, 'with_outcome').textContent(), WAIT).toBe('40%'); // got help + no capacity

    // The outcome chart's numbers, as a table a screen reader reaches (and anyone, on request)
    const outcomes = page.getByRole('table', { name: 'Outcomes' });
    const cardOf = (id: string) => page.locator(`section[data-chart="${id}"]`);
    await cardOf('outcomes').getByRole('button', { name: 'Show the numbers' }).click();
    await expect(outcomes.getByRole('row', { name: /Got help/ }).textContent()).resolves.toBe('Got help1');
    await expect(outcomes.getByRole('row', { name: /No capacity/ }).textContent()).resolves.toBe('No capacity1');

    // The referrals CSV: one row per referral counted, the same as the figure
    const list = await download(page, page.getByRole('button', { name: 'Download referrals (CSV)' }));
    expect(list.name).toMatch(/^referrals-all-my-organisations-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
    const [header, ...data] = list.rows;
    expect(header).toContain('Seeker');
    expect(data).toHaveLength(5);
    const col = (name: string) => header!.indexOf(name);
    expect(data.map((r) => r[col('Referral')]).sort()).toEqual(
      [referrals.R1, referrals.R3, ...EXTRA.map((e) => e.id)].sort(),
    );
    expect(data.filter((r) => r[col('Status')] === 'Got help')).toHaveLength(1);
    expect(data.filter((r) => r[col('Status')] === 'No capacity')).toHaveLength(1);
    expect(data.filter((r) => r[col('Received by my organisation')] === 'yes')).toHaveLength(4);
    // seeker names, for her own organisation's referrals
    expect(new Set(data.map((r) => r[col('Seeker')]))).toEqual(new Set(['Sam Seeker', 'Omar Ortiz']));
    // never Safe Haven's R2
    expect(data.map((r) => r[col('Referral')])).not.toContain(referrals.R2);
    const got = data.find((r) => r[col('Referral')] === EXTRA[0]!.id)!;
    expect(got[col('Hours to first response')]).toBe('5');
    expect(got[col('Days to outcome')]).toBe('2');
    // reasons in their words, as the referral drawer shows them
    const capped = data.find((r) => r[col('Referral')] === EXTRA[1]!.id)!;
    expect(capped[col('Reason')]).toBe('Waiting list is full');
    expect(got[col('Reason')]).toBe('');
    // overdue now: the figure is the file's count; the 200-day-old one was never answered, the others were
    const overdue = data.filter((r) => r[col('Overdue now')] === 'yes').map((r) => r[col('Referral')]);
    expect(overdue).toContain(EXTRA[2]!.id);
    expect(overdue).not.toContain(EXTRA[0]!.id);
    expect(overdue).not.toContain(EXTRA[1]!.id);
    await expect.poll(() => figure(page, 'overdue_now').textContent(), WAIT).toBe(String(overdue.length));

    // The top reasons: a chart with its table and CSV
    const reasons = page.getByRole('table', { name: 'Top reasons for a negative outcome' });
    await cardOf('reasons').getByRole('button', { name: 'Show the numbers' }).click();
    await expect(reasons.getByRole('row', { name: /Waiting list is full/ }).textContent()).resolves.toBe(
      'Waiting list is fullNo capacity1',
    );
    const reasonCsv = await download(
      page,
      page.getByRole('button', { name: 'Download CSV: Top reasons for a negative outcome' }),
    );
    expect(reasonCsv.rows).toEqual([
      ['Reason', 'Status', 'Referrals'],
      ['Waiting list is full', 'No capacity', '1'],
    ]);

    // The figures' CSV: the same numbers as the screen
    const figs = await download(page, page.getByRole('button', { name: 'Download figures (CSV)' }));
    expect(figs.name).toMatch(/^figures-all-my-organisations-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(figs.rows[0]).toEqual(['Figure', 'Value', 'Unit']);
    expect(figs.rows).toContainEqual(['Referrals', '5', 'referrals']);
    expect(figs.rows).toContainEqual(['Got help', '20', '% of referrals']);
    expect(figs.rows).toContainEqual(['Overdue now', String(overdue.length), 'referrals']);

    // A chart's CSV is its table
    await cardOf('outcomes').getByRole('button', { name: 'Hide the numbers' }).waitFor();
    const outcomeCsv = await download(page, page.getByRole('button', { name: 'Download CSV: Outcomes' }));
    const cells = await outcomes
      .locator('tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('th,td')).map((c) => c.textContent ?? '')));
    expect(outcomeCsv.rows).toEqual(cells);
    const weekly = await download(
      page,
      page.getByRole('button', { name: 'Download CSV: Referrals received and closed per week' }),
    );
    expect(weekly.rows[0]).toEqual(['Week starting', 'New', 'Closed']);
    expect(weekly.rows.slice(1).reduce((n, r) => n + Number(r[1]), 0)).toBe(5);

    // This month: whatever it holds, the file and the figure agree
    await page.getByRole('combobox', { name: 'Period' }).selectOption({ label: 'This month' });
    await page
      .getByTestId('report-period')
      .getByText(/All my organisations, 1 /)
      .waitFor();
    await page.waitForFunction(
      () => !document.querySelector('[data-testid="report-period"]')?.textContent?.includes('updating'),
    );
    const shown = (await figure(page, 'referrals').textContent())!;
    const month = await download(page, page.getByRole('button', { name: 'Download referrals (CSV)' }));
    expect(month.rows.length - 1).toBe(Number(shown));

    // A custom period that is not one says so
    await page.getByRole('combobox', { name: 'Period' }).selectOption({ label: 'Custom dates' });
    await page.getByLabel('First day').fill('2026-03-10');
    await page.getByLabel('Last day').fill('2026-03-01');
    await page.getByText('The end date must be on or after the start date.').waitFor(WAIT);
    // and shows no figures that would not be for those dates
    expect(await page.locator('[data-figure="referrals"]').count()).toBe(0);
    // and a real one is reported
    await page.getByLabel('Last day').fill('2026-11-30');
    await page.getByTestId('report-period').getByText('All my organisations, 10 Mar 2026 to 30 Nov 2026').waitFor(WAIT);
    await checkScreen(page, '41-reports-custom');
  }, 180_000);

  it('Helen (Eastside) opens hers: the site’s referrals', async () => {
    const { page } = await browser.page();
    await signInAs(page, users.helen.email);
    await page.getByRole('link', { name: 'Reports', exact: true }).click();
    await expect.poll(() => figure(page, 'referrals').textContent(), WAIT).toBe('3'); // R1 and the 40- and 70-day ones: all made by Helen from Eastside
  });
});
