/**
 * The local stack is a stand-in for Supabase and knows nothing of this
 * project: no file under stack/ names its tables, functions, people or
 * product. (The project's own scripts live in scripts/, its benchmarks in
 * bench/.) The check reads the files, so a new one is covered at once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Words of the product: its tables and functions, its roles, its seeded organisations and people. */
const PROJECT_WORDS =
  /referral|seeker|claimer|notification_jobs|send-notifications|closed[- ]loop|one[-_]click|zip_centroids|eastside|westside|harbor|safe ?haven|brightfutures|helen@|password123/i;

describe('stack/', () => {
  it('names nothing of the project', () => {
    const hits: string[] = [];
    for (const file of files(join(root, 'stack'))) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (PROJECT_WORDS.test(line)) hits.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(hits).toEqual([]);
  });

  it('would notice a file that did', () => {
    expect(PROJECT_WORDS.test("await sql('select * from public.referrals')")).toBe(true);
    expect(PROJECT_WORDS.test('listen notification_jobs')).toBe(true);
    expect(PROJECT_WORDS.test("client.on('notification', onNotify)")).toBe(false);
  });
});
