/**
 * The one-click page's early answer (asked by seeker.html's inline script
 * while the JavaScript loads) must reach the page whenever it arrives: before
 * the first render, between that render and the effect, or after both.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderHook, waitFor } from '@testing-library/react';
import { useStatusLink, type StatusLink } from '@/features/one-click/api/status-link';

// The app's Supabase client is made at import; with an early answer nothing is asked, and any
// request would go to an address nothing listens on (and fail the test) instead of reaching a stack.
vi.hoisted(() => {
  vi.stubEnv('VITE_SUPABASE_URL', 'http://127.0.0.1:9');
  vi.stubEnv('VITE_SUPABASE_ANON_KEY', 'component-tests-make-no-requests');
});

const TOKEN = 'a-token';
const answer = { state: 'ready', language: 'en' } as unknown as StatusLink;

afterEach(() => {
  window.__statusLink = undefined;
});

describe('useStatusLink with an early answer', () => {
  it('uses an answer that was there before the first render', () => {
    window.__statusLink = { token: TOKEN, answer: Promise.resolve(answer), value: answer };
    const { result } = renderHook(() => useStatusLink(TOKEN));
    expect(result.current).toEqual({ status: 'done', data: answer });
  });

  it('uses an answer that arrived after the first render and before its effect', async () => {
    // the first read (the render) finds nothing yet; every later read (the effect) finds the answer
    let reads = 0;
    const early = { token: TOKEN, answer: Promise.resolve(answer) } as NonNullable<Window['__statusLink']>;
    Object.defineProperty(early, 'value', { get: () => (reads++ === 0 ? undefined : answer) });
    window.__statusLink = early;
    const { result } = renderHook(() => useStatusLink(TOKEN));
    await waitFor(() => expect(result.current).toEqual({ status: 'done', data: answer }));
    expect(reads).toBeGreaterThanOrEqual(2);
  });

  it('waits for an answer still on its way', async () => {
    let arrive!: (a: StatusLink) => void;
    window.__statusLink = { token: TOKEN, answer: new Promise<StatusLink>((r) => (arrive = r)) };
    const { result } = renderHook(() => useStatusLink(TOKEN));
    expect(result.current).toEqual({ status: 'pending' });
    arrive(answer);
    await waitFor(() => expect(result.current).toEqual({ status: 'done', data: answer }));
  });
});
