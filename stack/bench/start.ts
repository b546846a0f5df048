/**
 * `npm run bench:start`: how long `npm run stack` takes from launch to every
 * service healthy, measured on the real CLI process. Five starts on an empty
 * data directory (initdb + migrations + seed) and five on a warm one; prints
 * each run, the median and the spread. Uses its own ports (BENCH_BASE_PORT,
 * default 24321) so it never disturbs a running `npm run dev`.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnStackCli } from '../cli-process.ts';
import { ROOT } from '../config.ts';

const base = Number(process.env.BENCH_BASE_PORT ?? 24321);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const dataDir = join(ROOT, `.stack-bench-${base}`);

async function once(): Promise<number> {
  const t0 = performance.now();
  const cli = spawnStackCli({ basePort: base, dataDir });
  await cli.up;
  const ms = performance.now() - t0;
  cli.child.kill('SIGINT');
  await cli.exited;
  return ms;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function series(label: string, fresh: boolean): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (fresh) rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    chmodSync(dataDir, 0o755);
    const ms = await once();
    times.push(ms);
    process.stdout.write(`  ${label} run ${i + 1}/${runs}: ${fmt(ms)}\n`);
  }
  return times;
}

async function main() {
  console.log(`Cold start of \`npm run stack\` to all services healthy (${runs} runs each, ports from ${base})`);
  const first = await series('first start (initdb)', true);
  const warm = await series('warm data directory ', false);
  rmSync(dataDir, { recursive: true, force: true });
  console.log('');
  console.log(`first start: median ${fmt(median(first))} (min ${fmt(Math.min(...first))}, max ${fmt(Math.max(...first))}); target ≤ 10 s`);
  console.log(`warm start:  median ${fmt(median(warm))} (min ${fmt(Math.min(...warm))}, max ${fmt(Math.max(...warm))}); target ≤ 3 s`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
