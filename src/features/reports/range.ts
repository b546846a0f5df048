import dayjs from 'dayjs';

export type RangeKind = 'this_month' | 'last_3_months' | 'last_12_months' | 'custom';

export const RANGE_OPTIONS: { value: RangeKind; label: string }[] = [
  { value: 'this_month', label: 'This month' },
  { value: 'last_3_months', label: 'Last 3 months' },
  { value: 'last_12_months', label: 'Last 12 months' },
  { value: 'custom', label: 'Custom dates' },
];

/** A day as the date inputs hold it: YYYY-MM-DD, in the reader's own time. */
export type Day = string;

export type Period = { from: string; to: string; firstDay: Day; lastDay: Day };

const DAY = 'YYYY-MM-DD';

/** A YYYY-MM-DD date that exists (midnight, local time); invalid otherwise. */
function parseDay(s: string): dayjs.Dayjs {
  const d = dayjs(s);
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && d.isValid() && d.format(DAY) === s ? d : dayjs(NaN);
}

/**
 * The period of a report, from midnight of its first day to midnight after its
 * last (the reader's local time), as the instants the database compares with.
 * The preset periods end today. Null for a custom period that is not one.
 */
export function periodOf(kind: RangeKind, custom: { from: Day; to: Day }, today = dayjs()): Period | null {
  const end = today.startOf('day');
  let first: dayjs.Dayjs;
  let last = end;
  switch (kind) {
    case 'this_month':
      first = end.startOf('month');
      break;
    case 'last_3_months':
      first = end.subtract(3, 'month').add(1, 'day');
      break;
    case 'last_12_months':
      first = end.subtract(12, 'month').add(1, 'day');
      break;
    case 'custom': {
      if (customPeriodError(custom)) return null;
      first = parseDay(custom.from);
      last = parseDay(custom.to);
    }
  }
  return {
    from: first.startOf('day').toISOString(),
    to: last.add(1, 'day').startOf('day').toISOString(),
    firstDay: first.format(DAY),
    lastDay: last.format(DAY),
  };
}

/** Why a custom period is not one, in words (null when it is fine). */
export function customPeriodError(custom: { from: Day; to: Day }): string | null {
  const first = parseDay(custom.from);
  const last = parseDay(custom.to);
  if (!first.isValid() || !last.isValid()) return 'Enter both dates.';
  if (last.isBefore(first)) return 'The end date must be on or after the start date.';
  if (last.diff(first, 'day') > 1825) return 'A report covers at most five years.';
  return null;
}

export function readerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
