import { Badge } from '@mantine/core';
import { IconAlarm, IconClockExclamation } from '@tabler/icons-react';
import { formatDue, responseState } from '../response-clock';
import type { ReferralView } from '../api/select';

/**
 * "Overdue" (past its due time, not answered by the program) or "Due today";
 * nothing for a referral answered or due later. Words first; colour and icon
 * only add to them. The due time is in the title and in the words read out.
 */
export function ResponseBadge({
  referral,
  now,
}: {
  referral: Pick<ReferralView, 'response_due_at' | 'responded_at' | 'program'>;
  now?: Date;
}) {
  const state = responseState(referral, now);
  if (state !== 'overdue' && state !== 'due_today') return null;
  const overdue = state === 'overdue';
  const due = formatDue(referral);
  return (
    <Badge
      color={overdue ? 'red' : 'orange'}
      variant="light"
      tt="none"
      style={{ overflow: 'visible' }}
      miw="fit-content"
      leftSection={overdue ? <IconClockExclamation size={14} aria-hidden /> : <IconAlarm size={14} aria-hidden />}
      title={`${overdue ? 'Was due' : 'Due'} ${due}`}
    >
      {overdue ? 'Overdue' : 'Due today'}
      <span className="visually-hidden">{`: ${overdue ? 'was due' : 'due'} ${due}`}</span>
    </Badge>
  );
}
