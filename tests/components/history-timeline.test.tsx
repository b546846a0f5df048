import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { HistoryTimeline, type HistoryEvent } from '@/features/referrals/components/history-timeline';
import { render } from './render';

const base = { from_status: null, to_status: null, actor_organization: null, created_at: '2026-11-20T15:00:00Z' };

describe('HistoryTimeline', () => {
  it('says who did what, with first name, last initial and organisation', () => {
    const events: HistoryEvent[] = [
      {
        ...base,
        id: 3,
        event_type: 'status_changed',
        from_status: 'not_updated',
        to_status: 'pending',
        actor_display_name: 'Clara C.',
        actor_organization: 'Harbor Food Pantry',
      },
      {
        ...base,
        id: 2,
        event_type: 'goal_moved',
        to_goal_title: 'Find work',
        actor_display_name: 'Helen H.',
        actor_organization: 'Eastside Community Clinic',
      },
      { ...base, id: 1, event_type: 'note_deleted', actor_display_name: 'Sam S.' },
    ];
    render(<HistoryTimeline events={events} />);
    const items = within(screen.getByRole('list', { name: 'History' })).getAllByRole('listitem');
    expect(items[0]).toHaveTextContent('Clara C. · Harbor Food Pantry changed the status from Not updated to Pending');
    expect(items[1]).toHaveTextContent(
      'Helen H. · Eastside Community Clinic moved the referral to the goal "Find work"',
    );
    expect(items[2]).toHaveTextContent('Sam S. deleted a note');
  });

  it('has an empty and an error state', () => {
    const { rerender } = render(<HistoryTimeline events={[]} />);
    expect(screen.getByText('Nothing has happened yet.')).toBeInTheDocument();
    rerender(<HistoryTimeline events={undefined} error="You don't have access to this referral." />);
    expect(screen.getByRole('alert')).toHaveTextContent("You don't have access to this referral.");
  });
});
