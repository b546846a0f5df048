import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { Alert, Badge, Button, Group, NativeSelect, Paper, Stack, Text, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { IconRefresh } from '@tabler/icons-react';
import { Pager } from '@/components/pager';
import { formatCount } from '@/lib/counts';
import { errorMessage } from '@/lib/errors';
import { useLiveQueries } from '@/lib/realtime';
import { SearchField } from '@/components/search-field';
import { applyReferralChange } from '../api/cache';
import { referralKeys, type ReferralListFilters, type ReferralSort } from '../api/keys';
import { DEFAULT_PAGE_SIZE, useNotUpdatedCount, useOverdueCount, useReferralList } from '../api/list-referrals';
import type { ReferralView } from '../api/select';
import {
  ALL_STATUSES,
  STATUS_GROUPS,
  STATUS_LABELS,
  statusesOfGroup,
  type ReferralStatus,
  type StatusGroupId,
} from '../status';
import { BulkStatusDialog } from './bulk-status-dialog';
import { OverdueBadge } from './overdue-badge';
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
  /** Inbound: the person's phone, email and best way to reach them beside their name. */
  showContact?: boolean;
};

/** Inbound: which of my programs' referrals to show. */
type Show = NonNullable<ReferralListFilters['show']>;
const SHOWS: { value: '' | Show; label: string }[] = [
  { value: '', label: 'All referrals' },
  { value: 'needs_response', label: 'Needs a response' },
  { value: 'assigned_to_me', label: 'Assigned to me' },
];
const SHOW_VALUES: string[] = SHOWS.map((o) => o.value);

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

const SORT_VALUES = SORTS.map((o) => o.value);

/**
 * The list's filters, sort and page live in the URL (?program=&show=&status=&q=&sort=&page=), so a reload,
 * a link or the back button keeps them. Defaults are left out of the URL.
 */
