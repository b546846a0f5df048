export type ProgramSearch = { zip: string; query?: string; withinMiles?: number | null; acceptingOnly?: boolean };

export const programKeys = {
  all: ['programs'] as const,
  searches: () => [...programKeys.all, 'search'] as const,
  search: (s: ProgramSearch) => [...programKeys.searches(), s] as const,
  /** Without a ZIP code: the directory by name. */
  byName: (query: string, acceptingOnly = false) => [...programKeys.all, 'by-name', query, acceptingOnly] as const,
};
