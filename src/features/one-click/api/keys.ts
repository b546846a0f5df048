/** Query keys of the one-click confirm page. */
export const oneClickKeys = {
  all: ['one-click'] as const,
  link: (token: string) => [...oneClickKeys.all, token] as const,
};
