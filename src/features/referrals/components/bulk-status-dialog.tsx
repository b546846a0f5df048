import { useState } from 'react';
import { Alert, Button, Group, List, Modal, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { notifySuccess } from '@/lib/notify';
import { useBulkUpdateStatus, type BulkOutcome, type BulkTarget } from '../api/bulk-update-status';
import { reasonsFor, useStatusReasons } from '../api/get-status-reasons';
import { needsReason, STATUS_GROUPS, STATUS_LABELS, statusLabel, type ReferralStatus } from '../status';
import { REASON_TEXT_MAX, reasonProblem } from './status-changer';

/**
 * "Change status" for the selected rows: its own dialog, where choosing a
 * status changes nothing; only the button naming how many referrals and which
 * status applies it. A status that carries a reason asks for it here, from the
 * same list and under the same rule as a single change, and the one reason
 * goes with every referral changed.
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
  const [reason, setReason] = useState('');
  const [reasonText, setReasonText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [outcomes, setOutcomes] = useState<BulkOutcome[] | null>(null);
  const reasons = useStatusReasons();
  const bulk = useBulkUpdateStatus();
  const n = targets.length;
  const plural = `${n} referral${n === 1 ? '' : 's'}`;
  const failed = outcomes?.filter((o) => !o.ok) ?? [];
  const askReason = !!status && needsReason(status);
  const close = () => {
    setStatus('');
    setReason('');
    setReasonText('');
    setProblem(null);
    setOutcomes(null);
    onClose();
  };

  const apply = () => {
    if (!status) return;
    const p = reasonProblem(status, reason, reasonText);
    setProblem(p);
    if (p) return;
    bulk.mutate(
      {
        targets,
        status,
        statusReason: askReason ? reason : null,
        statusReasonText: askReason ? reasonText : null,
      },
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
  };

  return (
    <Modal opened={opened} onClose={close} title={`Change the status of ${plural}`}>
      <Stack gap="sm">
        {outcomes === null ? (
          <form
            aria-label={`Change the status of ${plural}`}
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              apply();
            }}
          >
            <Stack gap="sm">
              <List size="sm">
                {targets.map((t) => (
                  <List.Item key={t.id}>{t.description}</List.Item>
                ))}
              </List>
              <NativeSelect
                label="New status"
                description="Nothing changes until you press the button below."
                value={status}
                onChange={(e) => {
                  setStatus(e.currentTarget.value as ReferralStatus | '');
                  setReason('');
                  setProblem(null);
                }}
                data={[
                  { value: '', label: 'Choose a status' },
                  ...STATUS_GROUPS.map((g) => ({
                    group: g.label,
                    items: g.statuses.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
                  })),
                ]}
              />
              {askReason && (
                <>
                  <NativeSelect
                    label="Reason"
                    description={`The same reason goes with each of the ${plural}.`}
                    required
                    value={reason}
                    error={problem && !reason ? problem : undefined}
                    onChange={(e) => {
                      setReason(e.currentTarget.value);
                      setProblem(null);
                    }}
                    data={[
                      { value: '', label: reasons.isPending ? 'Loading reasons…' : 'Choose a reason' },
                      ...reasonsFor(reasons.data, status).map((r) => ({ value: r.code, label: r.label_en })),
                    ]}
                  />
                  <TextInput
                    label="Details (optional)"
                    description="Everyone on these referrals reads this, the people referred included."
                    maxLength={REASON_TEXT_MAX}
                    value={reasonText}
                    onChange={(e) => setReasonText(e.currentTarget.value)}
                  />
                </>
              )}
              {problem && (reason || !askReason) && (
                <Text size="sm" c="red.8" role="alert">
                  {problem}
                </Text>
              )}
              <Group justify="flex-end" gap="xs">
                <Button variant="default" onClick={close}>
                  Cancel
                </Button>
                <Button type="submit" disabled={!status || n === 0} loading={bulk.isPending}>
                  {status ? `Change ${plural} to ${statusLabel(status)}` : `Change ${plural}`}
                </Button>
              </Group>
            </Stack>
          </form>
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
