import { useMutation, useQueryClient } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { goalKeys } from './keys';

export type CreateGoalInput = { seekerId: string; title: string; description?: string };

export async function createGoal({ seekerId, title, description = '' }: CreateGoalInput) {
  const { data, error } = await supabase
    .from('goals')
    .insert({ seeker_id: seekerId, title, description })
    .select('id, title')
    .single();
  if (error) throw accessError('goals', error);
  return data;
}

export function useCreateGoal(seekerId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: Omit<CreateGoalInput, 'seekerId'>) => createGoal({ seekerId, ...input }),
    onSettled: () => qc.invalidateQueries({ queryKey: goalKeys.list(seekerId) }),
  });
}
