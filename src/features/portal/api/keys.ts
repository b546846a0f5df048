/** Query keys of the seeker portal, most generic first. */
export const portalKeys = {
  all: ['portal'] as const,
  seeker: (userId: string) => [...portalKeys.all, 'seeker', userId] as const,
  referrals: (seekerId: string) => [...portalKeys.all, 'referrals', seekerId] as const,
  reasons: () => [...portalKeys.all, 'reasons'] as const,
};
