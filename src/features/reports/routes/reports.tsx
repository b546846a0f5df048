import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Button,
  Group,
  NativeSelect,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import dayjs from 'dayjs';
import { useMe, useUserId, type Organisation } from '@/features/auth';
import { reasonLabel, useStatusReasons } from '@/features/referrals';
import { errorMessage } from '@/lib/errors';
import { notifyError } from '@/lib/notify';
import { useLiveQueries } from '@/lib/realtime';
import { useReport } from '../api/get-report';
import { reportKeys, type ReportScope } from '../api/keys';
import { listReportRows } from '../api/list-report-rows';
import { ChartCard } from '../components/chart-card';
import { downloadCsv, toCsv } from '../csv';
import { chartTables, figureTable, formatDuration, share, statusLabel, type ReasonWords } from '../model';
import { customPeriodError, periodOf, RANGE_OPTIONS, readerTimeZone, type RangeKind } from '../range';

const ALL = 'all';

function Figure({ id, label, value, detail }: { id: string; label: string; value: string; detail?: string }) {
  return (
    <Paper withBorder p="md" data-figure={id}>
      <Text size="sm" c="dimmed" component="h3" m={0} fw={500}>
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value}
      </Text>
      {detail && (
        <Text size="sm" c="dimmed">
          {detail}
        </Text>
      )}
    </Paper>
  );
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const formatDay = (day: string) => dayjs(day).format('D MMM YYYY');

