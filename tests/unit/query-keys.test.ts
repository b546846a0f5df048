/**
 * Every TanStack Query key comes from its feature's `keys.ts` factory, so one
 * invalidation reaches exactly what it should. This reads the app's source and
 * fails on a literal key array or a key factory defined anywhere else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(d.name) && !d.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = sourceFiles(SRC).map((path) => ({ path: relative(SRC, path), text: readFileSync(path, 'utf8') }));

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
