/**
 * Signing in and staying signed in, in Chromium against the built app: the
 * session survives a reload; an expired session (its refresh token revoked)
 * returns to sign-in with a message and then to the page that was wanted; a
 * magic link signs in and comes back to that page; sign out ends it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, mail, resetDb, sql } from '../support/stack.ts';
import { fileBrowser } from './support/browser.ts';
import { appUrl, checkScreen, signInAs } from './support/app.ts';

const browser = fileBrowser();
let samId: string;

beforeAll(async () => {
  await resetDb();
  samId = (await sql<{ id: string }>(`select id from public.seekers where email = 'sam@seeker.example'`))[0]!.id;
});

afterAll(async () => {
  await closeDb();
});

async function fresh() {
  const { page } = await browser.page();
  return page;
}

describe('sessions in the browser', () => {
  it('keeps the session across a reload, and an expired one returns to sign-in and then to the wanted page', async () => {
    const page = await fresh();
    await signInAs(page, 'henry@eastside.example', `/people/${samId}`);
    await page.getByRole('heading', { name: 'Sam Seeker', level: 1 }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sam Seeker', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/people/${samId}`);

    // The session ends on the server and the access token runs out.
    await sql(
      `delete from auth.sessions where user_id = (select id from auth.users where email = 'henry@eastside.example')`,
    );
    await page.evaluate(() => {
      for (const key of Object.keys(localStorage)) {
        if (!key.endsWith('-auth-token')) continue;
        const session = JSON.parse(localStorage.getItem(key)!);
        session.expires_at = Math.floor(Date.now() / 1000) - 60;
        localStorage.setItem(key, JSON.stringify(session));
      }
    });
    await page.reload();
    await page.waitForURL((u) => u.pathname === '/sign-in' && u.searchParams.get('next') === `/people/${samId}`);
    await page.getByRole('status').filter({ hasText: 'Your session has expired' }).waitFor();
    await checkScreen(page, '20-session-expired');

    await page.getByRole('textbox', { name: /^Email/ }).fill('henry@eastside.example');
    await page.getByRole('textbox', { name: /^Password/ }).fill('password123');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.pathname === `/people/${samId}`);
    await page.getByRole('heading', { name: 'Sam Seeker', level: 1 }).waitFor();
  });

  it('signs in by magic link and comes back to the wanted page', async () => {
    await mail.clear();
    const page = await fresh();
    await page.goto(appUrl('/referrals'));
    await page.waitForURL(/\/sign-in\?next=%2Freferrals/);
    await page.getByText('Email me a link').click();
    await page.getByRole('textbox', { name: /^Email/ }).fill('clara@harbor.example');
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByRole('status').filter({ hasText: 'We sent a sign-in link to clara@harbor.example' }).waitFor();
    await checkScreen(page, '21-magic-link-sent');

    const message = await mail.waitFor((m) => m.to.some((t) => t.address === 'clara@harbor.example'));
    const link = /href="([^"]+)"/.exec(message.html)?.[1]?.replace(/&amp;/g, '&');
    expect(link, 'the email has a sign-in link').toBeTruthy();
    await page.goto(link!);
    await page.waitForURL((u) => u.pathname === '/referrals');
    await page.getByRole('heading', { name: 'My referrals', level: 1 }).waitFor();
    // Clara claims for Harbor Food Pantry, so Inbound Referrals is offered.
    await page.getByRole('link', { name: 'Inbound Referrals' }).waitFor();
  });

  it('signs out, and the app then asks to sign in without calling it an expiry', async () => {
    const page = await fresh();
    await signInAs(page, 'cody@harbor.example', '/inbound');
    await page.getByRole('heading', { name: 'Inbound Referrals' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByText('Your session has expired').count()).toBe(0);
    await page.goto(appUrl('/inbound'));
    await page.waitForURL(/\/sign-in\?next=%2Finbound/);
  });
});
