/**
 * The pages seekers open paint before any JavaScript: hosting serves
 * seeker.html for /portal and /r/<token> (and the staff app's index.html for
 * every other path), whose static shell shows the page's frame, heading and
 * first words; React then draws the same boxes, so nothing moves. Checked in
 * Chromium at 360 px by loading each page once with every script file
 * blocked (the shell alone) and once normally, and comparing where the
 * header, the card, the heading and the first paragraph are. Also: a one-click
 * link's answer reaches the shell before the page's JavaScript (its language,
 * and, for a link ready to confirm, the referral's summary drawn as text), a stored
 * session gets the "loading" shell instead of the sign-in card, and the
 * signed-out portal asks the API nothing until the person starts to sign in.
 * The staff app's shell (index.html) paints without waiting for its
 * stylesheet, and the app renders once the stylesheet is in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { closeDb, env, resetDb, signIn, sql } from '../support/stack.ts';
import { R2, freshWorld } from '../notifications/helpers.ts';
import { fileBrowser } from './support/browser.ts';
import { appUrl, checkScreen } from './support/app.ts';

const browser = fileBrowser();
type Box = { x: number; y: number; width: number; height: number };

/** The box of the first visible element matching each selector. */
async function boxes(page: Page, selectors: string[]): Promise<Record<string, Box>> {
  return page.evaluate((sels) => {
    const out: Record<string, { x: number; y: number; width: number; height: number }> = {};
    for (const s of sels) {
      const el = Array.from(document.querySelectorAll(s) as ArrayLike<Element>).find(
        (e) => e.getClientRects().length > 0,
      );
      if (!el) throw new Error(`nothing visible matches ${s}`);
      const r = el.getBoundingClientRect();
      out[s] = { x: r.x, y: r.y, width: r.width, height: r.height };
    }
    return out;
  }, selectors);
}

/** The boxes of every visible element matching the selector, in document order. */
async function allBoxes(page: Page, selector: string): Promise<Box[]> {
  return page.evaluate(
    (sel) =>
      Array.from(document.querySelectorAll(sel) as ArrayLike<Element>)
        .filter((e) => e.getClientRects().length > 0)
        .map((e) => {
          const r = e.getBoundingClientRect();
          return { x: r.x, y: r.y, width: r.width, height: r.height };
        }),
    selector,
  );
}

/** Same place and size (or only the same place, for a box whose content grows once the data is in). */
function expectSameBoxes(shell: Record<string, Box>, app: Record<string, Box>, placeOnly: string[] = []) {
  for (const [sel, box] of Object.entries(shell)) {
    for (const k of placeOnly.includes(sel)
      ? (['x', 'y', 'width'] as const)
      : (['x', 'y', 'width', 'height'] as const)) {
      expect(
        Math.abs(app[sel]![k] - box[k]),
        `${sel} ${k}: shell ${box[k]}, React ${app[sel]![k]}`,
      ).toBeLessThanOrEqual(1);
    }
  }
}

/** A phone-sized page whose script files never load: what the HTML alone paints. */
async function shellPage(init?: (page: Page) => Promise<unknown>): Promise<Page> {
  const { page, context } = await browser.page({ width: 360, height: 740 });
  await context.route('**/*.js', (route) => route.abort());
  await init?.(page);
  return page;
}

let ritaToken: string;

beforeAll(async () => {
  await freshWorld(resetDb);
  // Carl's change to R2 gives Rita (who reads Spanish) her one-click links.
  const carl = await signIn('carl@safehaven.example');
  const { error } = await carl.from('referrals').update({ status: 'eligible' }).eq('id', R2);
  expect(error).toBeNull();
  const [row] = await sql<{ token: string }>(
    `select private.one_click_token(l.id, 'got_help') as token from private.one_click_links l
      where l.referral_id = $1 and l.recipient_kind = 'seeker' limit 1`,
    [R2],
  );
  ritaToken = row!.token;
});

afterAll(async () => {
  await closeDb();
});

