import { useEffect, useMemo, useState } from 'react';
import { Alert, Badge, Group, NativeSelect, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { IconSearch } from '@tabler/icons-react';
import { Pager } from '@/components/pager';
import { errorMessage } from '@/lib/errors';
import { useLiveQueries } from '@/lib/realtime';
import { applyReferralChange } from '../api/cache';
import { referralKeys, type ReferralListFilters, type ReferralSort } from '../api/keys';
import { DEFAULT_PAGE_SIZE, useNotUpdatedCount, useOverdueCount, useReferralList } from '../api/list-referrals';
import {
  ALL_STATUSES,
  STATUS_GROUPS,
  STATUS_LABELS,
  statusesOfGroup,
  type ReferralStatus,
  type StatusGroupId,
} from '../status';
import { ReferralDrawer } from './referral-drawer';
import { ReferralTable } from './referral-table';
import { useReferralParam } from './use-referral-param';

export type DashboardProgram = { id: string; name: string };

type Props = {
  title: string;
  intro: string;
  /** The base filters of this dashboard (scope and who I am). */
  base: Omit<ReferralListFilters, 'statuses' | 'search' | 'sort' | 'page' | 'pageSize' | 'programIds' | 'show'>;
  /** Inbound: the programs I claim for, to pick from. */
  programs?: DashboardProgram[];
  emptyText: React.ReactNode;
};

/** Inbound: which of my programs' referrals to show. */
const SHOWS: { value: '' | NonNullable<ReferralListFilters['show']>; label: string }[] = [
  { value: '', label: 'All referrals' },
  { value: 'needs_response', label: 'Needs a response' },
  { value: 'assigned_to_me', label: 'Assigned to me' },
];

const SORTS: { value: ReferralSort; label: string }[] = [
  { value: 'newest', label: 'Newest first' },
  { value: 'oldest', label: 'Oldest first' },
  { value: 'recently_updated', label: 'Recently updated' },
  { value: 'seeker', label: 'Person (A–Z)' },
];

/** Turns the status filter's value ("group:got_help", a status, or "") into statuses. */
function statusesFor(value: string): ReferralStatus[] | undefined {
  if (!value) return undefined;
  if (value.startsWith('group:')) return statusesOfGroup(value.slice(6) as StatusGroupId);
  return ALL_STATUSES.includes(value as ReferralStatus) ? [value as ReferralStatus] : undefined;
}

/** Inbound Referrals and My referrals: filter, search, sort, page, change statuses in place. */
export function ReferralDashboard({ title, intro, base, programs, emptyText }: Props) {
  const [programId, setProgramId] = useState('');
  const [status, setStatus] = useState('');
  const [show, setShow] = useState<'' | NonNullable<ReferralListFilters['show']>>('');
  const [searchInput, setSearchInput] = useState('');
  const [search] = useDebouncedValue(searchInput.trim(), 300);
  const [sort, setSort] = useState<ReferralSort>('newest');
  const [page, setPage] = useState(1);
  const { referralId, open, close } = useReferralParam();
  const queryClient = useQueryClient();

  useEffect(() => setPage(1), [programId, status, show, search, sort]);

  const programIds = programs ? (programId ? [programId] : programs.map((p) => p.id)) : undefined;
  const filters: ReferralListFilters = useMemo(
    () => ({
      ...base,
      programIds,
      statuses: statusesFor(status),
      show: show || undefined,
      search: search || undefined,
      sort,
      page,
      pageSize: DEFAULT_PAGE_SIZE,
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [JSON.stringify(base), JSON.stringify(programIds), status, show, search, sort, page],
  );
  const list = useReferralList(filters);
  const notUpdated = useNotUpdatedCount(filters);
  const overdue = useOverdueCount(filters);
  // Time passing makes referrals overdue without any change to announce it:
  // count again whenever the list is read again (and every minute).
  const { refetch: recountOverdue } = overdue;
  useEffect(() => {
    if (list.dataUpdatedAt) void recountOverdue();
  }, [list.dataUpdatedAt, recountOverdue]);

  useLiveQueries(
    `dashboard:${base.scope}`,
    [{ table: 'referrals', ...(programIds?.length === 1 ? { filter: `program_id=eq.${programIds[0]}` } : {}) }],
    [referralKeys.lists(), referralKeys.counts()],
    { onChange: (payload) => applyReferralChange(queryClient, payload) },
  );

  const filtered = !!(status || show || search || programId);
  const total = list.data?.total ?? null;
  const shown = list.data?.rows.length ?? 0;
  const from = (page - 1) * DEFAULT_PAGE_SIZE + 1;
  const caption =
    total === null
      ? `Referrals ${shown ? `${from}–${from + shown - 1}` : ''}${filtered ? ' matching the filters' : ''}`
      : `${total} referral${total === 1 ? '' : 's'}${filtered ? ' match the filters' : ''}`;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={1}>{title}</Title>
          <Text c="dimmed" size="sm">
            {intro}
          </Text>
        </div>
        <Group gap="xs">
          <Badge size="lg" color={notUpdated.data ? 'orange' : 'gray'} variant="light" tt="none" aria-live="polite">
            {notUpdated.isPending ? 'Counting…' : `${notUpdated.data ?? 0} not updated`}
          </Badge>
          <Badge
            size="lg"
            color={overdue.data ? 'red' : 'gray'}
            variant="light"
            tt="none"
            aria-live="polite"
            title="Past the program's response time with no answer from the program"
          >
            {overdue.isPending ? 'Counting…' : `${overdue.data ?? 0} overdue`}
          </Badge>
        </Group>
      </Group>

      <Paper withBorder p="sm" component="section" aria-label="Filters">
        <Group gap="sm" align="flex-end" wrap="wrap">
          {programs && programs.length > 0 && (
            <NativeSelect
              label="Program"
              value={programId}
              onChange={(e) => setProgramId(e.currentTarget.value)}
              data={[
                { value: '', label: programs.length > 1 ? 'All my programs' : programs[0]!.name },
                ...(programs.length > 1 ? programs.map((p) => ({ value: p.id, label: p.name })) : []),
              ]}
            />
          )}
          {programs && programs.length > 0 && (
            <NativeSelect
              label="Show"
              value={show}
              onChange={(e) => setShow(e.currentTarget.value as typeof show)}
              data={SHOWS}
            />
          )}
          <NativeSelect
            label="Status"
            value={status}
            onChange={(e) => setStatus(e.currentTarget.value)}
            data={[
              { value: '', label: 'All statuses' },
              {
                group: 'Groups',
                items: STATUS_GROUPS.map((g) => ({ value: `group:${g.id}`, label: `${g.label} (all)` })),
              },
              ...STATUS_GROUPS.map((g) => ({
                group: g.label,
                items: g.statuses.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
              })),
            ]}
          />
          <TextInput
            label="Search by person's name"
            type="search"
            leftSection={<IconSearch size={16} aria-hidden />}
            value={searchInput}
            onChange={(e) => setSearchInput(e.currentTarget.value)}
            style={{ flex: 1, minWidth: 200 }}
          />
          <NativeSelect
            label="Sort"
            value={sort}
            onChange={(e) => setSort(e.currentTarget.value as ReferralSort)}
            data={SORTS}
          />
        </Group>
      </Paper>

      {list.isError ? (
        <Alert color="red" role="alert" title="Referrals could not be loaded">
          {errorMessage(list.error)}
        </Alert>
      ) : (
        <ReferralTable
          rows={list.data?.rows}
          loading={list.isPending}
          caption={caption}
          onOpen={open}
          empty={
            <Paper withBorder p="xl" ta="center">
              {filtered ? (
                <Text>
                  {show === 'needs_response' && !status && !search
                    ? 'Every referral here has had an answer from the program.'
                    : show === 'assigned_to_me' && !status && !search
                      ? 'No referral here is assigned to you.'
                      : 'No referrals match these filters. Clear the search or choose another status.'}
                </Text>
              ) : (
                emptyText
              )}
            </Paper>
          }
        />
      )}
      <Pager
        label={`Pages of ${title}`}
        page={page}
        pageSize={DEFAULT_PAGE_SIZE}
        shown={shown}
        total={total}
        hasMore={list.data?.hasMore}
        onChange={setPage}
      />
      <ReferralDrawer referralId={referralId} onClose={close} />
    </Stack>
  );
}
