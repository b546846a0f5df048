import { useMe, useUserId } from '@/features/auth';
import type { ReferralView } from '../api/select';
import { StatusChanger } from './status-changer';

/** Whether I claim for this program (and so may forward what it receives). */
export function useClaimsFor(programId: string | null | undefined): boolean {
  const userId = useUserId();
  const me = useMe(userId);
  return !!programId && !!me.data?.organisations.some((o) => o.kind === 'program' && o.id === programId);
}

/** Change a status right from a list: nothing is saved until Save, and Undo follows. */
export function ReferralStatusCell({ referral, description }: { referral: ReferralView; description: string }) {
  const canForward = useClaimsFor(referral.program_id);
  return <StatusChanger referral={referral} description={description} compact canForward={canForward} />;
}
