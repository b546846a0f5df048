export const meKeys = {
  all: ['me'] as const,
  detail: (userId: string) => [...meKeys.all, userId] as const,
};
