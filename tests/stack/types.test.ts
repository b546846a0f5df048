/**
 * src/lib/database.types.ts is generated (npm run db:types) and committed;
 * it must match the schema the migrations build, or the app's types lie.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TYPES_FILE, generateTypes } from '../../scripts/db-types.ts';
import { env } from '../support/stack.ts';

describe('generated database types', () => {
  it('are up to date with the migrations (run `npm run db:types` when this fails)', async () => {
    const fresh = await generateTypes(env.dbUrl);
    expect(fresh).toContain('export type Database');
    expect(readFileSync(TYPES_FILE, 'utf8') === fresh, 'src/lib/database.types.ts is stale').toBe(true);
  });
});
