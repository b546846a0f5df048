import { Anchor, Badge, Button, Checkbox, Skeleton, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { paths } from '@/lib/paths';
import { formatDate, fullName } from '@/lib/format';
import { referredByLabel, type ReferralView } from '../api/select';
import { formatDue, responseState } from '../response-clock';
import { waitingLabel } from '../waiting';
import { PersonContact } from './person-contact';
import { ReferralStatusCell } from './referral-status-cell';
import { ResponseBadge } from './response-badge';

export type ReferralTableProps = {
  rows: ReferralView[] | undefined;
  loading?: boolean;
  caption: string;
  showSeeker?: boolean;
  /** Inbound and the worklist: the person's phone, email and best way to reach them. */
  showContact?: boolean;
  /** "Waiting 3 days" instead of the date made (the worklist). */
  showWaiting?: boolean;
  /** Rows that changed and no longer match the filters: kept in place, marked, until the list is refreshed. */
  kept?: ReadonlySet<string>;
  /** Checkboxes for a bulk change: the selected ids and how to change them. */
  selection?: { selected: ReadonlySet<string>; onChange: (ids: Set<string>) => void };
  onOpen: (id: string) => void;
  empty: React.ReactNode;
};

/** Referrals as a real table: one row each, status changeable in place. */
export function ReferralTable({
  rows,
  loading,
  caption,
  showSeeker = true,
  showContact = false,
  showWaiting = false,
  kept,
  selection,
  onOpen,
  empty,
}: ReferralTableProps) {
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
  const allSelected = !!selection && rows.every((r) => selection.selected.has(r.id));
  const someSelected = !!selection && rows.some((r) => selection.selected.has(r.id));
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
            {selection && (
              <Table.Th scope="col" w={40}>
                <Checkbox
                  aria-label="Select every referral on this page"
                  checked={allSelected}
                  indeterminate={someSelected && !allSelected}
                  onChange={() =>
                    selection.onChange(
                      allSelected
                        ? new Set([...selection.selected].filter((id) => !rows.some((r) => r.id === id)))
                        : new Set([...selection.selected, ...rows.map((r) => r.id)]),
                    )
                  }
                />
              </Table.Th>
            )}
            {showSeeker && <Table.Th scope="col">Person</Table.Th>}
            <Table.Th scope="col">Program</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Response</Table.Th>
            <Table.Th scope="col">Assigned to</Table.Th>
            <Table.Th scope="col">Referred by</Table.Th>
            <Table.Th scope="col">{showWaiting ? 'Waiting' : 'Made'}</Table.Th>
            <Table.Th scope="col">
              <span className="visually-hidden">Actions</span>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => {
            const seekerName = fullName(r.seeker) || 'Unknown person';
            const description = `${seekerName}'s referral to ${r.program?.name ?? 'a program'}`;
            const isKept = kept?.has(r.id) ?? false;
            return (
              <Table.Tr key={r.id} bg={isKept ? 'var(--mantine-color-yellow-0)' : undefined}>
                {selection && (
                  <Table.Td>
                    <Checkbox
                      aria-label={`Select ${description}`}
                      checked={selection.selected.has(r.id)}
                      onChange={(e) => {
                        const next = new Set(selection.selected);
                        if (e.currentTarget.checked) next.add(r.id);
                        else next.delete(r.id);
                        selection.onChange(next);
                      }}
                    />
                  </Table.Td>
                )}
                {showSeeker && (
                  <Table.Td>
                    <Stack gap={2}>
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
                      {showContact && <PersonContact person={r.seeker} compact />}
                    </Stack>
                  </Table.Td>
                )}
                <Table.Td>{r.program?.name}</Table.Td>
                <Table.Td miw={200}>
                  <ReferralStatusCell referral={r} description={description} />
                  {isKept && (
                    <Badge mt={4} color="yellow" variant="light" tt="none">
                      Changed · no longer matches the filters
                    </Badge>
                  )}
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
                  {showWaiting ? (
                    <Text size="sm" component="span">
                      {waitingLabel(r)}
                    </Text>
                  ) : (
                    <time dateTime={r.created_at}>{formatDate(r.created_at)}</time>
                  )}
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
