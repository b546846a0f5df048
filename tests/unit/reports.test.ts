/**
 * The Reports screen's pure parts: the periods it asks for, the CSV it writes,
 * and the words and tables it derives from a report.
 */
import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import { toCsv } from '@/features/reports/csv';
import { barData, chartTables, figureTable, formatDuration, share } from '@/features/reports/model';
import { customPeriodError, periodOf } from '@/features/reports/range';
import type { Report } from '@/features/reports/api/get-report';

describe('report periods', () => {
  const today = dayjs('2026-12-03T15:00:00');
  const none = { from: '', to: '' };
  it('this month runs from the first of the month to the end of today, local time', () => {
    const p = periodOf('this_month', none, today)!;
    expect([p.firstDay, p.lastDay]).toEqual(['2026-12-01', '2026-12-03']);
    expect(p.from).toBe(dayjs('2026-12-01T00:00:00').toISOString());
    expect(p.to).toBe(dayjs('2026-12-04T00:00:00').toISOString());
  });
  it('the last 3 and 12 months end today', () => {
    expect(periodOf('last_3_months', none, today)).toMatchObject({ firstDay: '2026-09-04', lastDay: '2026-12-03' });
    expect(periodOf('last_12_months', none, today)).toMatchObject({ firstDay: '2025-12-04', lastDay: '2026-12-03' });
  });
  it('a custom period includes its last day, and one that is not a period is refused in words', () => {
    expect(periodOf('custom', { from: '2026-01-05', to: '2026-02-01' }, today)).toMatchObject({
      from: dayjs('2026-01-05T00:00:00').toISOString(),
      to: dayjs('2026-02-02T00:00:00').toISOString(),
    });
    expect(periodOf('custom', { from: '2026-02-01', to: '2026-01-05' }, today)).toBeNull();
    expect(customPeriodError({ from: '2026-02-01', to: '2026-01-05' })).toBe(
      'The end date must be on or after the start date.',
    );
    expect(customPeriodError({ from: '2026-02-30', to: '2026-03-01' })).toBe('Enter both dates.');
    expect(customPeriodError({ from: '2019-01-01', to: '2026-03-01' })).toBe('A report covers at most five years.');
    expect(customPeriodError({ from: '2026-01-01', to: '2026-01-01' })).toBeNull();
  });
});

describe('CSV', () => {
  it('quotes what needs quoting and keeps formulas as text', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x, y', 'say "hi"'],
          [null, 3],
          ['=1+1', '-2'],
          ['line\nbreak', true],
        ],
      ),
    ).toBe('a,b\r\n"x, y","say ""hi"""\r\n,3\r\n\'=1+1,\'-2\r\n"line\nbreak",true\r\n');
  });
});

