import { NativeSelect, Text } from '@mantine/core';
import { ALL_STATUSES, STATUS_GROUPS, STATUS_LABELS, groupOf, type ReferralStatus } from '../status';

export type StatusControlProps = {
  value: string;
  onChange: (status: ReferralStatus) => void;
  /** Visible label; for a compact table cell pass `hideLabel` and an `ariaLabel`. */
  label?: string;
  ariaLabel?: string;
  hideLabel?: boolean;
  disabled?: boolean;
  error?: string | null;
};

/**
 * Changes a referral's status. A native select with the statuses grouped as
 * In progress / Got help / Needs further action: keyboard and screen readers
 * handle it everywhere, and phones show their own picker.
 */
export function StatusControl({
  value,
  onChange,
  label = 'Status',
  ariaLabel,
  hideLabel,
  disabled,
  error,
}: StatusControlProps) {
  const data = STATUS_GROUPS.map((g) => ({
    group: g.label,
    items: g.statuses.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
  }));
  return (
    <NativeSelect
      label={hideLabel ? undefined : label}
      aria-label={hideLabel ? (ariaLabel ?? label) : undefined}
      description={hideLabel ? undefined : `Group: ${groupOf(value).label}`}
      value={value}
      data={data}
      disabled={disabled}
      error={
        error ? (
          <Text size="xs" role="alert" span>
            {error}
          </Text>
        ) : undefined
      }
      onChange={(e) => {
        const next = e.currentTarget.value as ReferralStatus;
        if (ALL_STATUSES.includes(next) && next !== value) onChange(next);
      }}
    />
  );
}
