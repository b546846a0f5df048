/**
 * pg_cron's schedules: '[1-59] seconds', five cron fields (minute, hour, day
 * of month, month, day of week; numbers, `*`, ranges, lists, steps, `$` for
 * the last day of the month) and the @keywords. Times are UTC, pg_cron's
 * default `cron.timezone`.
 */
export type Schedule =
  | { kind: 'seconds'; every: number }
  | { kind: 'cron'; minute: Set<number>; hour: Set<number>; dom: Set<number>; lastDom: boolean; month: Set<number>; dow: Set<number>; domStar: boolean; dowStar: boolean }
  | { kind: 'reboot' };

const KEYWORDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function field(text: string, min: number, max: number, allowLast = false): { set: Set<number>; last: boolean } {
  const set = new Set<number>();
  let last = false;
  for (const item of text.split(',')) {
    if (allowLast && item === '$') {
      last = true;
      continue;
    }
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
    if (!m) throw new Error(`invalid schedule field "${text}"`);
    const step = m[4] ? Number(m[4]) : 1;
    const lo = m[1] === '*' ? min : Number(m[2]);
    const hi = m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] ? max : lo;
    if (step < 1 || lo < min || hi > max || lo > hi) throw new Error(`invalid schedule field "${text}"`);
    for (let v = lo; v <= hi; v += step) set.add(v);
  }
  return { set, last };
}

export function parseSchedule(text: string): Schedule {
  const t = text.trim().toLowerCase();
  const secs = /^(\d+)\s+seconds?$/.exec(t);
  if (secs) {
    const every = Number(secs[1]);
    if (every < 1 || every > 59) throw new Error(`invalid schedule: ${text}`);
    return { kind: 'seconds', every };
  }
  if (t === '@reboot') return { kind: 'reboot' };
  const parts = (KEYWORDS[t] ?? t).split(/\s+/);
  if (parts.length !== 5) throw new Error(`invalid schedule: ${text}`);
  const dom = field(parts[2]!, 1, 31, true);
  const dow = field(parts[4]!, 0, 7);
  if (dow.set.has(7)) dow.set.add(0);
  return {
    kind: 'cron',
    minute: field(parts[0]!, 0, 59).set,
    hour: field(parts[1]!, 0, 23).set,
    dom: dom.set,
    lastDom: dom.last,
    month: field(parts[3]!, 1, 12).set,
    dow: dow.set,
    domStar: parts[2] === '*',
    dowStar: parts[4] === '*',
  };
}

/** Whether a cron schedule fires in the minute that starts at `at` (UTC). */
export function firesAt(s: Extract<Schedule, { kind: 'cron' }>, at: Date): boolean {
  if (!s.minute.has(at.getUTCMinutes()) || !s.hour.has(at.getUTCHours()) || !s.month.has(at.getUTCMonth() + 1)) {
    return false;
  }
  const day = at.getUTCDate();
  const lastDay = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 0)).getUTCDate();
  const domOk = s.dom.has(day) || (s.lastDom && day === lastDay);
  const dowOk = s.dow.has(at.getUTCDay());
  // cron's rule: when both day fields are restricted, either one matching is enough
  if (!s.domStar && !s.dowStar) return domOk || dowOk;
  return domOk && dowOk;
}
