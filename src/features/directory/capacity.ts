import type { Enums } from '@/lib/supabase';

export type Capacity = Enums<'program_capacity'>;

export const CAPACITY_LABELS: Record<Capacity, string> = {
  accepting: 'Accepting referrals',
  waitlist: 'Waitlist',
  not_accepting: 'Not accepting referrals',
  unknown: 'Capacity unknown',
};

export const CAPACITY_COLORS: Record<Capacity, string> = {
  accepting: 'green',
  waitlist: 'yellow',
  not_accepting: 'red',
  unknown: 'gray',
};

/** The wait bands a claimer picks from for a waitlist. */
export const WAIT_BANDS = ['about 1 week', 'about 2 weeks', 'about 1 month', 'more than a month'] as const;

/** After this many days the directory shows capacity as unknown (public.current_capacity). */
export const CAPACITY_FRESH_DAYS = 30;

const DAY = 86_400_000;

/** Whole days since `iso` (0 today), or null without a date. */
export function daysSince(iso: string | null | undefined, now = Date.now()): number | null {
  if (!iso) return null;
  return Math.max(0, Math.floor((now - new Date(iso).getTime()) / DAY));
}

/** "today", "1 day ago", "12 days ago". */
export function agoText(iso: string | null | undefined, now = Date.now()): string | null {
  const d = daysSince(iso, now);
  if (d === null) return null;
  return d === 0 ? 'today' : d === 1 ? '1 day ago' : `${d} days ago`;
}

/** Capacity as the directory shows it: unknown once older than 30 days (or never set). */
export function shownCapacity(capacity: Capacity, updatedAt: string | null, now = Date.now()): Capacity {
  const d = daysSince(updatedAt, now);
  return d === null || d > CAPACITY_FRESH_DAYS ? 'unknown' : capacity;
}

/** "Waitlist, about 2 weeks" / "Accepting referrals". */
export function capacityText(capacity: Capacity, wait: string | null | undefined): string {
  return capacity === 'waitlist' && wait ? `Waitlist, ${wait}` : CAPACITY_LABELS[capacity];
}
