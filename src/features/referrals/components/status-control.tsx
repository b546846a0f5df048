import type { Ref } from 'react';
import { NativeSelect, Text } from '@mantine/core';
import { ALL_STATUSES, STATUS_GROUPS, STATUS_LABELS, groupOf, type ReferralStatus } from '../status';

export type StatusControlProps = {
  value: string;
  /** The status chosen in the box. Choosing saves nothing: the caller decides (StatusChanger asks for Save). */
  onChange: (status: ReferralStatus) => void;
  /** Visible label; for a compact table cell pass `hideLabel` and an `ariaLabel`. */
  label?: string;
  ariaLabel?: string;
  hideLabel?: boolean;
  disabled?: boolean;
  /** A change is being saved: announced, while the box keeps its focus (a disabled box would lose it). */
  busy?: boolean;
  error?: string | null;
  /** Replaces the "Group: …" line under the label. */
  description?: string;
  /** Escape in the box (drops a choice not saved yet). */
  onEscape?: () => void;
  ref?: Ref<HTMLSelectElement>;
};

/**
 * A referral's status box. A native select with the statuses grouped as
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
  busy,
  error,
  description,
  onEscape,
  ref,
}: StatusControlProps) {
  const data = STATUS_GROUPS.map((g) => ({
    group: g.label,
    items: g.statuses.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
  }));
  return (
    <NativeSelect
      ref={ref}
      label={hideLabel ? undefined : label}
      aria-label={hideLabel ? (ariaLabel ?? label) : undefined}
      aria-busy={busy || undefined}
      description={hideLabel ? description : (description ?? `Group: ${groupOf(value).label}`)}
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
      onKeyDown={(e) => {
        if (e.key === 'Escape' && onEscape) {
          e.stopPropagation();
          onEscape();
        }
      }}
      onChange={(e) => {
        const next = e.currentTarget.value as ReferralStatus;
        if (ALL_STATUSES.includes(next) && next !== value) onChange(next);
      }}
    />
  );
}
