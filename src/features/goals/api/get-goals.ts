import { queryOptions, useQuery } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase } from '@/lib/supabase';
import { goalKeys } from './keys';

export async function getGoals(seekerId: string) {
  const { data, error } = await supabase
    .from('goals')
    .select('id, seeker_id, title, description, created_at')
    .eq('seeker_id', seekerId)
    .order('created_at', { ascending: true });
  if (error) throw accessError('goals', error);
  return data;
}

export const goalsQueryOptions = (seekerId: string) =>
  queryOptions({ queryKey: goalKeys.list(seekerId), queryFn: () => getGoals(seekerId) });

export function useGoals(seekerId: string | null | undefined) {
  return useQuery({ ...goalsQueryOptions(seekerId ?? ''), enabled: !!seekerId });
}
