import { describe, expect, it } from 'vitest';
import { agoText, capacityText, daysSince, shownCapacity } from './capacity';

const now = Date.parse('2026-12-03T12:00:00Z');
const daysAgo = (d: number) => new Date(now - d * 86_400_000).toISOString();

describe('capacity as the directory shows it', () => {
  it('is unknown once older than 30 days, or never set', () => {
    expect(shownCapacity('accepting', daysAgo(30), now)).toBe('accepting');
    expect(shownCapacity('not_accepting', daysAgo(31), now)).toBe('unknown');
    expect(shownCapacity('waitlist', null, now)).toBe('unknown');
  });

  it('says how long ago in words', () => {
    expect(agoText(daysAgo(0), now)).toBe('today');
    expect(agoText(daysAgo(1), now)).toBe('1 day ago');
    expect(agoText(daysAgo(12), now)).toBe('12 days ago');
    expect(agoText(null, now)).toBeNull();
    expect(daysSince(daysAgo(3.5), now)).toBe(3);
  });

  it('names a waitlist with its band', () => {
    expect(capacityText('waitlist', 'about 2 weeks')).toBe('Waitlist, about 2 weeks');
    expect(capacityText('waitlist', null)).toBe('Waitlist');
    expect(capacityText('not_accepting', null)).toBe('Not accepting referrals');
  });
});
