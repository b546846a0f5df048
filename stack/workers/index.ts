/**
 * The background workers Supabase's Postgres runs inside the server, run
 * beside the embedded one: pg_cron's scheduler (cron.ts) and pg_net's sender
 * (net.ts), over the SQL surfaces of stack/extensions/. They know nothing of
 * the project: they run whatever jobs `cron.job` holds and send whatever
 * requests `net.http_request_queue` holds.
 *
 * GET /health on ctx.ports.workers answers 200 with their counters.
 */
import http from 'node:http';
import type { StackContext } from '../config.ts';
import type { RunningService } from '../service.ts';
import { startCron } from './cron.ts';
import { startNet } from './net.ts';

export async function start(ctx: StackContext): Promise<RunningService> {
  const log = (line: string) => console.log(line);
  const cron = startCron({ dbUrl: ctx.dbUrl, log });
  const net = startNet({ dbUrl: ctx.dbUrl, apiUrl: ctx.apiUrl, log });
  const server = http.createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: 'workers', cron: cron.stats, net: net.stats }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.ports.workers, '127.0.0.1', () => resolve());
  });
  return {
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await Promise.all([cron.close(), net.close()]);
    },
  };
}
