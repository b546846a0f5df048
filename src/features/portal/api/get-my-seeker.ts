import { queryOptions, useQuery } from '@tanstack/react-query';
import { accessError } from '@/lib/errors';
import { supabase, type QueryData } from '@/lib/supabase';
import { portalKeys } from './keys';

const selectMySeeker = () =>
  supabase.from('seekers').select('id, first_name, email, phone, preferred_contact, preferred_language');

export type MySeeker = QueryData<ReturnType<typeof selectMySeeker>>[number];

/** The seeker record that is this account (RLS: a seeker sees only their own). */
export async function getMySeeker(userId: string): Promise<MySeeker | null> {
  const { data, error } = await selectMySeeker().eq('user_id', userId).maybeSingle();
  if (error) throw accessError('seeker', error);
  return data;
}

export const mySeekerQueryOptions = (userId: string) =>
  queryOptions({ queryKey: portalKeys.seeker(userId), queryFn: () => getMySeeker(userId) });

export function useMySeeker(userId: string) {
  return useQuery(mySeekerQueryOptions(userId));
}
