/** Steps every end-to-end test takes in the app: open it, sign in as a seeded person, scan. */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { env } from '../../support/stack.ts';
import { scanPage } from './axe.ts';
import { screenshot } from './screenshot.ts';

export const appUrl = (path = '/') => new URL(path, env.appUrl).toString();

export async function signInAs(page: Page, email: string, next = '/people') {
  await page.goto(appUrl(next), { waitUntil: 'domcontentloaded' });
  await page.waitForURL(/\/sign-in/);
  await page.getByRole('textbox', { name: /^Email/ }).fill(email);
  await page.getByRole('textbox', { name: /^Password/ }).fill(env.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
}

/** Axe scan (zero serious/critical) and a screenshot of the screen as it is now. */
export async function checkScreen(page: Page, name: string) {
  // Let notifications and skeletons settle so the scan sees the real screen.
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), undefined, { timeout: 10_000 });
  await screenshot(page, name);
  const findings = await scanPage(page, name);
  expect(findings, `accessibility of ${name}`).toEqual([]);
}
