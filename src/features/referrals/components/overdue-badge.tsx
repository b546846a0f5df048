import { Badge } from '@mantine/core';
import { formatCount } from '@/lib/counts';

const OVERDUE_TITLE = "Past the program's response time with no answer from the program";

/** How many referrals are past their response time, as a badge (red when there are any); read out when it changes. */
export function OverdueBadge({ pending, count }: { pending: boolean; count: number | undefined }) {
  return (
    <Badge size="lg" color={count ? 'red' : 'gray'} variant="light" tt="none" aria-live="polite" title={OVERDUE_TITLE}>
      {pending ? 'Counting…' : `${formatCount(count ?? 0)} overdue`}
    </Badge>
  );
}
