import { useMutation } from '@tanstack/react-query';
import { supabase } from '@/lib/supabase';
import { beginSignOut } from '@/lib/session-expiry';

export async function signOut() {
  beginSignOut();
  const { error } = await supabase.auth.signOut();
  if (error) throw error;
}

export function useSignOut() {
  return useMutation({ mutationFn: signOut });
}
