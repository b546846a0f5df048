/**
 * Navigation between the pages seekers open (/portal and /r/<token>), which
 * are their own small app (src/seeker.tsx) without the staff router: the
 * path as state, links that move within those pages without a reload, and
 * ordinary page loads for anything else (staff sign-in lives in the staff app).
 */
import { useSyncExternalStore, type ComponentPropsWithoutRef, type MouseEvent } from 'react';
import { isSeekerPath } from './paths';

const listeners = new Set<() => void>();

function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

const currentPath = () => window.location.pathname;

/** The current path; re-renders on navigation and on Back/Forward. */
export function usePathname(): string {
  return useSyncExternalStore(subscribe, currentPath, currentPath);
}

/** Goes to `href`: within the seeker pages without a reload, elsewhere as a normal page load. */
export function navigate(href: string): void {
  const url = new URL(href, window.location.href);
  if (url.origin !== window.location.origin || !isSeekerPath(url.pathname)) {
    window.location.assign(url.toString());
    return;
  }
  window.history.pushState(null, '', url.pathname + url.search + url.hash);
  window.scrollTo(0, 0);
  for (const listener of listeners) listener();
}

/** An ordinary link (it works without JavaScript and opens in a new tab); a plain click navigates in place. */
export function Link({ href, onClick, ...rest }: ComponentPropsWithoutRef<'a'> & { href: string }) {
  const click = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={click} {...rest} />;
}
