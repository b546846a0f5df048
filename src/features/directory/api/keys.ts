export const directoryKeys = {
  all: ['directory'] as const,
  myPrograms: (ids: string[]) => [...directoryKeys.all, 'my-programs', ids] as const,
  reports: () => [...directoryKeys.all, 'reports'] as const,
  reportList: (scope: 'mine' | 'inbound') => [...directoryKeys.reports(), scope] as const,
};
