/**
 * Response clocks and assignment in Chromium: Clara's Inbound dashboard
 * shows a referral "Due" and then, once the clock has moved past its due
 * time, "Overdue" under "Needs a response", with the overdue count beside
 * "not updated" (and the sweep for that moment reminds Harbor's claimers);
 * Cody assigns a referral to himself from the referral drawer and finds it
 * under "Assigned to me". Every screen is scanned by axe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeDb, resetDb, serviceClient, sql } from '../support/stack.ts';
import { fileBrowser } from './support/browser.ts';
import { checkScreen, signInAs } from './support/app.ts';

const browser = fileBrowser();

const R1 = '50000000-0000-4000-8000-000000000001';
const SAM = '40000000-0000-4000-8000-000000000001';
const HARBOR = '30000000-0000-4000-8000-000000000001';
const HELEN = '10000000-0000-4000-8000-000000000001';
const EASTSIDE = '20000000-0000-4000-8000-000000000001';
const CODY = '10000000-0000-4000-8000-000000000006';

const drawer = (page: Page) => page.getByRole('dialog', { name: 'Referral' });

/** Pauses or resumes the pg_cron job that sweeps the response clocks every minute. */
async function setResponseClocksJob(active: boolean) {
  const rows = await sql<{ alter_job: unknown }>(
    `select cron.alter_job(jobid, active := $1) from cron.job where jobname = 'response-clocks'`,
    [active],
  );
  expect(rows).toHaveLength(1);
}

beforeAll(async () => {
  await resetDb();
});
afterAll(async () => {
  await setResponseClocksJob(true);
  await closeDb();
});

describe('response clocks and assignment in the browser', () => {
  it('a referral becomes overdue when the clock passes its due time, and shows under Needs a response', async () => {
    // R1 has had its answer; the only unanswered referral to Harbor is the one made here,
    // six days ago (its due time, two business days later, is at least two days past).
    // The every-minute 'response-clocks' job is paused first, so that only this test's own
    // sweep reminds it (the browser's clock stays in the past: no session looks expired).
    await setResponseClocksJob(false);
    await sql(`update public.referrals set responded_at = now() where id = $1`, [R1]);
    const [made] = await sql<{ id: string; created_at: Date; response_due_at: Date; due: string }>(
      `insert into public.referrals (seeker_id, program_id, referred_by, from_site_id, comment, created_at)
       values ($1, $2, $3, $4, 'Needs groceries this week.', now() - interval '6 days')
       returning id, created_at, response_due_at, response_due_at::text as due`,
      [SAM, HARBOR, HELEN, EASTSIDE],
    );
    // Clara's browser starts an hour after the referral was made
    const { page: clara } = await browser.page();
    await clara.clock.install({ time: new Date(made!.created_at.getTime() + 60 * 60 * 1000) });
    await signInAs(clara, 'clara@harbor.example', '/inbound');
    await clara.getByRole('heading', { name: 'Inbound Referrals', level: 1 }).waitFor();
    await clara.getByRole('combobox', { name: 'Show' }).selectOption({ label: 'Needs a response' });
    const row = clara.getByRole('row', { name: /Sam Seeker/ });
    await expect.poll(() => clara.getByRole('row', { name: /Sam Seeker/ }).count()).toBe(1);
    // the Response cell, after the row's checkbox, the person, the program and the status
    await expect.poll(() => row.getByRole('cell').nth(4).textContent()).toMatch(/^Due /);
    await clara.getByText('0 overdue').waitFor();
    await checkScreen(clara, '60-needs-a-response-due');

    // the clock moves past the due time: the same list, asked again, says Overdue, and the count follows
    await clara.clock.setSystemTime(new Date(made!.response_due_at.getTime() + 60 * 1000));
    await clara.getByRole('combobox', { name: 'Show' }).selectOption({ label: 'All referrals' });
    await clara.getByRole('combobox', { name: 'Show' }).selectOption({ label: 'Needs a response' });
    await row.getByText('Overdue').waitFor();
    await clara.getByText('1 overdue').waitFor();
    await checkScreen(clara, '61-needs-a-response-overdue');

    // the sweep for the same moment reminds Harbor's claimers, once
    const { data, error } = await serviceClient().rpc('run_response_clocks', { as_of: made!.due });
    expect(error).toBeNull();
    expect(data).toEqual({ reminded: 1, escalated: 0, messages: 2 });
    const reminded = await sql<{ address: string }>(
      `select address from public.notification_jobs where referral_id = $1 and event = 'reminder' order by address`,
      [made!.id],
    );
    expect(reminded.map((r) => r.address)).toEqual(['clara@harbor.example', 'cody@harbor.example']);

    // Clara answers it: it leaves Needs a response
    await row.getByRole('combobox', { name: /^Status of/ }).selectOption({ label: 'Pending' });
    await row.getByRole('button', { name: /^Save the status of .*: Pending$/ }).click();
    // it stays where it was, marked, until the list is refreshed
    await row.getByText('Changed · no longer matches the filters').waitFor();
    await clara.getByText('0 overdue').waitFor();
    await clara.getByRole('button', { name: /Refresh the list/ }).click();
    await clara.getByText('Every referral here has had an answer from the program.').waitFor();
  });

  it('Cody assigns a referral to himself and finds it under Assigned to me', async () => {
    await resetDb();
    const { page: cody } = await browser.page();
    await signInAs(cody, 'cody@harbor.example', '/inbound');
    await cody.getByRole('heading', { name: 'Inbound Referrals', level: 1 }).waitFor();
    await cody.getByRole('combobox', { name: 'Show' }).selectOption({ label: 'Assigned to me' });
    await cody.getByText('No referral here is assigned to you.').waitFor();
    await cody.getByRole('combobox', { name: 'Show' }).selectOption({ label: 'All referrals' });

    await cody.getByRole('button', { name: "Open Sam Seeker's referral to Harbor Food Pantry" }).first().click();
    const assign = drawer(cody).getByRole('combobox', { name: 'Assigned to' });
    await assign.waitFor();
    expect(await assign.locator('option').allTextContents()).toEqual(['Nobody', 'Me', 'Clara Cruz']);
    await assign.selectOption({ label: 'Me' });
    await cody.getByText('Assigned to you.').waitFor();
    await drawer(cody).getByText('assigned the referral to Cody C.').waitFor();
    await checkScreen(cody, '62-assigned-to-me-drawer');
    await cody.getByRole('button', { name: 'Close referral' }).click();

    await cody.getByRole('combobox', { name: 'Show' }).selectOption({ label: 'Assigned to me' });
    await expect.poll(() => cody.getByRole('row', { name: /Cody C\./ }).count()).toBe(1);
    await checkScreen(cody, '63-assigned-to-me');

    const [r] = await sql<{ assigned_to: string; jobs: number }>(
      `select r.assigned_to,
              (select count(*)::int from public.notification_jobs j where j.referral_id = r.id and j.event = 'assigned') as jobs
         from public.referrals r where r.id = $1`,
      [R1],
    );
    // himself: recorded, and no email about it
    expect(r).toEqual({ assigned_to: CODY, jobs: 0 });
  });
});