function useListParams() {
  const [params, setParams] = useSearchParams();
  const set = useCallback(
    (changes: Record<string, string | number | null>) =>
      setParams(
        (p) => {
          const next = new URLSearchParams(p);
          for (const [k, v] of Object.entries(changes)) {
            if (v === null || v === '' || (k === 'page' && v === 1) || (k === 'sort' && v === 'newest')) next.delete(k);
            else next.set(k, String(v));
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  const sortParam = params.get('sort') as ReferralSort | null;
  const showParam = params.get('show') ?? '';
  return {
    programId: params.get('program') ?? '',
    show: (SHOW_VALUES.includes(showParam) ? showParam : '') as '' | Show,
    status: params.get('status') ?? '',
    q: params.get('q') ?? '',
    sort: sortParam && SORT_VALUES.includes(sortParam) ? sortParam : ('newest' as ReferralSort),
    page: Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1),
    set,
  };
}

/**
 * What the table shows: the fresh rows, plus rows shown before that changed and no longer match the
 * filters, kept where they were (and marked) until the list is refreshed or the filters change.
 */
function useKeptRows(fresh: ReferralView[] | undefined, key: string, placeholder: boolean) {
  const [view, setView] = useState<{ key: string; rows: ReferralView[]; kept: Set<string> } | null>(null);
  useEffect(() => {
    if (!fresh || placeholder) return;
    setView((prev) => {
      if (!prev || prev.key !== key) return { key, rows: fresh, kept: new Set() };
      const freshIds = new Set(fresh.map((r) => r.id));
      const rows = [...fresh];
      const kept = new Set<string>();
      prev.rows.forEach((r, i) => {
        if (!freshIds.has(r.id)) {
          rows.splice(Math.min(i, rows.length), 0, r);
          kept.add(r.id);
        }
      });
      return { key, rows, kept };
    });
  }, [fresh, key, placeholder]);
  const current = view && view.key === key ? view : null;
  return {
    rows: current?.rows ?? fresh,
    kept: current?.kept ?? new Set<string>(),
    reset: () => setView(fresh ? { key, rows: fresh, kept: new Set() } : null),
  };
}

/** Inbound Referrals and My referrals: filter, search, sort, page, change statuses in place or several at once. */
export function ReferralDashboard({ title, intro, base, programs, emptyText, showContact }: Props) {
  const { programId, show, status, q, sort, page, set } = useListParams();
  const [searchInput, setSearchInput] = useState(q);
  const [debounced] = useDebouncedValue(searchInput.trim(), 300);
  const search = q;
  const { referralId, open, close } = useReferralParam();
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkOpen, setBulkOpen] = useState(false);

  // The search box writes to the URL once typing pauses (and a new search starts at page 1).
  useEffect(() => {
    if (debounced !== q) set({ q: debounced, page: null });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);
  useEffect(() => setSearchInput(q), [q]);

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

  const shownRows = useKeptRows(list.data?.rows, JSON.stringify(filters), list.isPlaceholderData);
  const filtered = !!(status || show || search || programId);
  const total = list.data?.total ?? null;
  const shown = list.data?.rows.length ?? 0;
  const targets = (shownRows.rows ?? [])
    .filter((r) => selected.has(r.id))
    .map((r) => ({
      id: r.id,
      version: r.version,
      description: `${[r.seeker?.first_name, r.seeker?.last_name].filter(Boolean).join(' ') || 'Unknown person'}'s referral to ${r.program?.name ?? 'a program'}`,
    }));
  const programParam: Record<string, string> = programId ? { program: programId } : {};
  const notUpdatedHref = `?${new URLSearchParams({ ...programParam, status: 'not_updated' })}`;
  // unanswered, the longest waiting (so the overdue ones) first
  const overdueHref = `?${new URLSearchParams({ ...programParam, show: 'needs_response', sort: 'oldest' })}`;
  const from = (page - 1) * DEFAULT_PAGE_SIZE + 1;
  const caption =
    total === null
      ? `Referrals ${shown ? `${from}–${from + shown - 1}` : ''}${filtered ? ' matching the filters' : ''}`
      : `${formatCount(total)} referral${total === 1 ? '' : 's'}${filtered ? ' match the filters' : ''}`;

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
          <CountLink
            pending={notUpdated.isPending}
            count={notUpdated.data ?? 0}
            color="orange"
            href={notUpdatedHref}
            label="not updated"
            action="show only those"
          />
          {/* Needs a response is an Inbound filter; My referrals shows the count alone */}
          {programs && programs.length > 0 ? (
            <CountLink
              pending={overdue.isPending}
              count={overdue.data ?? 0}
              color="red"
              href={overdueHref}
              label="overdue"
              action="show the referrals that need a response, oldest first"
              title="Past the program's response time with no answer from the program"
            />
          ) : (
            <OverdueBadge pending={overdue.isPending} count={overdue.data} />
          )}
        </Group>
      </Group>

      <Paper withBorder p="sm" component="section" aria-label="Filters">
        <Group gap="sm" align="flex-end" wrap="wrap">
          {programs && programs.length > 0 && (
            <NativeSelect
              label="Program"
              value={programId}
              onChange={(e) => set({ program: e.currentTarget.value, page: null })}
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
              onChange={(e) => set({ show: e.currentTarget.value, page: null })}
              data={SHOWS}
            />
          )}
          <NativeSelect
            label="Status"
            value={status}
            onChange={(e) => set({ status: e.currentTarget.value, page: null })}
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
          <SearchField label="Search by person's name" value={searchInput} onChange={setSearchInput} />
          <NativeSelect
            label="Sort"
            value={sort}
            onChange={(e) => set({ sort: e.currentTarget.value, page: null })}
            data={SORTS}
          />
        </Group>
      </Paper>

      <Group gap="sm" wrap="wrap">
        <Button variant="default" size="xs" disabled={targets.length === 0} onClick={() => setBulkOpen(true)}>
          {targets.length
            ? `Change status of ${targets.length} selected…`
            : 'Select referrals to change several at once'}
        </Button>
        {shownRows.kept.size > 0 && (
          <Button
            variant="light"
            size="xs"
            leftSection={<IconRefresh size={14} aria-hidden />}
            onClick={() => {
              shownRows.reset();
              void list.refetch();
            }}
          >
            Refresh the list ({shownRows.kept.size} no longer {shownRows.kept.size === 1 ? 'matches' : 'match'})
          </Button>
        )}
      </Group>

      {list.isError ? (
        <Alert color="red" role="alert" title="Referrals could not be loaded">
          {errorMessage(list.error)}
        </Alert>
      ) : (
        <ReferralTable
          rows={shownRows.rows}
          loading={list.isPending}
          caption={caption}
          showContact={showContact}
          kept={shownRows.kept}
          selection={{ selected, onChange: setSelected }}
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
        onChange={(p) => set({ page: p })}
      />
      <BulkStatusDialog
        targets={targets}
        opened={bulkOpen}
        onClose={() => setBulkOpen(false)}
        onDone={(outcomes) => setSelected(new Set(outcomes.filter((o) => !o.ok).map((o) => o.id)))}
      />
      <ReferralDrawer referralId={referralId} onClose={close} />
    </Stack>
  );
}

/** A count at the top of a dashboard that is also the filter showing those referrals. */
function CountLink({
  pending,
  count,
  color,
  href,
  label,
  action,
  title,
}: {
  pending: boolean;
  count: number;
  color: string;
  href: string;
  label: string;
  action: string;
  title?: string;
}) {
  if (pending) {
    return (
      <Badge size="lg" color="gray" variant="light" tt="none">
        Counting…
      </Badge>
    );
  }
  return (
    <Button
      component={Link}
      to={href}
      replace
      size="sm"
      radius="xl"
      color={count ? color : 'gray'}
      variant="light"
      title={title}
      aria-label={`${formatCount(count)} ${label}: ${action}`}
      aria-live="polite"
    >
      {`${formatCount(count)} ${label}`}
    </Button>
  );
}
