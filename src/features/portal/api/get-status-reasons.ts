import { useQuery } from '@tanstack/react-query';
import { getStatusReasons } from '@/lib/status-reasons';
import { portalKeys } from './keys';

/** The reasons a status may carry, in both languages (the seeker's card words them in the one shown). */
export function useMyStatusReasons() {
  return useQuery({ queryKey: portalKeys.reasons(), queryFn: getStatusReasons, staleTime: 10 * 60_000 });
}
