/**
 * Under `npm run dev` an edge function is reloaded when its code changes:
 * the next call runs the new code, with no restart of the stack.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KEYS, ROOT, portsFrom, type StackContext } from '../../stack/config.ts';
import { start } from '../../stack/functions/index.ts';
import { TEST_BASE_PORT } from '../support/env.ts';

const name = `reload-probe-${process.pid}`;
const dir = join(ROOT, 'supabase', 'functions', name);
const write = (version: string) =>
  writeFileSync(join(dir, 'index.ts'), `Deno.serve(() => Response.json({ version: '${version}' }));\n`);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('edge functions in dev mode', () => {
  it('serve the new code after the file changes', async () => {
    mkdirSync(dir, { recursive: true });
    write('one');
    const ports = portsFrom(TEST_BASE_PORT + 300);
    const ctx: StackContext = {
      ports,
      dataDir: join(ROOT, '.stack-reload-test'),
      apiUrl: `http://127.0.0.1:${ports.api}`,
      siteUrl: 'http://127.0.0.1:5173',
      dbUrl: 'postgresql://postgres:postgres@127.0.0.1:1/postgres',
      dev: true,
    };
    const service = await start(ctx);
    const call = async () => {
      const res = await fetch(`http://127.0.0.1:${ports.functions}/${name}`, {
        headers: { Authorization: `Bearer ${KEYS.anonKey}` },
      });
      return res.ok ? ((await res.json()) as { version: string }).version : `status ${res.status}`;
    };
    try {
      expect(await call()).toBe('one');
      write('two');
      const deadline = Date.now() + 15_000;
      let seen = '';
      while (Date.now() < deadline) {
        seen = await call().catch(() => 'restarting');
        if (seen === 'two') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen).toBe('two');
    } finally {
      await service.close();
    }
  });
});
