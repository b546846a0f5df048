import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

/** The open referral lives in the URL (`?referral=<id>`), so it can be linked and survives reloads. */
export function useReferralParam() {
  const [params, setParams] = useSearchParams();
  const referralId = params.get('referral');
  const open = useCallback(
    (id: string) =>
      setParams((p) => {
        const next = new URLSearchParams(p);
        next.set('referral', id);
        return next;
      }),
    [setParams],
  );
  const close = useCallback(
    () =>
      setParams((p) => {
        const next = new URLSearchParams(p);
        next.delete('referral');
        return next;
      }),
    [setParams],
  );
  return { referralId, open, close };
}
