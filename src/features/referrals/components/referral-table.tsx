import { Anchor, Button, Skeleton, Table, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { paths } from '@/lib/paths';
import { formatDate, fullName } from '@/lib/format';
import { referredByLabel, type ReferralView } from '../api/select';
import { formatDue, responseState } from '../response-clock';
import { ReferralStatusCell } from './referral-status-cell';
import { ResponseBadge } from './response-badge';

export type ReferralTableProps = {
  rows: ReferralView[] | undefined;
  loading?: boolean;
  caption: string;
  showSeeker?: boolean;
  onOpen: (id: string) => void;
  empty: React.ReactNode;
};

/** Referrals as a real table: one row each, status changeable in place. */
export function ReferralTable({ rows, loading, caption, showSeeker = true, onOpen, empty }: ReferralTableProps) {
  if (loading && !rows) {
    return (
      <div aria-busy="true" aria-label={`Loading ${caption.toLowerCase()}`}>
        {[0, 1, 2].map((i) => (
          <Skeleton key={i} h={44} mb="xs" />
        ))}
      </div>
    );
  }
  if (!rows || rows.length === 0) return <>{empty}</>;
  return (
    <Table.ScrollContainer minWidth={960}>
      <Table verticalSpacing="sm" highlightOnHover>
        <Table.Caption style={{ captionSide: 'top', textAlign: 'left' }}>
          <Text size="sm" c="dimmed" span>
            {caption}
          </Text>
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            {showSeeker && <Table.Th scope="col">Person</Table.Th>}
            <Table.Th scope="col">Program</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Response</Table.Th>
            <Table.Th scope="col">Assigned to</Table.Th>
            <Table.Th scope="col">Referred by</Table.Th>
            <Table.Th scope="col">Made</Table.Th>
            <Table.Th scope="col">
              <span className="visually-hidden">Actions</span>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => {
            const seekerName = fullName(r.seeker) || 'Unknown person';
            const description = `${seekerName}'s referral to ${r.program?.name ?? 'a program'}`;
            return (
              <Table.Tr key={r.id}>
                {showSeeker && (
                  <Table.Td>
                    {r.seeker ? (
                      <Anchor
                        component={Link}
                        to={paths.seeker.getHref(r.seeker.id)}
                        fw={600}
                        style={{ whiteSpace: 'nowrap' }}
                      >
                        {seekerName}
                      </Anchor>
                    ) : (
                      seekerName
                    )}
                  </Table.Td>
                )}
                <Table.Td>{r.program?.name}</Table.Td>
                <Table.Td miw={200}>
                  <ReferralStatusCell referral={r} description={description} />
                </Table.Td>
                <Table.Td miw={130} style={{ whiteSpace: 'nowrap' }}>
                  <ResponseCell referral={r} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c={r.assigned_to_name ? undefined : 'dimmed'}>
                    {r.assigned_to_name || 'Nobody'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{referredByLabel(r)}</Text>
                </Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <time dateTime={r.created_at}>{formatDate(r.created_at)}</time>
                </Table.Td>
                <Table.Td>
                  <Button size="xs" variant="light" onClick={() => onOpen(r.id)} aria-label={`Open ${description}`}>
                    Open
                  </Button>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Overdue / Due today as a badge; otherwise when it is due, or that the program has answered. */
function ResponseCell({ referral }: { referral: ReferralView }) {
  const state = responseState(referral);
  if (state === 'overdue' || state === 'due_today') return <ResponseBadge referral={referral} />;
  return (
    <Text size="sm" c="dimmed">
      {state === 'answered' ? 'Answered' : `Due ${formatDue(referral)}`}
    </Text>
  );
}
