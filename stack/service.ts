/**
 * The shape of every Node service of the local stack (auth, realtime,
 * functions, workers): a `start(ctx)` that listens and resolves once ready,
 * and returns a handle whose `close()` stops it cleanly. `runService` is what
 * each service's main.ts calls when the supervisor runs it as its own process.
 */
import { contextFromEnv, type StackContext } from './config.ts';

export interface RunningService {
  close(): Promise<void>;
}

export type StartService = (ctx: StackContext) => Promise<RunningService>;

export function runService(name: string, start: StartService): void {
  const ctx = contextFromEnv();
  let running: RunningService | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    try {
      await running?.close();
    } catch (err) {
      console.error(`[${name}] error while stopping:`, err);
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  // The supervisor holds our stdin; when it dies without signalling, so do we.
  process.stdin.on('end', () => void stop(0));
  process.stdin.resume();
  start(ctx)
    .then((r) => {
      running = r;
      if (stopping) void r.close();
      // The supervisor waits for this line (stack/stack.ts).
      else console.log(`${name} ready`);
    })
    .catch((err: unknown) => {
      console.error(`[${name}] failed to start: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}
