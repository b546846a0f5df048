/**
 * `npm run stack` as a separate process, for the tools that watch it from
 * outside (the cold-start benchmark, the supervisor's own tests): its output,
 * the moment it says it is up, and its exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './config.ts';

export const UP_LINE = 'Local stack is up';

export interface StackCli {
  child: ChildProcess;
  output(): string;
  /** Resolves when the stack says it is up; rejects if it exits first. */
  up: Promise<void>;
  exited: Promise<number | null>;
}

export function spawnStackCli(opts: { basePort: number; dataDir: string }): StackCli {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'stack', 'cli.ts')], {
    cwd: ROOT,
    env: { ...process.env, STACK_BASE_PORT: String(opts.basePort), STACK_DATA_DIR: opts.dataDir, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const up = new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes(UP_LINE)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`stack exited with ${code}:\n${out}`)));
  });
  up.catch(() => undefined); // observed by callers that wait for it
  return { child, output: () => out, up, exited };
}
