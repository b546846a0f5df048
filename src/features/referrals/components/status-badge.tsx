import { Badge } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconProgress } from '@tabler/icons-react';
import { groupOf, statusLabel } from '../status';

const ICONS = { in_progress: IconProgress, got_help: IconCircleCheck, needs_further_action: IconAlertTriangle };

/** A status as words, with its group's colour and icon as extra cues. */
export function StatusBadge({ status }: { status: string }) {
  const group = groupOf(status);
  const Icon = ICONS[group.id];
  return (
    <Badge
      color={group.color}
      variant="light"
      leftSection={<Icon size={14} aria-hidden />}
      tt="none"
      title={group.label}
    >
      {statusLabel(status)}
    </Badge>
  );
}
