/**
 * `npm run db:reset`: drops the local database and re-applies the platform
 * slice, the migrations and the seed. Refuses while the stack is running
 * (its services hold connections and a replication slot).
 */
import { rm } from 'node:fs/promises';
import { makeContext } from './config.ts';
import { migrate } from './migrate.ts';
import { isPortFree } from './process.ts';
import { startPostgres } from './postgres.ts';

async function main() {
  const ctx = makeContext({
    basePort: process.env.STACK_BASE_PORT ? Number(process.env.STACK_BASE_PORT) : undefined,
    dataDir: process.env.STACK_DATA_DIR,
  });
  if (!(await isPortFree(ctx.ports.db))) {
    console.error(`✖ Port ${ctx.ports.db} (Postgres) is in use: stop the running stack (Ctrl-C in its terminal) first.`);
    process.exit(1);
  }
  const t0 = performance.now();
  console.log(`Dropping ${ctx.dataDir} …`);
  // The whole data directory goes, with Realtime's replication slot, so WAL
  // kept for an old slot cannot pile up.
  await rm(ctx.dataDir, { recursive: true, force: true });
  const pg = await startPostgres({ dataDir: ctx.dataDir, port: ctx.ports.db });
  try {
    const r = await migrate(ctx.dbUrl, { seed: true, log: (l) => console.log(`  ${l}`) });
    console.log(`✔ Database reset: ${r.applied.length} migrations${r.seeded ? ' + seed' : ''} in ${Math.round(performance.now() - t0)} ms.`);
  } catch (err) {
    console.error(`✖ ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  } finally {
    await pg.stop();
  }
}

void main();
