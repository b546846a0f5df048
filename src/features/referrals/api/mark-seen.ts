import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { supabase } from '@/lib/supabase';
import { referralKeys } from './keys';

/**
 * Opening a referral records that I looked at it (my own marker, kept by the
 * database), so the worklist stops listing what I have now seen.
 */
export function useMarkSeen(referralId: string, enabled: boolean) {
  const qc = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    void supabase.rpc('mark_referral_seen', { referral_id: referralId }).then(({ error }) => {
      if (!error) void qc.invalidateQueries({ queryKey: referralKeys.changed() });
    });
  }, [referralId, enabled, qc]);
}
