/**
 * What the Reports screen shows, derived from one referral_report answer:
 * each chart's numbers as a table (the table alternative and the CSV are
 * this same table, so they cannot disagree), and the durations in words.
 */
import { STATUS_LABELS, type ReferralStatus } from '@shared/statuses.ts';
import type { Report } from './api/get-report';
import type { Cell } from './csv';

export type ChartTable = {
  id: 'weekly' | 'funnel' | 'outcomes' | 'response_times';
  title: string;
  description: string;
  header: string[];
  rows: Cell[][];
};

const STAGES: Record<Report['funnel'][number]['stage'], string> = {
  referred: 'Referred',
  responded: 'Responded',
  outcome: 'Reached an outcome',
  got_help: 'Got help',
};

export const BUCKETS: Record<string, string> = {
  under_1_day: 'Under 1 day',
  '1_to_3_days': '1 to 3 days',
  '3_to_7_days': '3 to 7 days',
  '1_to_2_weeks': '1 to 2 weeks',
  '2_to_4_weeks': '2 to 4 weeks',
  over_4_weeks: 'Over 4 weeks',
  no_response: 'No response yet',
};

/** A status in the staff screens' words (the one catalogue's English). */
export function statusLabel(status: string): string {
  return STATUS_LABELS.en[status as ReferralStatus] ?? status;
}

/** "12 Jan": the Monday a week starts on. */
export function weekLabel(isoDay: string): string {
  const [y, m, d] = isoDay.split('-').map(Number);
  return new Date(y!, m! - 1, d!).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
}

export function chartTables(report: Report): ChartTable[] {
  return [
    {
      id: 'weekly',
      title: 'Referrals received and closed per week',
      description:
        'New: referrals received or made that week. Closed: those that reached an outcome that week. Weeks start on Monday.',
      header: ['Week starting', 'New', 'Closed'],
      rows: report.weekly.map((w) => [w.week_start, w.new, w.closed]),
    },
    {
      id: 'funnel',
      title: 'From referral to help',
      description:
        'How many referrals were answered by staff other than their referrer, reached an outcome, and got help.',
      header: ['Stage', 'Referrals'],
      rows: report.funnel.map((f) => [STAGES[f.stage], f.count]),
    },
    {
      id: 'outcomes',
      title: 'Outcomes',
      description: 'The referrals with an outcome, by status.',
      header: ['Status', 'Referrals'],
      rows: report.outcomes.map((o) => [statusLabel(o.status), o.count]),
    },
    {
      id: 'response_times',
      title: 'Time to first response',
      description: 'How long each referral waited for its first status change by staff other than its referrer.',
      header: ['Time to first response', 'Referrals'],
      rows: report.response_times.map((b) => [BUCKETS[b.bucket] ?? b.bucket, b.count]),
    },
  ];
}

/** A duration in words: "45 minutes", "5.5 hours", "3.2 days"; a dash when there is none. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  const minutes = seconds / 60;
  if (minutes < 60) return `${Math.round(minutes)} ${Math.round(minutes) === 1 ? 'minute' : 'minutes'}`;
  const hours = minutes / 60;
  if (hours < 48) return `${round1(hours)} hours`;
  return `${round1(hours / 24)} days`;
}

const round1 = (n: number) => (Math.round(n * 10) / 10).toLocaleString('en-GB');

/** "40%" of a whole; a dash for nothing to divide. */
export function share(part: number, whole: number): string {
  return whole > 0 ? `${Math.round((part / whole) * 100)}%` : '—';
}

/** The words of a negative outcome's reason (its status until referrals carry reasons). */
export function reasonLabel(r: Report['negative_reasons'][number]): string {
  return r.kind === 'status' ? statusLabel(r.key) : (r.label ?? r.key);
}