/** Reports: what happened to the referrals of my programs and sites over a period. */
export default function ReportsRoute() {
  const userId = useUserId();
  const me = useMe(userId);
  const [orgValue, setOrgValue] = useState(ALL);
  const [range, setRange] = useState<RangeKind>('last_3_months');
  const today = dayjs().format('YYYY-MM-DD');
  const [custom, setCustom] = useState({ from: dayjs().subtract(1, 'month').format('YYYY-MM-DD'), to: today });
  const [exporting, setExporting] = useState(false);

  useEffect(() => {
    document.title = 'Reports · Closed Loop Referrals';
  }, []);

  const organisations: Organisation[] = me.data?.organisations ?? [];
  const chosen = organisations.find((o) => `${o.kind}:${o.id}` === orgValue);
  const period = periodOf(range, custom);
  const customError = range === 'custom' ? customPeriodError(custom) : null;
  const scope: ReportScope = useMemo(
    () => ({
      from: period?.from ?? '',
      to: period?.to ?? '',
      siteIds: chosen ? (chosen.kind === 'site' ? [chosen.id] : []) : undefined,
      programIds: chosen ? (chosen.kind === 'program' ? [chosen.id] : []) : undefined,
      timeZone: readerTimeZone(),
    }),
    [period?.from, period?.to, chosen],
  );
  const report = useReport(scope, { enabled: Boolean(period) && organisations.length > 0 });
  // the reasons' words, as the referral drawer shows them (a failed load leaves the codes in words)
  const reasons = useStatusReasons();
  useLiveQueries('reports', [{ table: 'referrals' }], [reportKeys.all], { enabled: organisations.length > 0 });

  if (!me.data) return <Skeleton h={300} />;
  if (organisations.length === 0) {
    return (
      <Stack>
        <Title order={1}>Reports</Title>
        <Text>Reports count the referrals of your programs and sites. You do not belong to one yet.</Text>
      </Stack>
    );
  }

  const scopeName = chosen?.name ?? 'All my organisations';
  const fileBase = period ? `${slug(scopeName)}-${period.firstDay}-to-${period.lastDay}` : 'report';
  const words: ReasonWords = (status, code) => reasonLabel(reasons.data, status, code) ?? code;
  // no report for dates that are not a period (the fields say why), not even the last one shown
  const data = !period || reasons.isPending ? undefined : report.data;
  const f = data?.figures;
  const tables = data ? chartTables(data, words) : [];

  const exportRows = async () => {
    setExporting(true);
    try {
      const rows = await listReportRows(scope);
      const csv = toCsv(
        [
          'Referral',
          'Made on',
          'Program',
          'Made from',
          'Received by my organisation',
          'Made by my organisation',
          'Status',
          'Status group',
          'Reason',
          'First response',
          'Hours to first response',
          'Outcome',
          'Days to outcome',
          'Response due',
          'Overdue now',
          'Seeker',
        ],
        rows.map((r) => [
          r.id,
          r.created_at,
          r.program_name,
          r.made_from_name,
          r.received ? 'yes' : 'no',
          r.made ? 'yes' : 'no',
          statusLabel(r.status),
          r.status_group,
          r.reason ? words(r.status, r.reason) : null,
          r.responded_at,
          r.responded_at ? hoursBetween(r.created_at, r.responded_at) : null,
          r.outcome_at,
          r.outcome_at ? daysBetween(r.created_at, r.outcome_at) : null,
          r.response_due_at,
          r.overdue ? 'yes' : 'no',
          r.seeker_name,
        ]),
      );
      downloadCsv(`referrals-${fileBase}.csv`, csv);
    } catch (e) {
      notifyError(e, 'Could not export the referrals');
    } finally {
      setExporting(false);
    }
  };

  return (
    <Stack gap="lg">
      <div>
        <Title order={1}>Reports</Title>
        <Text c="dimmed">
          The referrals your programs received and your sites and programs made: how fast they were answered and how
          they ended. Only referrals you can see are counted.
        </Text>
      </div>

      <Group align="flex-end" gap="md" wrap="wrap">
        <NativeSelect
          label="Organisation"
          value={orgValue}
          onChange={(e) => setOrgValue(e.currentTarget.value)}
          data={[
            { value: ALL, label: 'All my organisations' },
            ...organisations.map((o) => ({
              value: `${o.kind}:${o.id}`,
              label: `${o.name} (${o.kind === 'site' ? 'site' : 'program'})`,
            })),
          ]}
        />
        <NativeSelect
          label="Period"
          value={range}
          onChange={(e) => setRange(e.currentTarget.value as RangeKind)}
          data={RANGE_OPTIONS}
        />
        {range === 'custom' && (
          <>
            <TextInput
              type="date"
              label="First day"
              value={custom.from}
              max={today}
              onChange={(e) => {
                const from = e.currentTarget.value;
                setCustom((c) => ({ ...c, from }));
              }}
              error={customError ? true : undefined}
            />
            <TextInput
              type="date"
              label="Last day"
              value={custom.to}
              onChange={(e) => {
                const to = e.currentTarget.value;
                setCustom((c) => ({ ...c, to }));
              }}
              error={customError ?? undefined}
            />
          </>
        )}
        <Button
          variant="light"
          leftSection={<IconDownload size={16} aria-hidden />}
          onClick={exportRows}
          loading={exporting}
          disabled={!period || !data}
        >
          Download referrals (CSV)
        </Button>
      </Group>

      {period && (
        <Text size="sm" aria-live="polite" data-testid="report-period">
          {scopeName}, {formatDay(period.firstDay)} to {formatDay(period.lastDay)}
          {report.isFetching ? ' (updating…)' : ''}
        </Text>
      )}

      {report.isError && (
        <Alert color="red" title="The report could not be made">
          {errorMessage(report.error)}
        </Alert>
      )}
      {!data && !report.isError && period && <Skeleton h={400} aria-label="Loading the report" />}

      {data && f && period && (
        <>
          {f.referrals === 0 && (
            <Alert color="blue" title="No referrals in this period">
              Nothing was received or made by {scopeName} between {formatDay(period.firstDay)} and{' '}
              {formatDay(period.lastDay)}. Try a longer period.
            </Alert>
          )}
          <section aria-labelledby="figures-heading">
            <Group justify="space-between" align="center" mb="sm">
              <Title order={2} size="h3" id="figures-heading">
                Figures
              </Title>
              <Button
                variant="subtle"
                size="compact-sm"
                leftSection={<IconDownload size={16} aria-hidden />}
                onClick={() => {
                  const t = figureTable(data);
                  downloadCsv(`figures-${fileBase}.csv`, toCsv(t.header, t.rows));
                }}
              >
                Download figures (CSV)
              </Button>
            </Group>
            <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} data-testid="figures">
              <Figure
                id="referrals"
                label="Referrals"
                value={String(f.referrals)}
                detail={`${f.received} received, ${f.made} made`}
              />
              <Figure
                id="with_outcome"
                label="With an outcome"
                value={share(f.with_outcome, f.referrals)}
                detail={`${f.with_outcome} of ${f.referrals}`}
              />
              <Figure
                id="got_help"
                label="Got help"
                value={share(f.got_help, f.referrals)}
                detail={`${f.got_help} of ${f.referrals}`}
              />
              <Figure
                id="overdue_now"
                label="Overdue now"
                value={String(f.overdue_now)}
                detail="Not answered by their program and past the response time"
              />
              <Figure
                id="response"
                label="Time to first response"
                value={formatDuration(f.response_median_seconds)}
                detail={`median; 90% within ${formatDuration(f.response_p90_seconds)} (${f.responded} answered by their program)`}
              />
              <Figure
                id="outcome"
                label="Time to an outcome"
                value={formatDuration(f.outcome_median_seconds)}
                detail={`median; 90% within ${formatDuration(f.outcome_p90_seconds)}`}
              />
            </SimpleGrid>
          </section>
          <section aria-labelledby="charts-heading">
            <Title order={2} size="h3" id="charts-heading" mb="sm">
              Charts
            </Title>
            <SimpleGrid cols={{ base: 1, lg: 2 }}>
              {tables.map((t) => (
                <ChartCard key={t.id} table={t} filename={`${t.id.replace(/_/g, '-')}-${fileBase}.csv`} />
              ))}
            </SimpleGrid>
          </section>
        </>
      )}
    </Stack>
  );
}

const hoursBetween = (a: string, b: string) => Math.round(((Date.parse(b) - Date.parse(a)) / 3_600_000) * 10) / 10;
const daysBetween = (a: string, b: string) => Math.round(((Date.parse(b) - Date.parse(a)) / 86_400_000) * 10) / 10;
