import { queryOptions, useQuery } from '@tanstack/react-query';
import { getStatusReasons } from '@/lib/status-reasons';
import { referralKeys } from './keys';

export { getStatusReasons, reasonLabel, reasonsFor, type StatusReason } from '@/lib/status-reasons';

export const statusReasonsQueryOptions = () =>
  queryOptions({ queryKey: referralKeys.reasons(), queryFn: getStatusReasons, staleTime: 10 * 60_000 });

export function useStatusReasons() {
  return useQuery(statusReasonsQueryOptions());
}
