/**
 * A stolen refresh token replayed after its owner has moved on: the replay is
 * refused with `refresh_token_already_used` and revokes the whole session's
 * token family, so the victim's newest token stops working too (both the
 * thief and the victim must sign in again; only the victim can). What stays
 * allowed: normal rotation, the parent of the live token handing back the live
 * token (a client that lost a response), and a second refresh inside
 * `refresh_token_reuse_interval` (two tabs refreshing at once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonClient, closeDb, resetDb, sql } from '../support/stack.ts';
import { createUser, freshEmail } from '../auth/helpers.ts';

async function signedIn(): Promise<{ email: string; refreshToken: string }> {
  const email = freshEmail('victim');
  await createUser(email, 'victim-pass-1');
  const { data, error } = await anonClient().auth.signInWithPassword({ email, password: 'victim-pass-1' });
  expect(error).toBeNull();
  return { email, refreshToken: data.session!.refresh_token };
}

async function refresh(refreshToken: string) {
  return anonClient().auth.refreshSession({ refresh_token: refreshToken });
}

/** Moves a rotated token's last use back beyond the 10 s reuse interval of config.toml. */
async function age(...tokens: string[]): Promise<void> {
  await sql(`update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = any($1)`, [tokens]);
}

beforeAll(async () => {
  await resetDb();
});

afterAll(async () => {
  await closeDb();
});

describe('replaying an old refresh token', () => {
  it('after the victim refreshed twice: the replay fails, and so does the victim’s newest token', async () => {
    const { email, refreshToken: t0 } = await signedIn();
    const first = await refresh(t0);
    expect(first.error).toBeNull();
    const t1 = first.data.session!.refresh_token;
    const second = await refresh(t1);
    expect(second.error).toBeNull();
    const t2 = second.data.session!.refresh_token;
    expect(new Set([t0, t1, t2]).size).toBe(3);
    await age(t0, t1);

    const replay = await refresh(t0);
    expect(replay.data.session).toBeNull();
    expect(replay.error).toMatchObject({
      status: 400,
      code: 'refresh_token_already_used',
      message: 'Invalid Refresh Token: Already Used',
    });

    // The family is revoked: the victim's newest token, used at once, fails too.
    const victim = await refresh(t2);
    expect(victim.data.session).toBeNull();
    expect(victim.error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
    // ...and the middle one, which would otherwise hand back the live token.
    expect((await refresh(t1)).error).toMatchObject({ status: 400, code: 'refresh_token_already_used' });
    const live = await sql('select token from auth.refresh_tokens where token = any($1) and not revoked', [
      [t0, t1, t2],
    ]);
    expect(live).toEqual([]);

    // The victim signs in again; the thief has nothing left.
    const again = await anonClient().auth.signInWithPassword({ email, password: 'victim-pass-1' });
    expect(again.error).toBeNull();
    expect((await refresh(again.data.session!.refresh_token)).error).toBeNull();
  });
});

describe('what stays allowed', () => {
  it('rotation, the parent of the live token handing it back, and reuse inside the interval', async () => {
    const { refreshToken: t0 } = await signedIn();
    const first = await refresh(t0);
    expect(first.error).toBeNull();
    const t1 = first.data.session!.refresh_token;

    // A client that lost the answer asks again with t0: it gets the live t1 back, whenever it asks.
    await age(t0);
    const lost = await refresh(t0);
    expect(lost.error).toBeNull();
    expect(lost.data.session!.refresh_token).toBe(t1);

    // Two tabs refresh at once: the one that lost the race gets the live token too.
    const tabA = await refresh(t1);
    const tabB = await refresh(t1);
    expect(tabA.error).toBeNull();
    expect(tabB.data.session!.refresh_token).toBe(tabA.data.session!.refresh_token);
    const t2 = tabA.data.session!.refresh_token;

    // A token rotated seconds ago, no longer the live one's parent: inside the interval it still gets a token.
    const t3 = (await refresh(t2)).data.session!.refresh_token;
    const t4 = (await refresh(t3)).data.session!.refresh_token;
    const late = await refresh(t2);
    expect(late.error).toBeNull();
    expect([t3, t4]).not.toContain(late.data.session!.refresh_token);
    expect((await refresh(t4)).error).toBeNull();
  });
});
