import { useMutation } from '@tanstack/react-query';
import { supabase } from '@/lib/supabase';

export type PasswordCredentials = { email: string; password: string };

export async function signInWithPassword({ email, password }: PasswordCredentials) {
  const { data, error } = await supabase.auth.signInWithPassword({ email, password });
  if (error) throw error;
  return data.session;
}

export function useSignInWithPassword() {
  return useMutation({ mutationFn: signInWithPassword });
}
