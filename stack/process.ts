/**
 * Child processes of the supervisor: each runs in its own process group so
 * that stopping it also stops anything it started, with its output prefixed
 * by the service's name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { StringDecoder } from 'node:string_decoder';

export interface Child {
  name: string;
  proc: ChildProcess;
  /** Last lines of output, for error messages. */
  tail(): string;
  /**
   * Resolves when the child prints a line matching `re` (readiness without
   * polling its port: a poll of a port nobody listens on yet can connect the
   * socket to itself when the port lies in the ephemeral range).
   */
  waitForLine(what: string, re: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
  /** true once stop() was called: an exit after that was asked for, not a crash. */
  stopRequested(): boolean;
  /** The exit code (null when a signal ended it; -1 when it could not be spawned). */
  exited: Promise<number | null>;
  /** The signal that ended it, once it has exited that way. */
  exitSignal(): NodeJS.Signals | null;
  /** Resolves once its output pipes are closed (or shortly after it exited). */
  drained: Promise<void>;
}

/**
 * Splits a stream of chunks into lines: a line cut between two chunks is
 * joined before it is seen, and `end()` gives the last line when the stream
 * ends without a newline. Multi-byte characters cut between chunks survive
 * (a StringDecoder holds the partial bytes).
 */
export class LineSplitter {
  private partial = '';
  private decoder = new StringDecoder('utf8');
  constructor(private onLine: (line: string) => void) {}
  push(chunk: Buffer | string): void {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const parts = text.split('\n');
    this.partial = parts.pop()!;
    for (const p of parts) this.onLine(p.replace(/\r$/, ''));
  }
  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest) this.onLine(rest.replace(/\r$/, ''));
  }
}

export function startChild(
  name: string,
  cmd: string,
  args: string[],
  opts: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    log?: (line: string) => void;
    quietPattern?: RegExp;
    /** Run as this user (Postgres refuses to run as root). */
    uid?: number;
    gid?: number;
    /** The signal that asks for a clean, prompt stop (default SIGTERM). */
    stopSignal?: NodeJS.Signals;
  },
): Child {
  const proc = spawn(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    uid: opts.uid,
    gid: opts.gid,
  });
  const lines: string[] = [];
  const waiters = new Set<{ re: RegExp; done: () => void }>();
  const onLine = (line: string) => {
    if (!line.trim()) return;
    lines.push(line);
    if (lines.length > 50) lines.shift();
    for (const w of waiters) if (w.re.test(line)) w.done();
    if (opts.quietPattern?.test(line)) return;
    opts.log?.(line);
  };
  // One splitter per pipe: stdout and stderr interleave by line, never inside one.
  const pipesOpen = [proc.stdout, proc.stderr].filter(Boolean).map(
    (stream) =>
      new Promise<void>((resolve) => {
        const splitter = new LineSplitter(onLine);
        stream!.on('data', (b: Buffer) => splitter.push(b));
        stream!.once('close', () => {
          splitter.end();
          resolve();
        });
      }),
  );
  proc.stdin?.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => {
    proc.on('exit', (code) => resolve(code));
    proc.on('error', (err) => {
      lines.push(String(err));
      resolve(-1);
    });
  });
  // A grandchild may keep the pipes open after the child is gone: wait for
  // them a moment only, so an exit is never reported late.
  const drained = exited.then(() =>
    Promise.race([Promise.all(pipesOpen).then(() => undefined), new Promise<void>((r) => setTimeout(r, 200))]),
  );
  let stopped = false;
  return {
    name,
    proc,
    exited,
    drained,
    stopRequested: () => stopped,
    exitSignal: () => proc.signalCode,
    tail: () => lines.join('\n'),
    waitForLine(what, re, timeoutMs = 30_000) {
      if (lines.some((l) => re.test(l))) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`${what} was not ready after ${timeoutMs / 1000}s\n${lines.join('\n')}`)), timeoutMs);
        const waiter = { re, done: () => finish() };
        function finish(err?: Error) {
          clearTimeout(timer);
          waiters.delete(waiter);
          if (err) reject(err);
          else resolve();
        }
        waiters.add(waiter);
        void exited.then((code) => finish(new Error(`${what} exited (code ${code}) before it was ready:\n${lines.join('\n')}`)));
      });
    },
    async stop() {
      if (stopped || proc.exitCode !== null || proc.signalCode !== null) return;
      stopped = true;
      const kill = (sig: NodeJS.Signals) => {
        try {
          if (proc.pid) process.kill(-proc.pid, sig);
        } catch {
          /* already gone */
        }
      };
      kill(opts.stopSignal ?? 'SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      // Anything left in the group (grandchildren) goes too.
      kill('SIGKILL');
    },
  };
}

/** Resolves when something accepts TCP connections on the port. */
export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ port, host });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/** true when we could bind the port ourselves (nobody else holds it). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}
