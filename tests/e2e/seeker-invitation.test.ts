/**
 * A seeker gets a portal account from staff, in Chromium: Wendy opens Rita's
 * profile (Rita has no account, and self sign-up is off) and invites her to
 * the portal; Rita opens the emailed invitation and lands signed in on her
 * portal. Walter, at the same site without team sharing, cannot open Rita's
 * profile at all, so he has nothing to invite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, resetDb, sql } from '../support/stack.ts';
import { RITA, freshWorld } from '../notifications/helpers.ts';
import { countMail, linkIn, mailTo } from '../auth/helpers.ts';
import { fileBrowser } from './support/browser.ts';
import { appUrl, checkScreen, signInAs } from './support/app.ts';

const browser = fileBrowser();
const RITA_EMAIL = 'rita@seeker.example';

beforeAll(async () => {
  await freshWorld(resetDb);
});

afterAll(async () => {
  await closeDb();
});

describe('inviting a seeker to the portal', () => {
  it('Wendy invites Rita from her profile; the invitation signs Rita in to her portal', async () => {
    const before = await countMail(RITA_EMAIL, /invited/i);
    const { page } = await browser.page();
    await signInAs(page, 'wendy@westside.example', `/people/${RITA}`);
    await page.getByText('Rita has no portal account yet.').waitFor();
    await page.getByRole('button', { name: 'Invite to the portal' }).click();
    await page.getByText(`Invitation sent to ${RITA_EMAIL}.`).waitFor();
    await page.getByText('Rita is invited to the portal', { exact: false }).waitFor();
    await checkScreen(page, 'seeker-invited');
    const [row] = await sql<{ user_id: string | null }>('select user_id from public.seekers where id = $1', [RITA]);
    expect(row!.user_id).toBeTruthy();

    const invitation = await mailTo(RITA_EMAIL, /invited/i, before);
    const { page: rita } = await browser.page({ width: 360, height: 740 });
    await rita.goto(linkIn(invitation));
    await rita.waitForURL((u) => u.pathname === '/portal');
    await rita
      .getByRole('heading', { level: 1, name: 'Hola, Rita' })
      .or(rita.getByRole('heading', { level: 1, name: 'Hello, Rita' }))
      .waitFor();
    expect(new URL(rita.url()).origin).toBe(new URL(appUrl('/')).origin);
  });

  it('Walter, who cannot see Rita, cannot open her profile to invite her', async () => {
    const { page } = await browser.page();
    await signInAs(page, 'walter@westside.example', `/people/${RITA}`);
    await page.getByRole('heading', { level: 1, name: 'Person not available' }).waitFor();
    expect(await page.getByRole('button', { name: 'Invite to the portal' }).count()).toBe(0);
  });
});
