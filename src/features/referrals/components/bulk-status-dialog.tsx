import { useState } from 'react';
import { Alert, Button, Group, List, Modal, NativeSelect, Stack, Text } from '@mantine/core';
import { notifySuccess } from '@/lib/notify';
import { useBulkUpdateStatus, type BulkOutcome, type BulkTarget } from '../api/bulk-update-status';
import { STATUS_GROUPS, STATUS_LABELS, statusLabel, type ReferralStatus } from '../status';

/**
 * "Change status" for the selected rows: its own dialog, where choosing a
 * status changes nothing; only the button naming how many referrals and which
 * status applies it.
 */
export function BulkStatusDialog({
  targets,
  opened,
  onClose,
  onDone,
}: {
  targets: BulkTarget[];
  opened: boolean;
  onClose: () => void;
  onDone: (outcomes: BulkOutcome[]) => void;
}) {
  const [status, setStatus] = useState<ReferralStatus | ''>('');
  const [outcomes, setOutcomes] = useState<BulkOutcome[] | null>(null);
  const bulk = useBulkUpdateStatus();
  const n = targets.length;
  const plural = `${n} referral${n === 1 ? '' : 's'}`;
  const failed = outcomes?.filter((o) => !o.ok) ?? [];
  const close = () => {
    setStatus('');
    setOutcomes(null);
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title={`Change the status of ${plural}`}>
      <Stack gap="sm">
        {outcomes === null ? (
          <>
            <List size="sm">
              {targets.map((t) => (
                <List.Item key={t.id}>{t.description}</List.Item>
              ))}
            </List>
            <NativeSelect
              label="New status"
              description="Nothing changes until you press the button below."
              value={status}
              onChange={(e) => setStatus(e.currentTarget.value as ReferralStatus | '')}
              data={[
                { value: '', label: 'Choose a status' },
                ...STATUS_GROUPS.map((g) => ({
                  group: g.label,
                  items: g.statuses.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
                })),
              ]}
            />
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button
                disabled={!status || n === 0}
                loading={bulk.isPending}
                onClick={() => {
                  if (!status) return;
                  bulk.mutate(
                    { targets, status },
                    {
                      onSuccess: (result) => {
                        setOutcomes(result);
                        onDone(result);
                        const ok = result.filter((o) => o.ok).length;
                        if (ok === result.length) {
                          notifySuccess(`${ok} referral${ok === 1 ? '' : 's'} changed to ${statusLabel(status)}.`);
                          close();
                        }
                      },
                    },
                  );
                }}
              >
                {status ? `Change ${plural} to ${statusLabel(status)}` : `Change ${plural}`}
              </Button>
            </Group>
          </>
        ) : (
          <>
            <Alert color={failed.length ? 'orange' : 'green'} role="status">
              {outcomes.length - failed.length} of {outcomes.length} changed.
              {failed.length > 0 && ' These were not:'}
            </Alert>
            {failed.length > 0 && (
              <List size="sm">
                {failed.map((o) => (
                  <List.Item key={o.id}>
                    <Text size="sm" span fw={600}>
                      {o.description}
                    </Text>
                    : {o.error}
                  </List.Item>
                ))}
              </List>
            )}
            <Group justify="flex-end">
              <Button onClick={close}>Close</Button>
            </Group>
          </>
        )}
      </Stack>
    </Modal>
  );
}
