/**
 * pg_cron's launcher, outside Postgres: reads `cron.job` (again whenever
 * cron.schedule/unschedule/alter_job NOTIFY `cron_job_changed`, and every few
 * seconds), starts each due job on a connection of its own as the job's user,
 * and records every run in `cron.job_run_details` (starting → running →
 * succeeded | failed, with the command's status or the error), as pg_cron
 * does. A job still running when it is due again is not started twice.
 * Nothing happens until a migration has created the pg_cron extension.
 */
import pg from 'pg';
import { listenLoop } from './listen.ts';
import { firesAt, parseSchedule, type Schedule } from './schedule.ts';

interface Job {
  jobid: string;
  schedule: string;
  command: string;
  username: string;
  jobname: string | null;
  parsed: Schedule | null;
}

export interface CronStats {
  runs: number;
  failures: number;
  jobs: number;
}

export function startCron(opts: { dbUrl: string; log: (line: string) => void; tickMs?: number }) {
  const tickMs = opts.tickMs ?? 250;
  const pool = new pg.Pool({ connectionString: opts.dbUrl, max: 8 });
  pool.on('error', () => undefined); // an idle connection dropped by a Postgres restart
  const stats: CronStats = { runs: 0, failures: 0, jobs: 0 };
  let jobs: Job[] = [];
  let reload = true;
  let lastReload = 0;
  let lastMinute = Math.floor(Date.now() / 60_000);
  const lastStart = new Map<string, number>();
  const running = new Set<string>();
  const lastLogged = new Map<string, number>();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let rebootDone = false;

  /** One line per job and message per minute: a failing job every 5 s must not flood the terminal. */
  const logFailure = (job: Job, message: string) => {
    const key = `${job.jobid}:${message}`;
    if (Date.now() - (lastLogged.get(key) ?? 0) < 60_000) return;
    lastLogged.set(key, Date.now());
    opts.log(`cron job ${job.jobname ? `"${job.jobname}"` : job.jobid} failed: ${message}`);
  };

  const loadJobs = async () => {
    const { rows } = await pool.query<{ present: boolean }>(`select to_regclass('cron.job') is not null as present`);
    if (!rows[0]?.present) {
      jobs = [];
      return;
    }
    const r = await pool.query<Omit<Job, 'parsed'>>(
      `select jobid::text, schedule, command, username, jobname from cron.job
        where active and database = current_database() order by jobid`,
    );
    const seen = new Set<string>();
    jobs = r.rows.map((j) => {
      seen.add(j.jobid);
      let parsed: Schedule | null = null;
      try {
        parsed = parseSchedule(j.schedule);
      } catch (err) {
        logFailure({ ...j, parsed: null }, (err as Error).message);
      }
      // an interval job counts from when it was scheduled (or changed)
      if (!lastStart.has(j.jobid)) lastStart.set(j.jobid, Date.now());
      return { ...j, parsed };
    });
    for (const id of [...lastStart.keys()]) if (!seen.has(id)) lastStart.delete(id);
    stats.jobs = jobs.length;
  };

  const run = async (job: Job) => {
    running.add(job.jobid);
    lastStart.set(job.jobid, Date.now());
    stats.runs++;
    let client: pg.PoolClient | undefined;
    let runid: string | undefined;
    try {
      client = await pool.connect();
      const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      runid = (
        await client.query<{ runid: string }>(
          `insert into cron.job_run_details (jobid, job_pid, database, username, command, status, start_time)
           values ($1, $2, current_database(), $3, $4, 'running', now()) returning runid::text`,
          [job.jobid, pid, job.username, job.command],
        )
      ).rows[0]!.runid;
      await client.query(`set session authorization ${pg.escapeIdentifier(job.username)}`);
      let message = '';
      try {
        const result = (await client.query(job.command)) as pg.QueryResult | pg.QueryResult[];
        const last = Array.isArray(result) ? result[result.length - 1] : result;
        message = last ? `${last.command ?? ''}${last.rowCount === null ? '' : ` ${last.rowCount}`}`.trim() : '';
      } catch (err) {
        stats.failures++;
        const msg = err instanceof Error ? err.message : String(err);
        await client.query('reset session authorization');
        await client.query(
          `update cron.job_run_details set status = 'failed', return_message = $2, end_time = now() where runid = $1`,
          [runid, msg],
        );
        logFailure(job, msg);
        return;
      }
      await client.query('reset session authorization');
      await client.query(
        `update cron.job_run_details set status = 'succeeded', return_message = $2, end_time = now() where runid = $1`,
        [runid, message],
      );
    } catch (err) {
      // the database went away mid-run: the next tick tries again
      if (!closed) logFailure(job, err instanceof Error ? err.message : String(err));
      client?.release(err instanceof Error ? err : true);
      client = undefined;
    } finally {
      client?.release();
      running.delete(job.jobid);
    }
  };

  const tick = async () => {
    if (closed) return;
    try {
      if (reload || Date.now() - lastReload > 5000) {
        reload = false;
        lastReload = Date.now();
        await loadJobs();
      }
      const now = Date.now();
      const minute = Math.floor(now / 60_000);
      const newMinutes: Date[] = [];
      // every minute boundary passed since the last tick (at most a few after a pause)
      for (let m = Math.max(lastMinute + 1, minute - 5); m <= minute; m++) newMinutes.push(new Date(m * 60_000));
      lastMinute = minute;
      for (const job of jobs) {
        if (!job.parsed || running.has(job.jobid)) continue;
        const p = job.parsed;
        const due =
          p.kind === 'seconds'
            ? now - (lastStart.get(job.jobid) ?? now) >= p.every * 1000
            : p.kind === 'reboot'
              ? !rebootDone
              : newMinutes.some((at) => firesAt(p, at));
        if (due) void run(job);
      }
      rebootDone = true;
    } catch {
      // Postgres restarting: try again on the next tick
      reload = true;
    } finally {
      if (!closed) timer = setTimeout(() => void tick(), tickMs);
    }
  };

  const stopListening = listenLoop(opts.dbUrl, 'cron_job_changed', () => (reload = true));
  void tick();

  return {
    stats,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await stopListening();
      // let running jobs finish their bookkeeping
      const deadline = Date.now() + 5000;
      while (running.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await pool.end().catch(() => undefined);
    },
  };
}
