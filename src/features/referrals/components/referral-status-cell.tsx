import { notifyError, notifySuccess } from '@/lib/notify';
import { useUpdateReferralStatus } from '../api/update-referral-status';
import type { ReferralView } from '../api/select';
import { statusLabel } from '../status';
import { StatusControl } from './status-control';

/** Change a status right from a list; optimistic, rolled back with a message if refused. */
export function ReferralStatusCell({ referral, description }: { referral: ReferralView; description: string }) {
  const update = useUpdateReferralStatus();
  return (
    <StatusControl
      hideLabel
      ariaLabel={`Status of ${description}`}
      value={referral.status}
      disabled={update.isPending}
      onChange={(status) =>
        update.mutate(
          { id: referral.id, status, version: referral.version },
          {
            onSuccess: () => notifySuccess(`${description}: ${statusLabel(status)}.`, 'Status changed'),
            onError: (e) => notifyError(e, 'Status not changed'),
          },
        )
      }
    />
  );
}
