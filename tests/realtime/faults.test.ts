/**
 * Faults: Postgres restarting under a subscribed client, the Realtime
 * service restarting (clients rejoin by themselves), and the replication
 * slot surviving both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { control, resetDb, signIn, sql, type Client } from '../support/stack.ts';
import { dropSlot, SLOT_NAME } from '../../stack/realtime/index.ts';
import { env } from '../support/stack.ts';
import { PERSONAS, R1, isRow, listen, setStatus, sleep } from './helpers.ts';

const clients: Client[] = [];
async function who(email: string): Promise<Client> {
  const c = await signIn(email);
  clients.push(c);
  return c;
}

/** PostgREST may need a moment to reconnect after a Postgres restart. */
async function setStatusEventually(client: Client, id: string, status: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await setStatus(client, id, status);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(250);
    }
  }
}

beforeAll(async () => {
  await resetDb();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.removeAllChannels()));
});

describe('faults', () => {
  it('keeps delivering after Postgres restarts mid-test', async () => {
    const helen = await who(PERSONAS.helen);
    const clara = await who(PERSONAS.clara);
    const ear = await listen(clara);
    await setStatus(helen, R1, 'pending');
    await ear.waitFor(isRow(R1, 'pending'));

    await control('restart', 'postgres');

    await setStatusEventually(helen, R1, 'eligible');
    await ear.waitFor(isRow(R1, 'eligible'), 15_000);
    await setStatus(helen, R1, 'got_help');
    await ear.waitFor(isRow(R1, 'got_help'));
    // The socket never dropped: Postgres is behind the service.
    expect(ear.statuses).toEqual(['SUBSCRIBED']);
    const slots = await sql<{ slot_name: string; active: boolean }>(
      `select slot_name, active from pg_replication_slots where slot_name = 'supabase_realtime_local'`,
    );
    expect(slots).toEqual([{ slot_name: 'supabase_realtime_local', active: true }]);
  }, 60_000);

  it('clients rejoin after the Realtime service restarts and hear changes again', async () => {
    const helen = await who(PERSONAS.helen);
    const cody = await who(PERSONAS.cody);
    const ear = await listen(cody);
    await control('restart', 'realtime');
    // realtime-js sees the socket close, reconnects and rejoins on its own.
    await expect.poll(() => ear.statuses.filter((s) => s === 'SUBSCRIBED').length, { timeout: 20_000 }).toBe(2);
    expect(ear.statuses.some((s) => s.startsWith('CHANNEL_ERROR'))).toBe(true);
    await setStatus(helen, R1, 'needs_client_action');
    await ear.waitFor(isRow(R1, 'needs_client_action'));
  }, 60_000);

  it('dropSlot (for db:reset) removes the slot; the running service recreates it and keeps delivering', async () => {
    const helen = await who(PERSONAS.helen);
    const ear = await listen(await who(PERSONAS.sam));
    expect(await dropSlot(env.dbUrl)).toBe(true);
    await expect
      .poll(
        async () =>
          (await sql(`select 1 from pg_replication_slots where slot_name = $1 and active`, [SLOT_NAME])).length,
        { timeout: 10_000 },
      )
      .toBe(1);
    await setStatus(helen, R1, 'referred_elsewhere');
    await ear.waitFor(isRow(R1, 'referred_elsewhere'));
  }, 30_000);

  it('changes committed while the service is down do not pile up in the slot after it resumes', async () => {
    const helen = await who(PERSONAS.helen);
    await control('stop', 'realtime');
    await setStatus(helen, R1, 'pending');
    await control('start', 'realtime');
    const ear = await listen(await who(PERSONAS.henry));
    await setStatus(helen, R1, 'eligible');
    await ear.waitFor(isRow(R1, 'eligible'));
    // Everything up to now has been read and confirmed.
    await expect
      .poll(async () => {
        const [r] = await sql<{ behind: string }>(
          `select pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint as behind
             from pg_replication_slots where slot_name = 'supabase_realtime_local'`,
        );
        return Number(r!.behind) < 1_000_000;
      })
      .toBe(true);
  }, 60_000);
});
