/**
 * The eleven referral statuses, their plain labels and the three groups people
 * think in (docs/product.md, Statuses). The statuses, groups and words come from the one catalogue the
 * emails use too (supabase/functions/_shared/statuses.ts), typed against the
 * database's enum: a status the catalogue lacks fails the typecheck here, and
 * tests/unit/status-catalogue.test.ts fails on any other difference. Colour always travels with the label,
 * never alone.
 */
import type { Enums } from '@/lib/supabase';
import {
  ALL_STATUSES as CATALOGUE_STATUSES,
  STATUS_GROUPS as CATALOGUE_GROUPS,
  STATUS_LABELS as CATALOGUE_LABELS,
  needsReason,
  type StatusGroupId,
} from '@shared/statuses.ts';

/** Whether a status carries a reason (staff must give one). */
export { needsReason };

export type ReferralStatus = Enums<'referral_status'>;
export type { StatusGroupId };

const GROUP_LOOK: Record<StatusGroupId, { label: string; color: string }> = {
  in_progress: { label: 'In progress', color: 'blue' },
  got_help: { label: 'Got help', color: 'green' },
  needs_further_action: { label: 'Needs further action', color: 'orange' },
};

export type StatusGroup = {
  id: StatusGroupId;
  label: string;
  color: string;
  statuses: readonly ReferralStatus[];
};

export const STATUS_GROUPS: readonly StatusGroup[] = CATALOGUE_GROUPS.map((g) => ({
  id: g.id,
  ...GROUP_LOOK[g.id],
  statuses: g.statuses,
}));

/** The staff screens' words: the catalogue's English. */
export const STATUS_LABELS: Record<ReferralStatus, string> = CATALOGUE_LABELS.en;

export const ALL_STATUSES: readonly ReferralStatus[] = CATALOGUE_STATUSES;

export function statusLabel(status: string | null | undefined): string {
  return (status && STATUS_LABELS[status as ReferralStatus]) || 'Unknown';
}

export function groupOf(status: string): StatusGroup {
  return STATUS_GROUPS.find((g) => g.statuses.includes(status as ReferralStatus)) ?? STATUS_GROUPS[0]!;
}

export function statusesOfGroup(id: StatusGroupId): ReferralStatus[] {
  return [...(STATUS_GROUPS.find((g) => g.id === id)?.statuses ?? [])];
}
