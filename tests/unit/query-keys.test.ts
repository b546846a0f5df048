/**
 * Every TanStack Query key comes from its feature's `keys.ts` factory, so one
 * invalidation reaches exactly what it should. This reads the app's source and
 * fails on a literal key array or a key factory defined anywhere else.
 */
import { describe, expect, it } from 'vitest';

// Every source file of the app as text (Vite reads them at test time).
const sources = import.meta.glob<string>(['/src/**/*.{ts,tsx}', '!/src/**/*.test.{ts,tsx}'], {
  query: '?raw',
  import: 'default',
  eager: true,
});
const files = Object.entries(sources).map(([path, text]) => ({ path: path.replace(/^\/src\//, ''), text }));

describe('query keys', () => {
  it('reads the source it checks', () => {
    expect(files.some((f) => f.path.endsWith('keys.ts'))).toBe(true);
  });

  it('are never written as literal arrays', () => {
    const literal = files.filter((f) => /queryKey:\s*\[/.test(f.text)).map((f) => f.path);
    expect(literal).toEqual([]);
  });

  it('are defined only in a feature’s keys.ts', () => {
    const factories = files
      .filter((f) => /export const \w+Keys\s*=/.test(f.text))
      .map((f) => f.path)
      .filter((path) => !/^features\/[^/]+\/api\/keys\.ts$/.test(path));
    expect(factories).toEqual([]);
  });
});
