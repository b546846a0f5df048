/**
 * Every route of the app, typed, in one place. Screens link with
 * `paths.x.getHref(...)`; the router uses `paths.x.path`.
 */
export const paths = {
  signIn: {
    path: '/sign-in',
    getHref: (next?: string) => (next && next !== '/' ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in'),
  },
  home: { path: '/', getHref: () => '/' },
  people: { path: '/people', getHref: () => '/people' },
  seeker: { path: '/people/:seekerId', getHref: (seekerId: string) => `/people/${seekerId}` },
  startReferral: {
    path: '/people/:seekerId/refer',
    getHref: (seekerId: string) => `/people/${seekerId}/refer`,
  },
  myReferrals: { path: '/referrals', getHref: () => '/referrals' },
  inbound: { path: '/inbound', getHref: () => '/inbound' },
  directoryReports: { path: '/directory-reports', getHref: () => '/directory-reports' },
  reports: { path: '/reports', getHref: () => '/reports' },
  worklist: { path: '/today', getHref: () => '/today' },
  referralSummary: {
    path: '/referrals/:referralId/summary',
    getHref: (referralId: string) => `/referrals/${referralId}/summary`,
  },
  portal: { path: '/portal', getHref: () => '/portal' },
  oneClick: { path: '/r/:token', getHref: (token: string) => `/r/${encodeURIComponent(token)}` },
} as const;

/**
 * The pages seekers open from a message (/portal, /r/<token>): served by their
 * own small entry (seeker.html), every other path by the staff app (index.html).
 * Hosting (vite.config.ts for dev and preview, public/_redirects, bench/web.ts)
 * decides with this.
 */
export function isSeekerPath(pathname: string): boolean {
  return /^\/portal\/?$/.test(pathname) || /^\/r\/[^/]+\/?$/.test(pathname);
}

/** Only same-app paths are followed after sign-in (never an open redirect). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith(paths.signIn.path)) {
    return paths.home.getHref();
  }
  return next;
}
