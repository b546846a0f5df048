import { describe, expect, it } from 'vitest';
import { EXACT_COUNT_LIMIT, boundedCount, formatCount, isOverLimit } from '../../src/lib/counts';
import { loadSupabaseConfig } from '../../stack/config';

describe('counts exact up to the API limit', () => {
  it("the limit is the API's max_rows, which PostgREST counts exactly up to", () => {
    expect(loadSupabaseConfig().api.maxRows).toBe(EXACT_COUNT_LIMIT);
  });

  it('a count past the limit is "more than the limit", never the estimate', () => {
    expect(boundedCount(null)).toBe(0);
    expect(boundedCount(999)).toBe(999);
    expect(boundedCount(1000)).toBe(1000);
    expect(isOverLimit(boundedCount(1000))).toBe(false);
    expect(boundedCount(183_412)).toBe(1001);
    expect(isOverLimit(boundedCount(1001))).toBe(true);
    expect(formatCount(7)).toBe('7');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(boundedCount(183_412))).toBe('1,000+');
  });
});
