/** Query keys of the notifications feature, most generic first. */
export const notificationKeys = {
  all: ['notifications'] as const,
  seekerDelivery: (referralId: string) => [...notificationKeys.all, 'seeker-delivery', referralId] as const,
};
