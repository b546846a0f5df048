/**
 * A page's requests to the API (`/rest/v1/`) that have not been answered yet.
 * A test that makes a screen stale on purpose (Realtime stopped, then a change
 * behind its back) first waits until the screen has none left: a read it sent
 * before the change but that reaches the database after it would bring the
 * change in, and the screen would not be stale after all.
 */
import { expect } from 'vitest';
import type { Page, Request } from 'playwright-core';

export function watchApiRequests(page: Page) {
  const inFlight = new Set<Request>();
  const isApi = (r: Request) => new URL(r.url()).pathname.startsWith('/rest/v1/');
  page.on('request', (r) => {
    if (isApi(r)) inFlight.add(r);
  });
  page.on('requestfinished', (r) => inFlight.delete(r));
  page.on('requestfailed', (r) => inFlight.delete(r));
  return {
    /** Resolves once every API request the page has sent so far has been answered (or failed). */
    async answered() {
      const sent = [...inFlight];
      await expect
        .poll(() => sent.filter((r) => inFlight.has(r)).map((r) => `${r.method()} ${r.url()}`), { timeout: 15_000 })
        .toEqual([]);
    },
  };
}
