/**
 * `npm run stack` (and the stack half of `npm run dev`): the local Supabase
 * stack in the foreground. Ctrl-C stops every service.
 *   STACK_BASE_PORT  first port (default 54321, the Supabase CLI's)
 *   STACK_DATA_DIR   state folder (default .stack)
 *   --dev            watch edge functions and reload them on change
 */
import pg from 'pg';
import { KEYS, loadSupabaseConfig } from './config.ts';
import { startStack, type StackHandle } from './stack.ts';


const color = process.stdout.isTTY;

/** The users the seed (or anyone) created, to sign in with: their passwords are the project's to tell. */
async function localUsers(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const { rows } = await client.query<{ email: string; name: string | null; n: number }>(
      `select email, raw_user_meta_data ->> 'full_name' as name, count(*) over ()::int as n
         from auth.users where email is not null order by created_at, email limit 12`,
    );
    if (!rows.length) return ['No users yet: sign up in the app, or add them in supabase/seed.sql.'];
    const more = rows[0]!.n - rows.length;
    return [
      `Users in the local database${more > 0 ? ` (first ${rows.length} of ${rows[0]!.n})` : ''}:`,
      ...rows.map((r) => `  ${r.email.padEnd(30)} ${dim(r.name ?? '')}`),
    ];
  } catch {
    return [];
  } finally {
    await client.end().catch(() => undefined);
  }
}
const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);
const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
const red = (s: string) => (process.stderr.isTTY ? `\x1b[31m${s}\x1b[0m` : s);

async function main() {
  const dev = process.argv.includes('--dev');
  const basePort = process.env.STACK_BASE_PORT ? Number(process.env.STACK_BASE_PORT) : undefined;
  const t0 = performance.now();
  // Signals are handled from the first moment: a Ctrl-C during start-up stops
  // whatever has started once start-up settles, never leaving children behind.
  let stack: StackHandle | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!stack) return; // start-up is still running; it stops everything when it ends
    process.stdout.write(`\n${signal}: stopping every service…\n`);
    await stack.stop();
    process.stdout.write('Stopped.\n');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));

  process.stdout.write(`Starting the local Supabase stack${dev ? ' (dev mode)' : ''}…\n`);
  try {
    stack = await startStack({
      basePort,
      dataDir: process.env.STACK_DATA_DIR,
      dev,
      log: (svc, line) => {
        // Postgres and initdb are chatty; show only what needs attention.
        if (svc === 'postgres' && !/ERROR|FATAL|PANIC|WARNING/.test(line)) return;
        if (svc === 'postgrest' && /Listening|Starting|Attempting|successful|loaded|reloaded|Admin server/.test(line)) return;
        process.stdout.write(`${dim(`[${svc}]`)} ${line.trimEnd()}\n`);
      },
      // A service that dies after it was ready: on stderr at once, with its last lines.
      onCrash: (r) => process.stderr.write(`${red(`[supervisor] ${r.message.split('\n')[0]}`)}\n${r.message.split('\n').slice(1).join('\n')}\n`),
    });
  } catch (err) {
    process.stderr.write(`\n✖ ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  if (stopping) {
    process.stdout.write('Stopping: a stop was asked for during start-up…\n');
    await stack.stop();
    process.exit(0);
  }
  // The supervisor gave up (Postgres died, or a service kept crashing): everything is stopped; exit loudly.
  void stack.failure.then((err) => {
    if (stopping) return;
    process.stderr.write(`\n${red(`✖ ${err.message}.`)} Fix the cause above, then start it again.\n`);
    process.exit(1);
  });
  const ms = Math.round(performance.now() - t0);
  const { ctx } = stack;
  const cfg = loadSupabaseConfig();
  const lines = [
    '',
    bold(`Local stack is up in ${(ms / 1000).toFixed(2)} s${stack.freshDatabase ? ' (new database: initdb + migrations + seed)' : ''}.`),
    '',
    `         API URL: ${ctx.apiUrl}`,
    `        REST URL: ${ctx.apiUrl}/rest/v1`,
    `        Auth URL: ${ctx.apiUrl}/auth/v1`,
    `    Realtime URL: ${ctx.apiUrl.replace('http', 'ws')}/realtime/v1`,
    `   Functions URL: ${ctx.apiUrl}/functions/v1`,
    `          DB URL: ${ctx.dbUrl}`,
    `  Mail catcher UI: http://127.0.0.1:${ctx.ports.mailWeb} (SMTP 127.0.0.1:${ctx.ports.smtp})`,
    `   SMS catcher UI: http://127.0.0.1:${ctx.ports.sms} (Twilio's Messages API, /api/sms)`,
    `         App URL: ${cfg.auth.siteUrl}`,
    '',
    `      JWT secret: ${KEYS.jwtSecret}`,
    `        anon key: ${KEYS.anonKey}`,
    `service_role key: ${KEYS.serviceRoleKey}`,
    '',
    ...(await localUsers(ctx.dbUrl)),
    '',
    dim(`Timings (ms from start): ${Object.entries(stack.timings).map(([k, v]) => `${k} ${v}`).join(', ')}`),
    dim('Press Ctrl-C to stop.'),
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

void main();
