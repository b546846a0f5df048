/**
 * realtime.messages upkeep, as hosted Realtime does it:
 *   - the publication `supabase_realtime_messages_publication` (hosted:
 *     `supabase_<schema>_<table>_publication`, created by the service,
 *     FOR TABLE realtime.messages) that the Broadcast-from-Database stream reads;
 *   - the janitor: partitions from yesterday to three days ahead
 *     (Realtime.Tenants.create_messages_partitions) and, for retention, drops
 *     the partitions of days before now − 72 h (Realtime.Messages.delete_old_messages).
 * The table, realtime.topic(), realtime.send() and realtime.broadcast_changes()
 * themselves are in stack/platform.sql.
 */
import type pg from 'pg';

export const MESSAGES_PUBLICATION = 'supabase_realtime_messages_publication';
/** Hosted: `supabase_realtime_messages_replication_slot_<suffix>` (temporary there; see README). */
export const MESSAGES_SLOT = 'supabase_realtime_messages_replication_slot_local';
/** Hosted keeps messages 72 hours. */
export const RETENTION_HOURS = 72;

export async function ensureMessagesPublication(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ t: string }>(
    `select format('%s.%s', schemaname, tablename) as t from pg_publication_tables where pubname = $1`,
    [MESSAGES_PUBLICATION],
  );
  const exists = (await pool.query('select 1 from pg_publication where pubname = $1', [MESSAGES_PUBLICATION])).rowCount;
  if (!exists) {
    await pool.query(`create publication ${MESSAGES_PUBLICATION} for table realtime.messages`);
    return;
  }
  // Hosted recreates a publication that holds anything else.
  if (rows.some((r) => !r.t.startsWith('realtime.messages'))) {
    await pool.query(
      `drop publication if exists ${MESSAGES_PUBLICATION}; create publication ${MESSAGES_PUBLICATION} for table realtime.messages`,
    );
  }
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** Creates the partitions of yesterday … today + 3 (UTC) and drops those of days before now − 72 h. */
export async function maintainMessages(
  pool: pg.Pool,
  now = new Date(),
): Promise<{ created: string[]; dropped: string[] }> {
  const created: string[] = [];
  const dropped: string[] = [];
  const { rows } = await pool.query<{ relname: string }>(
    `select child.relname from pg_inherits
       join pg_class parent on pg_inherits.inhparent = parent.oid
       join pg_class child on pg_inherits.inhrelid = child.oid
       join pg_namespace nmsp_child on nmsp_child.oid = child.relnamespace
      where parent.relname = 'messages' and nmsp_child.nspname = 'realtime'`,
  );
  const limit = day(new Date(now.getTime() - RETENTION_HOURS * 3600_000));
  for (const { relname } of rows) {
    const m = /^messages_(\d{4})_(\d{2})_(\d{2})$/.exec(relname);
    if (!m) continue;
    if (`${m[1]}-${m[2]}-${m[3]}` < limit) {
      await pool.query(`drop table if exists realtime.${relname}`);
      dropped.push(relname);
    }
  }
  const existing = new Set(rows.map((r) => r.relname));
  for (let offset = -1; offset <= 3; offset++) {
    const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offset));
    const end = new Date(start.getTime() + 86_400_000);
    const name = `messages_${day(start).replace(/-/g, '_')}`;
    if (existing.has(name)) continue;
    try {
      await pool.query(
        `create table if not exists realtime.${name} partition of realtime.messages for values from ('${day(start)}') to ('${day(end)}');
         alter table realtime.${name} owner to supabase_realtime_admin`,
      );
      created.push(name);
    } catch (err) {
      if ((err as { code?: string }).code !== '42P07') throw err; // duplicate_table
    }
  }
  return { created, dropped };
}