describe('report words and tables', () => {
  it('durations and shares', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(60)).toBe('1 minute');
    expect(formatDuration(45 * 60)).toBe('45 minutes');
    expect(formatDuration(5.5 * 3600)).toBe('5.5 hours');
    expect(formatDuration(3.25 * 86400)).toBe('3.3 days');
    expect(share(1, 3)).toBe('33%');
    expect(share(0, 0)).toBe('—');
  });
  it('each chart is a table with its header and one row per point', () => {
    const report: Report = {
      figures: {
        referrals: 2,
        received: 2,
        made: 0,
        with_outcome: 1,
        got_help: 1,
        responded: 1,
        response_median_seconds: 1,
        response_p90_seconds: 1,
        outcome_median_seconds: 1,
        outcome_p90_seconds: 1,
        overdue_now: 1,
      },
      weekly: [{ week_start: '2026-01-05', new: 2, closed: 1 }],
      funnel: [
        { stage: 'referred', count: 2 },
        { stage: 'got_help', count: 1 },
      ],
      outcomes: [{ status: 'no_capacity', count: 1 }],
      negative_reasons: [],
      response_times: [{ bucket: 'no_response', count: 1 }],
    };
    const t = Object.fromEntries(chartTables(report, words).map((c) => [c.id, c]));
    expect(t.weekly!.rows).toEqual([['2026-01-05', 2, 1]]);
    expect(t.funnel!.rows).toEqual([
      ['Referred', 2],
      ['Got help', 1],
    ]);
    expect(t.outcomes!.rows).toEqual([['No capacity', 1]]);
    expect(t.response_times!.rows).toEqual([['No response yet', 1]]);
    // no negative outcome: no rows, and the card says so instead of drawing
    expect(t.reasons!.rows).toEqual([]);
    expect(t.reasons!.empty).toBe('No negative outcomes in this period.');
  });

  const words = (status: string, code: string) => `${code} of ${status}`;
  const figures: Report['figures'] = {
    referrals: 8,
    received: 7,
    made: 1,
    with_outcome: 6,
    got_help: 2,
    responded: 5,
    response_median_seconds: 2 * 86400,
    response_p90_seconds: 5400,
    outcome_median_seconds: null,
    outcome_p90_seconds: null,
    overdue_now: 3,
  };

  it('the top reasons: a recorded reason in the words given, one without under its status', () => {
    const report = {
      figures,
      weekly: [],
      funnel: [],
      outcomes: [],
      response_times: [],
      negative_reasons: [
        { status: 'no_capacity', reason: 'other', count: 3 },
        { status: 'couldnt_contact', reason: null, count: 2 },
        { status: 'not_eligible', reason: 'other', count: 1 },
        { status: 'not_eligible', reason: 'income', count: 1 },
      ],
    } satisfies Report;
    const reasons = chartTables(report, words).find((c) => c.id === 'reasons')!;
    expect(reasons.header).toEqual(['Reason', 'Status', 'Referrals']);
    expect(reasons.rows).toEqual([
      ['other of no_capacity', 'No capacity', 3],
      ["Couldn't contact (no reason recorded)", "Couldn't contact", 2],
      ['other of not_eligible', 'Not eligible', 1],
      ['income of not_eligible', 'Not eligible', 1],
    ]);
    // bars: the first column and the count; a label two rows share gets its status
    const shared = {
      ...reasons,
      rows: [
        ['Other reason', 'No capacity', 3],
        ['Other reason', 'Not eligible', 1],
        ['Income above the limit', 'Not eligible', 1],
      ],
    };
    expect(barData(shared)).toEqual([
      { label: 'Other reason (No capacity)', Referrals: 3 },
      { label: 'Other reason (Not eligible)', Referrals: 1 },
      { label: 'Income above the limit', Referrals: 1 },
    ]);
  });

  it('the figures as a table: counts, shares in %, times in hours, overdue now', () => {
    const t = figureTable({ figures, weekly: [], funnel: [], outcomes: [], negative_reasons: [], response_times: [] });
    expect(t.header).toEqual(['Figure', 'Value', 'Unit']);
    expect(t.rows).toEqual([
      ['Referrals', 8, 'referrals'],
      ['Received', 7, 'referrals'],
      ['Made', 1, 'referrals'],
      ['With an outcome', 6, 'referrals'],
      ['With an outcome', 75, '% of referrals'],
      ['Got help', 2, 'referrals'],
      ['Got help', 25, '% of referrals'],
      ['Answered by the program', 5, 'referrals'],
      ['Time to first response, median', 48, 'hours'],
      ['Time to first response, 90th percentile', 1.5, 'hours'],
      ['Time to an outcome, median', null, 'hours'],
      ['Time to an outcome, 90th percentile', null, 'hours'],
      ['Overdue now', 3, 'referrals'],
    ]);
    // nothing to divide: no share
    const none = figureTable({
      figures: { ...figures, referrals: 0, with_outcome: 0, got_help: 0 },
      weekly: [],
      funnel: [],
      outcomes: [],
      negative_reasons: [],
      response_times: [],
    });
    expect(none.rows[4]).toEqual(['With an outcome', null, '% of referrals']);
  });
});
