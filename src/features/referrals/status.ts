/**
 * The eleven referral statuses, their plain labels and the three groups people
 * think in (docs/product.md, Statuses). Colour always travels with the label, never alone.
 */
export const STATUS_GROUPS = [
  {
    id: 'in_progress',
    label: 'In progress',
    color: 'blue',
    statuses: ['not_updated', 'needs_client_action', 'pending', 'referred_elsewhere', 'eligible'],
  },
  { id: 'got_help', label: 'Got help', color: 'green', statuses: ['got_help'] },
  {
    id: 'needs_further_action',
    label: 'Needs further action',
    color: 'orange',
    statuses: ['couldnt_contact', 'not_eligible', 'no_capacity', 'couldnt_get_help', 'no_longer_interested'],
  },
] as const;

export type StatusGroup = (typeof STATUS_GROUPS)[number];
export type StatusGroupId = StatusGroup['id'];
export type ReferralStatus = StatusGroup['statuses'][number];

export const STATUS_LABELS: Record<ReferralStatus, string> = {
  not_updated: 'Not updated',
  needs_client_action: 'Needs client action',
  pending: 'Pending',
  referred_elsewhere: 'Referred elsewhere',
  eligible: 'Eligible',
  got_help: 'Got help',
  couldnt_contact: "Couldn't contact",
  not_eligible: 'Not eligible',
  no_capacity: 'No capacity',
  couldnt_get_help: "Couldn't get help",
  no_longer_interested: 'No longer interested',
};

export const ALL_STATUSES = STATUS_GROUPS.flatMap((g) => g.statuses as readonly ReferralStatus[]);

export function statusLabel(status: string | null | undefined): string {
  return (status && STATUS_LABELS[status as ReferralStatus]) || 'Unknown';
}

export function groupOf(status: string): StatusGroup {
  return STATUS_GROUPS.find((g) => (g.statuses as readonly string[]).includes(status)) ?? STATUS_GROUPS[0];
}

export function statusesOfGroup(id: StatusGroupId): ReferralStatus[] {
  return [...(STATUS_GROUPS.find((g) => g.id === id)?.statuses ?? [])];
}
