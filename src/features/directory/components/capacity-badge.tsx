import { Badge, Group, Text } from '@mantine/core';
import { CAPACITY_COLORS, agoText, capacityText, type Capacity } from '../capacity';

/**
 * A program's capacity as the directory shows it ("Waitlist, about 2 weeks ·
 * updated 3 days ago"). `capacity` is already the shown one (unknown when stale).
 */
export function CapacityBadge({
  capacity,
  wait,
  updatedAt,
}: {
  capacity: Capacity;
  wait?: string | null;
  updatedAt?: string | null;
}) {
  const ago = capacity === 'unknown' ? null : agoText(updatedAt);
  return (
    <Group gap={6} wrap="wrap">
      <Badge color={CAPACITY_COLORS[capacity]} variant="light" tt="none">
        {capacityText(capacity, wait)}
      </Badge>
      {ago && (
        <Text size="xs" c="dimmed">
          updated {ago}
        </Text>
      )}
    </Group>
  );
}

/** "Information checked 12 days ago" / "Information not checked yet". */
export function FreshnessText({ verifiedAt }: { verifiedAt: string | null | undefined }) {
  const ago = agoText(verifiedAt);
  return (
    <Text size="xs" c="dimmed">
      {ago ? `Information checked ${ago}` : 'Information not checked yet'}
    </Text>
  );
}
