import { useState } from 'react';
import { Alert, NativeSelect, Stack } from '@mantine/core';
import { errorMessage } from '@/lib/errors';
import { fullName } from '@/lib/format';
import { notifySuccess } from '@/lib/notify';
import { useProgramClaimers } from '../api/get-program-claimers';
import { useUpdateReferralAssignee } from '../api/update-referral-assignee';
import type { ReferralView } from '../api/select';

const NOBODY = '';

/**
 * "Assigned to": a claimer of the receiving program gives the referral to
 * one of its claimers (themselves first) or to nobody. Shown only to the
 * program's claimers; everyone else reads the assignee in the details.
 */
export function AssignmentControl({
  referral,
  userId,
}: {
  referral: Pick<ReferralView, 'id' | 'program_id' | 'assigned_to' | 'assigned_to_name' | 'version'>;
  userId: string;
}) {
  const claimers = useProgramClaimers(referral.program_id);
  const update = useUpdateReferralAssignee();
  const [error, setError] = useState<string | null>(null);

  const list = claimers.data ?? [];
  if (!list.some((c) => c.user_id === userId)) return null;

  const others = list
    .filter((c) => c.user_id !== userId)
    .map((c) => ({ value: c.user_id, label: fullName(c.profile) || 'A claimer' }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const data = [
    { value: NOBODY, label: 'Nobody' },
    { value: userId, label: 'Me' },
    ...others,
    // someone assigned who has since left the program
    ...(referral.assigned_to && !list.some((c) => c.user_id === referral.assigned_to)
      ? [{ value: referral.assigned_to, label: `${referral.assigned_to_name || 'Someone'} (no longer a claimer)` }]
      : []),
  ];

  return (
    <Stack gap={4}>
      <NativeSelect
        label="Assigned to"
        description="The claimer who handles it; reminders go to them."
        value={referral.assigned_to ?? NOBODY}
        data={data}
        disabled={update.isPending}
        onChange={(e) => {
          const next = e.currentTarget.value || null;
          if (next === referral.assigned_to) return;
          setError(null);
          update.mutate(
            { id: referral.id, assignedTo: next, version: referral.version },
            {
              onSuccess: (row) =>
                notifySuccess(
                  row.assigned_to
                    ? `Assigned to ${row.assigned_to === userId ? 'you' : row.assigned_to_name}.`
                    : 'Assigned to nobody.',
                ),
              onError: (err) => setError(errorMessage(err)),
            },
          );
        }}
      />
      {error && (
        <Alert color="red" role="alert" p="xs">
          {error}
        </Alert>
      )}
    </Stack>
  );
}
