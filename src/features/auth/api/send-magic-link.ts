import { useMutation } from '@tanstack/react-query';
import { supabase } from '@/lib/supabase';

export type MagicLinkInput = { email: string; next: string };

/** Emails a sign-in link that brings the person back to the page they wanted. */
export async function sendMagicLink({ email, next }: MagicLinkInput) {
  const { error } = await supabase.auth.signInWithOtp({
    email,
    options: { shouldCreateUser: false, emailRedirectTo: new URL(next, window.location.origin).toString() },
  });
  if (error) throw error;
}

export function useSendMagicLink() {
  return useMutation({ mutationFn: sendMagicLink });
}
