/** What one report is about: part of its query key. */
export type ReportScope = {
  /** ISO instants: the report counts referrals made in [from, to). */
  from: string;
  to: string;
  /** The chosen sites and programs; both undefined means all of mine. */
  siteIds?: string[];
  programIds?: string[];
  /** IANA time zone the weeks are cut in (the reader's own). */
  timeZone: string;
};

/** Query keys of the reports feature. */
export const reportKeys = {
  all: ['reports'] as const,
  report: (scope: ReportScope) => [...reportKeys.all, 'report', scope] as const,
};