describe('the static shell of the seekers’ pages', () => {
  const portalParts = ['header .brand', 'main .card', 'main .card h1', 'main .card p'];

  it('/portal: the sign-in card paints from the HTML alone, and React draws it in the same place', async () => {
    const shell = await shellPage();
    await shell.goto(appUrl('/portal'));
    await shell.getByRole('heading', { level: 1, name: 'See your referrals' }).waitFor();
    expect(await shell.locator('main .card p').first().innerText()).toContain('No password needed');
    // the placeholders are not controls anyone could type into before React
    expect(await shell.getByRole('textbox').count()).toBe(0);
    const before = await boxes(shell, portalParts);

    const { page } = await browser.page({ width: 360, height: 740 });
    const api: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(env.apiUrl)) api.push(r.url());
    });
    await page.goto(appUrl('/portal'));
    await page.getByRole('textbox', { name: 'Email address' }).waitFor();
    expectSameBoxes(before, await boxes(page, portalParts));
    await checkScreen(page, 'portal-sign-in-react-360');
    // signed out, nobody has asked the API anything yet: the client loads when the person starts
    await page.waitForLoadState('networkidle');
    expect(api).toEqual([]);
    await page.getByRole('textbox', { name: 'Email address' }).fill('sam@seeker.example');
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByRole('status').filter({ hasText: 'Check your email' }).waitFor();
    expect(api.some((u) => u.includes('/auth/v1/otp'))).toBe(true);
  });

  it('/portal in Spanish (the saved choice) paints in Spanish from the HTML alone', async () => {
    const spanish = (page: Page) => page.addInitScript(() => localStorage.setItem('seeker-language', 'es'));
    const shell = await shellPage(spanish);
    await shell.goto(appUrl('/portal'));
    await shell.getByRole('heading', { level: 1, name: 'Vea sus referidos' }).waitFor();
    expect(await shell.evaluate(() => document.documentElement.lang)).toBe('es');
    const before = await boxes(shell, portalParts);

    const { page } = await browser.page({ width: 360, height: 740 });
    await spanish(page);
    await page.goto(appUrl('/portal'));
    await page.getByRole('textbox', { name: 'Correo electrónico' }).waitFor();
    expectSameBoxes(before, await boxes(page, portalParts));
  });

  // the answer's parts: where the shell has a grey placeholder, React has the control
  const answerParts = [
    'main .card',
    'main .card h1',
    'main .card dl',
    'main .card dl > div:first-child dd',
    'main .card dl > div:last-child dd',
    'main .card .bb.lg',
    'main .card dl ~ p',
  ];
  const confirmBox = async (page: Page, sel: string) => (await boxes(page, [sel]))[sel]!;

  it('/r/<token>: the heading paints at once, then the link’s answer (in its language) before any script file, and React draws it in the same place', async () => {
    const shell = await shellPage();
    await shell.goto(appUrl(`/r/${ritaToken}`));
    await shell.getByRole('heading', { level: 1 }).waitFor();
    // Rita reads Spanish: the answer the HTML's own script asked for switches the shell and is drawn in Spanish
    await shell.waitForFunction(() => document.documentElement.lang === 'es');
    await shell.getByRole('heading', { level: 1, name: 'Actualizar un referido' }).waitFor();
    await shell.locator('main .card dl').waitFor();
    expect(await shell.locator('main .card dt').allTextContents()).toEqual([
      'Programa:',
      'Para:',
      'Estado actual:',
      'Comentario:',
    ]);
    expect(await shell.locator('main .card dd').allTextContents()).toEqual([
      'Safe Haven Housing',
      'Rita',
      'Elegible',
      "Rita's lease ends at the end of the month. She prefers to be contacted in Spanish.",
    ]);
    expect(await shell.locator('main .card .bb.lg').innerText()).toBe('Recibió ayuda');
    expect(await shell.locator('main .card dl ~ p').innerText()).toBe('Nada cambia hasta que confirme.');
    // no spinner left, and still nothing anyone could press before React
    expect(await shell.locator('main .card .spin').count()).toBe(0);
    expect(await shell.locator('#root button, #root a, #root input, #root select').count()).toBe(0);
    const before = await boxes(shell, answerParts);
    const placeholder = await confirmBox(shell, 'main .card .ph-btn');

    const { page } = await browser.page({ width: 360, height: 740 });
    await page.goto(appUrl(`/r/${ritaToken}`));
    await page.getByRole('button', { name: 'Confirmar: Recibió ayuda' }).waitFor();
    expectSameBoxes(before, await boxes(page, answerParts), ['main .card']);
    expectSameBoxes({ confirm: placeholder }, { confirm: await confirmBox(page, 'main .card button.btn') });
  });

  it('/r/<token>: a text’s link (choose a status) and a status with reasons are drawn by the shell where React draws them', async () => {
    const [row] = await sql<{ choose: string; reasons: string }>(
      `select private.one_click_choice_token(l.id) as choose,
              private.one_click_token(l.id, 'couldnt_get_help') as reasons
         from private.one_click_links l where l.referral_id = $1 and l.recipient_kind = 'seeker' limit 1`,
      [R2],
    );
    // [shell selector, React selector]: a grey placeholder where React has the control
    const cases: [string, string, [string, string][]][] = [
      [
        row!.choose,
        'Recibió ayuda',
        [
          ['main .card dl', 'main .card dl'],
          ['main .card dl ~ p', 'main .card dl ~ p'],
          ['main .card .ph-btn', 'main .card a.btn'],
        ],
      ],
      [
        row!.reasons,
        'Confirmar: No pudo recibir ayuda',
        [
          ['main .card dl', 'main .card dl'],
          ['main .card .bb.lg', 'main .card .bb.lg'],
          ['main .card .ph-field', 'main .card .field'],
          ['main .card dl ~ p', 'main .card dl ~ p'],
          ['main .card .ph-btn', 'main .card button.btn'],
        ],
      ],
    ];
    for (const [token, control, parts] of cases) {
      const shell = await shellPage();
      await shell.goto(appUrl(`/r/${token}`));
      await shell.locator('main .card dl').waitFor();
      const { page } = await browser.page({ width: 360, height: 740 });
      await page.goto(appUrl(`/r/${token}`));
      await page.getByRole(control.startsWith('Confirmar') ? 'button' : 'link', { name: control }).waitFor();
      for (const [inShell, inReact] of parts) {
        const a = await allBoxes(shell, inShell);
        const b = await allBoxes(page, inReact);
        expect(a.length, `${inShell} vs ${inReact}`).toBe(b.length);
        expect(a.length, inShell).toBeGreaterThan(0);
        a.forEach((box, i) => expectSameBoxes({ [inShell]: box }, { [inShell]: b[i]! }));
      }
    }
  });

  it('/r/<token>: the shell draws the answer’s words as text, never as markup', async () => {
    const markup = '<img src="x" onerror="window.__drawn = 1"><b>bold</b> & "quotes"';
    await sql(`update public.referrals set comment = $1 where id = $2`, [markup, R2]);
    try {
      const shell = await shellPage();
      await shell.goto(appUrl(`/r/${ritaToken}`));
      const comment = shell.locator('main .card dl > div:last-child dd');
      await comment.waitFor();
      expect(await comment.textContent()).toBe(markup);
      expect(await shell.locator('#root img, #root b').count()).toBe(0);
      expect(await shell.evaluate(() => (window as unknown as { __drawn?: number }).__drawn)).toBeUndefined();
    } finally {
      await sql(`update public.referrals set comment = $1 where id = $2`, [
        "Rita's lease ends at the end of the month. She prefers to be contacted in Spanish.",
        R2,
      ]);
    }
  });

  it('a stored session gets the loading shell, not the sign-in card, then the signed-in portal', async () => {
    const sam = await signIn('sam@seeker.example');
    const { data } = await sam.auth.getSession();
    const key = `sb-${new URL(env.apiUrl).hostname.split('.')[0]}-auth-token`;
    const withSession = (page: Page) =>
      page.addInitScript(([k, v]) => localStorage.setItem(k!, v!), [key, JSON.stringify(data.session)]);

    const shell = await shellPage(withSession);
    await shell.goto(appUrl('/portal'));
    await shell.locator('.shell-checking .spin').waitFor();
    expect(await shell.getByRole('heading', { level: 1 }).count()).toBe(0);
    const header = ['header', 'header .brand'];
    const before = await boxes(shell, header);

    const { page } = await browser.page({ width: 360, height: 740 });
    await withSession(page);
    await page.goto(appUrl('/portal'));
    await page.getByRole('heading', { level: 1, name: 'Hello, Sam' }).waitFor();
    await page.getByRole('article', { name: 'Harbor Food Pantry' }).waitFor();
    expectSameBoxes(before, await boxes(page, header));
  });

  it('staff paths keep the staff app (history fallback to index.html)', async () => {
    const shell = await shellPage();
    await shell.goto(appUrl('/people/anyone'));
    await shell.getByText('Closed Loop Referrals').waitFor();
    expect(await shell.evaluate(() => document.documentElement.hasAttribute('data-page'))).toBe(false);
    const page = await shellPage();
    await page.goto(appUrl('/portal'));
    expect(await page.evaluate(() => document.documentElement.getAttribute('data-page'))).toBe('portal');
  });

  it('the staff shell paints before the stylesheet arrives, and the app renders only once it has', async () => {
    const { page, context } = await browser.page({ width: 360, height: 740 });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await context.route('**/*.css', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(appUrl('/sign-in'), { waitUntil: 'commit' });
    // painted while the stylesheet is still on its way
    await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
    // the app's script has run and asked for the stylesheet; it waits for it rather than render unstyled
    await page.locator('link[rel="stylesheet"][href$=".css"]').waitFor({ state: 'attached' });
    expect(await page.locator('#root .shell').count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Sign in' }).count()).toBe(0);
    release();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(
      await page.evaluate(() => getComputedStyle(document.body).getPropertyValue('--mantine-line-height').trim()),
    ).toBe('1.55');
  });
});
