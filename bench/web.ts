/**
 * `npm run bench:web`: how fast the pages seekers open paint on an
 * inexpensive phone. Builds the app for production, serves it (gzip, as any
 * static host does) against a stack of its own, and drives Chromium
 * (playwright-core, /usr/bin/chromium) at 360×740 with 150 ms round trips,
 * 1.6 Mbps down / 750 kbps up and the CPU slowed 4×, a fresh profile (empty
 * cache) every run. For /portal (signed out: the sign-in form), /r/<token>
 * (a real one-click link), /sign-in and /portal signed in (Sam's session in
 * storage, as after his magic link) it prints FCP, LCP, CLS (from the page's
 * own PerformanceObserver) and the bytes transferred, median of 5. A load
 * counts once the page is React's (not the static shell's) and the network
 * is idle. The server serves seeker.html for the seekers' pages and
 * index.html for every other app path, as hosting does (src/lib/paths.ts).
 * A load that never becomes ready is counted, not measured, and printed with
 * what the page shows, its console errors and its failed requests.
 *
 *   --compare <dir>   also build the checkout in <dir> (say the commit before
 *                     a change: `git worktree add /tmp/before <commit>` and a
 *                     node_modules symlink) for the same stack, and measure it
 *                     in turn with this one, load for load, so both see the
 *                     same machine (repeat it for more checkouts). Its
 *                     seekers' pages get index.html if it has no seeker.html.
 *   --pages a,b       only these pages (labels as printed: /portal, /r/<token>,
 *                     /sign-in, /portal-signed-in).
 *   --timeline        print, for every load, when each request started and
 *                     ended and when each LCP candidate painted.
 *
 * Starts its own stack on BENCH_WEB_BASE_PORT (default 21821; the app on
 * +20, compared builds on +21, +22, …) with a fresh data directory
 * (STACK_DATA_DIR); never touches `npm run dev`.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import { loadavg } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import WebSocket from 'ws';
import { createClient } from '@supabase/supabase-js';
import { chromium, type Page } from 'playwright-core';
import { isSeekerPath } from '../src/lib/paths.ts';
import { KEYS, ROOT } from '../stack/config.ts';
import { startStack } from '../stack/stack.ts';

const base = Number(process.env.BENCH_WEB_BASE_PORT ?? 21821);
const dataDir = process.env.STACK_DATA_DIR ?? join(ROOT, `.stack-bench-web-${base}`);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const READY_MS = Number(process.env.BENCH_READY_MS ?? 180_000);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const R2 = '50000000-0000-4000-8000-000000000002';
const CARL = '10000000-0000-4000-8000-000000000007';
const { values: args } = parseArgs({
  options: { compare: { type: 'string', multiple: true }, pages: { type: 'string' }, timeline: { type: 'boolean' } },
});
const only = args.pages?.split(',').map((p) => p.trim());

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** dist/ as a static host serves it: files (gzip), seeker.html for the seekers' pages, index.html for every other path. */
function serve(dir: string, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    let file = join(dir, path);
    if (!existsSync(file) || statSync(file).isDirectory()) {
      const seeker = isSeekerPath(path) && existsSync(join(dir, 'seeker.html'));
      file = join(dir, seeker ? 'seeker.html' : 'index.html');
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && !/woff2|png|jpg/.test(type);
    res.writeHead(200, {
      'content-type': type,
      'cache-control': file.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    const stream = createReadStream(file);
    (gzip ? stream.pipe(createGzip()) : stream).pipe(res);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One build of the app, served on its own port. */
type Build = { name: string; port: number; server: http.Server };
type Figures = {
  fcp: number[];
  lcp: number[];
  cls: number[];
  bytes: number[];
  elements: [number, string][];
  failed: number;
};

async function main() {
  const stack = await startStack({ basePort: base, dataDir, fresh: true, siteUrl: `http://127.0.0.1:${base + 20}` });
  try {
    await measure(stack);
  } finally {
    await stack.stop();
  }
}

async function measure(stack: Awaited<ReturnType<typeof startStack>>) {
  const { build } = await import('vite');
  process.env.VITE_SUPABASE_URL = stack.ctx.apiUrl;
  process.env.VITE_SUPABASE_ANON_KEY = KEYS.anonKey;
  const builds: Build[] = [];
  const roots: [string, string][] = [['this checkout', ROOT]];
  for (const dir of args.compare ?? []) roots.push([dir, resolve(dir)]);
  for (const [name, root] of roots) {
    const outDir = join(ROOT, `dist-bench-web-${base}${builds.length ? `-${builds.length}` : ''}`);
    await build({
      root,
      configFile: join(root, 'vite.config.ts'),
      logLevel: 'warn',
      mode: 'production',
      build: { outDir, emptyOutDir: true },
    });
    const port = base + 20 + builds.length;
    builds.push({ name, port, server: await serve(outDir, port) });
  }

  // A real one-click link: Carl changes R2, which gives Rita's email its buttons.
  const db = new pg.Client({ connectionString: stack.ctx.dbUrl });
  await db.connect();
  await db.query('begin');
  await db.query(`select set_config('request.jwt.claims', $1, true)`, [
    JSON.stringify({ sub: CARL, role: 'authenticated' }),
  ]);
  await db.query('set local role authenticated');
  await db.query(`update public.referrals set status = 'eligible' where id = $1`, [R2]);
  await db.query('commit');
  const { rows } = await db.query<{ token: string }>(
    `select private.one_click_token(l.id, 'got_help') as token from private.one_click_links l
      where l.referral_id = $1 and l.recipient_kind = 'seeker' limit 1`,
    [R2],
  );
  await db.end();
  const token = rows[0]!.token;

  // Sam's session as auth-js keeps it in localStorage (sb-<first label of the API host>-auth-token).
  const auth = createClient(stack.ctx.apiUrl, KEYS.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as unknown as typeof globalThis.WebSocket },
  });
  const signedIn = await auth.auth.signInWithPassword({ email: 'sam@seeker.example', password: 'password123' });
  if (signedIn.error) throw signedIn.error;
  const storageKey = `sb-${new URL(stack.ctx.apiUrl).hostname.split('.')[0]}-auth-token`;
  const samSession = JSON.stringify(signedIn.data.session);

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  // What only React draws (the static shells have the headings too): the page is the app's, not the shell's.
  const allPages: [string, string, (p: Page) => Promise<void>, string?][] = [
    ['/portal', '/portal', (p) => p.getByRole('textbox', { name: 'Email address' }).waitFor({ timeout: READY_MS })],
    [
      '/r/<token>',
      `/r/${token}`,
      (p) => p.getByRole('button', { name: /^(Confirm|Confirmar): / }).waitFor({ timeout: READY_MS }),
    ],
    [
      '/sign-in',
      '/sign-in',
      (p) => p.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor({ timeout: READY_MS }),
    ],
    ['/portal-signed-in', '/portal', (p) => p.getByRole('article').first().waitFor({ timeout: READY_MS }), samSession],
  ];
  const pages = allPages.filter(([label]) => !only || only.includes(label));
  if (only && pages.length !== only.length)
    throw new Error(`--pages: choose among ${allPages.map((p) => p[0]).join(', ')}`);
  console.log(`${RUNS} cold loads each, 360×740, RTT 150 ms, 1.6 Mbps down, CPU 4× slower (median):`);
  const load = () =>
    loadavg()
      .map((n) => n.toFixed(1))
      .join(' ');
  console.log(`  load average at start: ${load()}`);
  /** One cold load of `path` from `build`: its figures, or why it never became ready. */
  async function coldLoad(
    build: Build,
    label: string,
    path: string,
    ready: (p: Page) => Promise<void>,
    session?: string,
  ) {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 });
    try {
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
      page.on('requestfailed', (r) =>
        problems.push(`request failed: ${r.method()} ${r.url()} (${r.failure()?.errorText ?? '?'})`),
      );
      page.on('response', (r) => {
        if (r.status() >= 400) problems.push(`answer ${r.status()}: ${r.request().method()} ${r.url()}`);
      });
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 150,
        downloadThroughput: (1.6 * 1024 * 1024) / 8,
        uploadThroughput: (750 * 1024) / 8,
      });
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
      let transferred = 0;
      cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => (transferred += e.encodedDataLength));
      if (session) {
        await page.addInitScript(([key, value]) => localStorage.setItem(key!, value!), [storageKey, session]);
      }
      await page.addInitScript(() => {
        const w = window as unknown as {
          __fcp?: number;
          __lcp?: number;
          __cls?: number;
          __lcpElement?: string;
          __lcpAll?: string[];
        };
        w.__cls = 0;
        new PerformanceObserver((l) => {
          for (const e of l.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[])
            if (!e.hadRecentInput) w.__cls! += e.value;
        }).observe({ type: 'layout-shift', buffered: true });
        new PerformanceObserver((l) => {
          for (const e of l.getEntries()) if (e.name === 'first-contentful-paint') w.__fcp = e.startTime;
        }).observe({ type: 'paint', buffered: true });
        new PerformanceObserver((l) => {
          for (const e of l.getEntries() as (PerformanceEntry & { element: Element | null })[]) {
            w.__lcp = e.startTime;
            (w.__lcpAll ??= []).push(
              `${Math.round(e.startTime)} ms LCP candidate <${e.element?.tagName.toLowerCase() ?? 'removed'}>` +
                (e.element?.closest('.shell-r, .shell-portal') ? ' (shell)' : ''),
            );
            // which element it was, what it says, and whether the static shell drew it (React's have no shell-* frame)
            w.__lcpElement = e.element
              ? `<${e.element.tagName.toLowerCase()}> "${(e.element.textContent ?? '').trim().slice(0, 40)}"` +
                (e.element.closest('.shell-r, .shell-portal') ? ' (shell)' : '')
              : '(removed)';
          }
        }).observe({ type: 'largest-contentful-paint', buffered: true });
      });
      try {
        await page.goto(`http://127.0.0.1:${build.port}${path}`, { waitUntil: 'load', timeout: READY_MS });
        await ready(page);
      } catch (e) {
        const shows = await page
          .locator('body')
          .innerText({ timeout: 5_000 })
          .catch(() => '(nothing)');
        return {
          failed:
            `${label} (${build.name}) never became ready: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n` +
            `    it shows: ${shows.replace(/\s+/g, ' ').slice(0, 300)}\n` +
            (problems.length
              ? problems.map((p) => `    ${p}`).join('\n')
              : '    no console errors, no failed requests'),
        };
      }
      await page.waitForLoadState('networkidle');
      // LCP is final once the page is idle and the person would act
      const m = await page.evaluate(() => {
        const w = window as unknown as { __fcp?: number; __lcp?: number; __cls?: number; __lcpElement?: string };
        return { fcp: w.__fcp ?? NaN, lcp: w.__lcp ?? NaN, cls: w.__cls ?? NaN, element: w.__lcpElement ?? '' };
      });
      if (args.timeline) {
        // when each request ended and each LCP candidate painted: what the largest element waited for
        const t = await page.evaluate(() => [
          ...performance
            .getEntriesByType('resource')
            .map(
              (e) =>
                `${Math.round(e.startTime)}→${Math.round((e as PerformanceResourceTiming).responseEnd)} ms ${e.name.replace(/\?.*/, '')}`,
            ),
          ...((window as unknown as { __lcpAll?: string[] }).__lcpAll ?? []),
        ]);
        console.log(`  ${label} (${build.name}) timeline:\n${t.map((l) => `    ${l}`).join('\n')}`);
      }
      return { ...m, bytes: transferred };
    } finally {
      await context.close();
    }
  }

  try {
    for (const [label, path, ready, session] of pages) {
      const figures = builds.map((): Figures => ({ fcp: [], lcp: [], cls: [], bytes: [], elements: [], failed: 0 }));
      // load for load: this checkout, then the compared one, RUNS times
      for (let i = 0; i < RUNS; i++) {
        for (const [b, build] of builds.entries()) {
          const f = figures[b]!;
          const r = await coldLoad(build, label, path, ready, session);
          if ('failed' in r) {
            f.failed++;
            console.log(`  ${r.failed}`);
            continue;
          }
          f.fcp.push(r.fcp);
          f.lcp.push(r.lcp);
          f.cls.push(r.cls);
          f.elements.push([r.lcp, r.element]);
          f.bytes.push(r.bytes);
        }
      }
      for (const [b, build] of builds.entries()) {
        const f = figures[b]!;
        const name = builds.length > 1 ? `${label} [${build.name}]` : label;
        const notReady = f.failed ? `   (${f.failed} of ${RUNS} never ready)` : '';
        if (!f.lcp.length) {
          console.log(`  ${name.padEnd(20)} no load became ready${notReady}`);
          continue;
        }
        console.log(
          `  ${name.padEnd(20)} FCP ${Math.round(median(f.fcp))} ms   LCP ${Math.round(median(f.lcp))} ms   ` +
            `CLS ${median(f.cls).toFixed(3)}   transfer ${(median(f.bytes) / 1024).toFixed(0)} KB${notReady}`,
        );
        console.log(`  ${''.padEnd(20)} LCP of each load: ${f.lcp.map((x) => Math.round(x)).join(', ')} ms`);
        const lcpMedian = median(f.lcp);
        console.log(
          `  ${''.padEnd(20)} LCP element (median load): ${f.elements.find(([t]) => t === lcpMedian)?.[1] ?? '?'}`,
        );
      }
    }
    console.log(`  load average at end: ${load()}`);
  } finally {
    await browser.close();
    for (const b of builds) b.server.close();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
