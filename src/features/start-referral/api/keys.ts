export type ProgramSearch = { zip: string; query?: string; withinMiles?: number | null };

export const programKeys = {
  all: ['programs'] as const,
  searches: () => [...programKeys.all, 'search'] as const,
  search: (s: ProgramSearch) => [...programKeys.searches(), s] as const,
  /** Without a ZIP code: the directory by name. */
  byName: (query: string) => [...programKeys.all, 'by-name', query] as const,
};
