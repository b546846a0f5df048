import { useMutation, useQueryClient } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { portalKeys } from './keys';
import type { MyReferral } from './get-my-referrals';
import { SEEKER_STATUSES, type SeekerStatus } from '@shared/statuses.ts';

/** The statuses a seeker chooses from: the same three as in their emails (one catalogue). */
export { SEEKER_STATUSES, type SeekerStatus };

export async function updateMyReferralStatus({ id, status }: { id: string; status: SeekerStatus }) {
  const { data, error } = await supabase
    .from('referrals')
    .update({ status })
    .eq('id', id)
    .select('id, status')
    .single();
  if (error) throw accessError('referral', error);
  return data;
}

/** One tap: the card shows the new status at once and rolls back if the database refuses. */
export function useUpdateMyReferralStatus(seekerId: string) {
  const queryClient = useQueryClient();
  const key = portalKeys.referrals(seekerId);
  return useMutation({
    mutationFn: updateMyReferralStatus,
    onMutate: async ({ id, status }) => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData<MyReferral[]>(key);
      queryClient.setQueryData<MyReferral[]>(key, (old) => old?.map((r) => (r.id === id ? { ...r, status } : r)));
      return { previous };
    },
    onError: (_e, _v, ctx) => {
      if (ctx?.previous) queryClient.setQueryData(key, ctx.previous);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
  });
}
