import { Alert, Skeleton, Stack, Text, Timeline, Title } from '@mantine/core';
import { formatDateTime } from '@/lib/format';
import type { Tables } from '@/lib/supabase';
import { statusLabel } from '../status';

/** A row of the referral's history (goal titles when the event is about a goal, if known). */
export type HistoryEvent = Pick<
  Tables<'referral_events'>,
  'id' | 'event_type' | 'from_status' | 'to_status' | 'actor_display_name' | 'actor_organization' | 'created_at'
> &
  Partial<
    Pick<
      Tables<'referral_events'>,
      'from_goal_title' | 'to_goal_title' | 'status_reason' | 'status_reason_text' | 'assignee_name'
    >
  >;

/** The words of a reason code (the drawer reads them from public.status_reasons). */
export type ReasonLabeler = (status: string | null, code: string) => string | null;

/** "Clara C. · Harbor Food Pantry" (or just the name, or "Someone" via an email link). */
export function actorLabel(e: Pick<HistoryEvent, 'actor_display_name' | 'actor_organization'>) {
  const name = e.actor_display_name || 'Someone';
  return e.actor_organization ? `${name} · ${e.actor_organization}` : name;
}

/** What happened, in words, after the actor. */
export function describeEvent(e: HistoryEvent, reasonLabel?: ReasonLabeler): string {
  switch (e.event_type) {
    case 'created':
      return `made the referral${e.to_status ? ` with the status ${statusLabel(e.to_status)}` : ''}`;
    case 'status_changed': {
      const change = `changed the status from ${statusLabel(e.from_status)} to ${statusLabel(e.to_status)}`;
      if (!e.status_reason) return change;
      const why = reasonLabel?.(e.to_status, e.status_reason) ?? e.status_reason.replace(/_/g, ' ');
      return `${change}. Reason: ${why}${e.status_reason_text ? ` ("${e.status_reason_text}")` : ''}`;
    }
    case 'note_added':
      return 'added a note';
    case 'note_deleted':
      return 'deleted a note';
    case 'goal_added':
      return e.to_goal_title ? `added the referral to the goal "${e.to_goal_title}"` : 'added the referral to a goal';
    case 'goal_moved':
      return e.to_goal_title
        ? `moved the referral to the goal "${e.to_goal_title}"`
        : 'moved the referral to another goal';
    case 'goal_removed':
      return e.from_goal_title
        ? `removed the referral from the goal "${e.from_goal_title}"`
        : 'removed the referral from its goal';
    case 'assigned':
      return e.assignee_name
        ? `assigned the referral to ${e.assignee_name}`
        : 'took the referral back (assigned to nobody)';
    case 'referred_not_accepting':
      return 'made the referral although the program said it was not accepting referrals';
    default: {
      // Every event type of the database's enum is described above (the typecheck fails otherwise);
      // one added to the database before the app is updated still reads as words.
      const unknownType: never = e.event_type;
      return String(unknownType).replace(/_/g, ' ');
    }
  }
}

export function HistoryTimeline({
  events,
  loading,
  error,
  reasonLabel,
}: {
  events: HistoryEvent[] | undefined;
  loading?: boolean;
  error?: string | null;
  reasonLabel?: ReasonLabeler;
}) {
  return (
    <Stack gap="sm">
      <Title order={3} size="h5">
        History
      </Title>
      {loading ? (
        <Stack gap="xs" aria-busy="true" aria-label="Loading history">
          <Skeleton h={36} />
          <Skeleton h={36} />
        </Stack>
      ) : error ? (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      ) : !events || events.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing has happened yet.
        </Text>
      ) : (
        <Timeline
          bulletSize={12}
          lineWidth={2}
          component="ol"
          aria-label="History"
          style={{ paddingLeft: 0, listStyle: 'none' }}
        >
          {events.map((e) => (
            <Timeline.Item key={e.id} component="li">
              <Text size="sm">
                <Text span fw={600}>
                  {actorLabel(e)}
                </Text>{' '}
                {describeEvent(e, reasonLabel)}
              </Text>
              <Text size="xs" c="dimmed">
                <time dateTime={e.created_at}>{formatDateTime(e.created_at)}</time>
              </Text>
            </Timeline.Item>
          ))}
        </Timeline>
      )}
    </Stack>
  );
}
