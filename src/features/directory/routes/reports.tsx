import { useEffect, useState } from 'react';
import { Alert, Badge, Button, Group, Paper, Skeleton, Stack, Text, Textarea, Title } from '@mantine/core';
import { useUserId } from '@/features/auth';
import { errorMessage } from '@/lib/errors';
import { formatDate } from '@/lib/format';
import { notifyError, notifySuccess } from '@/lib/notify';
import { REASON_LABELS, useReports, useResolveReport, type ProgramReport, type ReportStatus } from '../api/reports';

const STATUS_WORDS: Record<ReportStatus, { label: string; color: string }> = {
  open: { label: 'Open', color: 'yellow' },
  resolved: { label: 'Resolved', color: 'green' },
  dismissed: { label: 'Dismissed', color: 'gray' },
};

function StatusBadge({ status }: { status: ReportStatus }) {
  return (
    <Badge color={STATUS_WORDS[status].color} variant="light" tt="none">
      {STATUS_WORDS[status].label}
    </Badge>
  );
}

function ResolveControls({ report }: { report: ProgramReport }) {
  const resolve = useResolveReport();
  const [note, setNote] = useState('');
  const act = (status: 'resolved' | 'dismissed') =>
    resolve.mutate(
      { id: report.id, status, note },
      {
        onSuccess: () => notifySuccess(`The reporter will see that it was ${status}.`, `Report ${status}`),
        onError: (e) => notifyError(e, 'Not saved'),
      },
    );
  return (
    <Stack gap="xs">
      <Textarea
        label="What you did (the reporter sees this)"
        maxLength={2000}
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        autosize
        minRows={1}
      />
      <Group gap="xs">
        <Button size="xs" onClick={() => act('resolved')} loading={resolve.isPending}>
          Resolve
        </Button>
        <Button size="xs" variant="default" onClick={() => act('dismissed')} loading={resolve.isPending}>
          Dismiss: the listing is right
        </Button>
      </Group>
    </Stack>
  );
}

function ReportList({
  title,
  scope,
  empty,
  userId,
}: {
  title: string;
  scope: 'mine' | 'inbound';
  empty: string;
  userId: string | undefined;
}) {
  const reports = useReports(scope, userId);
  const id = `reports-${scope}`;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={id}>
      <Title order={2} size="h4" id={id} mb="sm">
        {title}
      </Title>
      {reports.isPending ? (
        <Skeleton h={60} aria-label="Loading reports" />
      ) : reports.isError ? (
        <Alert color="red" role="alert" title="Reports could not be loaded">
          {errorMessage(reports.error)}
        </Alert>
      ) : reports.data.length === 0 ? (
        <Text c="dimmed">{empty}</Text>
      ) : (
        <Stack gap="md" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label={title}>
          {reports.data.map((r) => (
            <Stack
              key={r.id}
              gap={4}
              component="li"
              aria-label={`${r.programs?.name ?? 'Program'}: ${REASON_LABELS[r.reason]}`}
            >
              <Group gap="xs">
                <Text fw={600}>{r.programs?.name}</Text>
                <StatusBadge status={r.status} />
              </Group>
              <Text size="sm">
                {REASON_LABELS[r.reason]}
                {r.details ? `: ${r.details}` : ''}
              </Text>
              <Text size="xs" c="dimmed">
                {scope === 'inbound'
                  ? `Reported by ${r.reporter_name || 'someone'}${r.reporter_organization ? ` · ${r.reporter_organization}` : ''} on ${formatDate(r.created_at)}`
                  : `Reported on ${formatDate(r.created_at)}`}
                {r.resolved_at ? ` · ${r.status} on ${formatDate(r.resolved_at)}` : ''}
              </Text>
              {r.status !== 'open' && r.resolution_note && <Text size="sm">Outcome: {r.resolution_note}</Text>}
              {scope === 'inbound' && r.status === 'open' && <ResolveControls report={r} />}
            </Stack>
          ))}
        </Stack>
      )}
    </Paper>
  );
}

/** Directory reports: those on my programs to resolve, and those I made with their outcome. */
export default function DirectoryReportsRoute() {
  const userId = useUserId();
  useEffect(() => {
    document.title = 'Directory reports · Closed Loop Referrals';
  }, []);
  return (
    <Stack gap="md">
      <div>
        <Title order={1}>Directory reports</Title>
        <Text c="dimmed">
          Reports of wrong information in program listings: fix the listing, then resolve the report.
        </Text>
      </div>
      <ReportList
        title="Reports on your programs"
        scope="inbound"
        userId={userId}
        empty="Nobody has reported wrong information about your programs (only claimers of a program see its reports)."
      />
      <ReportList
        title="Reports you made"
        scope="mine"
        userId={userId}
        empty="You have not reported any wrong information. Use “Report wrong information” on a program in Start a Referral."
      />
    </Stack>
  );
}
