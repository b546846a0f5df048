export type SeekerSort = 'name' | 'newest' | 'recently_updated';
export type SeekerListFilters = { search?: string; sort?: SeekerSort; page?: number; pageSize?: number };

export const seekerKeys = {
  all: ['seekers'] as const,
  lists: () => [...seekerKeys.all, 'list'] as const,
  list: (filters: SeekerListFilters) => [...seekerKeys.lists(), filters] as const,
  details: () => [...seekerKeys.all, 'detail'] as const,
  detail: (id: string) => [...seekerKeys.details(), id] as const,
};
