/**
 * What the Reports screen shows, derived from one referral_report answer:
 * each chart's numbers as a table (the table alternative and the CSV are
 * this same table, so they cannot disagree), the figures as a table (their
 * CSV), and the durations in words.
 */
import { STATUS_LABELS, type ReferralStatus } from '@shared/statuses.ts';
import type { Report } from './api/get-report';
import type { Cell } from './csv';

export type ChartTable = {
  id: 'weekly' | 'funnel' | 'outcomes' | 'response_times' | 'reasons';
  title: string;
  description: string;
  header: string[];
  rows: Cell[][];
  /** What the card says instead of a chart when there are no rows. */
  empty?: string;
};

/** The words of a reason code of a status, as the rest of the app shows them (features/referrals reasonLabel). */
export type ReasonWords = (status: string, code: string) => string;

const STAGES: Record<Report['funnel'][number]['stage'], string> = {
  referred: 'Referred',
  responded: 'Answered by the program',
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

/** A negative outcome's reason in words; one with none recorded (older data) is named by its status. */
export function negativeReasonLabel(r: Report['negative_reasons'][number], words: ReasonWords): string {
  return r.reason ? words(r.status, r.reason) : `${statusLabel(r.status)} (no reason recorded)`;
}

export function chartTables(report: Report, words: ReasonWords): ChartTable[] {
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
        'How many referrals their program answered (a status change by one of its claimers), reached an outcome, and got help.',
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
      description:
        'How long each referral waited for its program’s first answer: the first status change by one of the program’s claimers.',
      header: ['Time to first response', 'Referrals'],
      rows: report.response_times.map((b) => [BUCKETS[b.bucket] ?? b.bucket, b.count]),
    },
    {
      id: 'reasons',
      title: 'Top reasons for a negative outcome',
      description:
        'The five most frequent reasons recorded for a referral that needs further action; one without a recorded reason counts under its status.',
      header: ['Reason', 'Status', 'Referrals'],
      rows: report.negative_reasons.map((r) => [negativeReasonLabel(r, words), statusLabel(r.status), r.count]),
      empty: 'No negative outcomes in this period.',
    },
  ];
}

/**
 * The bars of a chart: its first column and its last, the count. A label
 * that several rows share ("Other reason" of two statuses) gets its second
 * column, the status, so no two bars read the same.
 */
export function barData(table: ChartTable): { label: string; Referrals: Cell }[] {
  const first = table.rows.map((r) => String(r[0]));
  return table.rows.map((r, i) => ({
    label:
      r.length > 2 && first.indexOf(first[i]!) !== first.lastIndexOf(first[i]!) ? `${first[i]} (${r[1]})` : first[i]!,
    Referrals: r[r.length - 1],
  }));
}

const hours = (seconds: number | null) => (seconds === null ? null : Math.round((seconds / 3600) * 10) / 10);
const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : null);

/** The figures as one table (the figures' CSV): what each counts, its value and unit. */
export function figureTable(report: Report): { header: string[]; rows: Cell[][] } {
  const f = report.figures;
  return {
    header: ['Figure', 'Value', 'Unit'],
    rows: [
      ['Referrals', f.referrals, 'referrals'],
      ['Received', f.received, 'referrals'],
      ['Made', f.made, 'referrals'],
      ['With an outcome', f.with_outcome, 'referrals'],
      ['With an outcome', percent(f.with_outcome, f.referrals), '% of referrals'],
      ['Got help', f.got_help, 'referrals'],
      ['Got help', percent(f.got_help, f.referrals), '% of referrals'],
      ['Answered by the program', f.responded, 'referrals'],
      ['Time to first response, median', hours(f.response_median_seconds), 'hours'],
      ['Time to first response, 90th percentile', hours(f.response_p90_seconds), 'hours'],
      ['Time to an outcome, median', hours(f.outcome_median_seconds), 'hours'],
      ['Time to an outcome, 90th percentile', hours(f.outcome_p90_seconds), 'hours'],
      ['Overdue now', f.overdue_now, 'referrals'],
    ],
  };
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
