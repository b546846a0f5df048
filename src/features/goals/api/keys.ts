export const goalKeys = {
  all: ['goals'] as const,
  lists: () => [...goalKeys.all, 'list'] as const,
  list: (seekerId: string) => [...goalKeys.lists(), seekerId] as const,
};
