import { useMutation, useQueryClient } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { portalKeys } from './keys';
import type { MySeeker } from './get-my-seeker';

export type Preferences = Partial<Pick<MySeeker, 'preferred_contact' | 'preferred_language'>>;

/** A seeker may change how they are reached and their language (the database refuses anything else). */
export async function updateMyPreferences({ seekerId, changes }: { seekerId: string; changes: Preferences }) {
  const { error } = await supabase.from('seekers').update(changes).eq('id', seekerId);
  if (error) throw accessError('seeker', error);
}

export function useUpdateMyPreferences(userId: string) {
  const queryClient = useQueryClient();
  const key = portalKeys.seeker(userId);
  return useMutation({
    mutationFn: updateMyPreferences,
    onMutate: async ({ changes }) => {
      await queryClient.cancelQueries({ queryKey: key });
      const previous = queryClient.getQueryData<MySeeker | null>(key);
      if (previous) queryClient.setQueryData<MySeeker>(key, { ...previous, ...changes });
      return { previous };
    },
    onError: (_e, _v, ctx) => {
      if (ctx?.previous !== undefined) queryClient.setQueryData(key, ctx.previous);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
  });
}
