/** LISTEN on a channel, reconnecting every 0.5 s while Postgres is away; `onNotify` also runs on each (re)connect. */
import pg from 'pg';

export function listenLoop(dbUrl: string, channel: string, onNotify: () => void): () => Promise<void> {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const again = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, 500);
  };
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: dbUrl });
    c.on('notification', onNotify);
    c.on('error', () => undefined);
    c.on('end', () => {
      if (client === c) client = undefined;
      again();
    });
    try {
      await c.connect();
      await c.query(`listen ${pg.escapeIdentifier(channel)}`);
      client = c;
      onNotify(); // whatever happened while nobody listened
    } catch {
      await c.end().catch(() => undefined);
      again();
    }
  };
  void connect();
  return async () => {
    closed = true;
    if (retry) clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}
