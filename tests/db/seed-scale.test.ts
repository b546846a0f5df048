/**
 * The scale seeder (npm run db:seed:scale) at a small size: the proportions
 * scripts/seed-scale.ts promises (docs/seeded-world.md), history for every
 * referral, people who can sign in, and no notifications.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../stack/config.ts';
import { closeDb, env, resetDb, signIn, sql } from '../support/stack.ts';
import { programs, sites } from './world.ts';

const N = 20000;

async function count(query: string): Promise<number> {
  return Number((await sql<{ n: string }>(query))[0]!.n);
}

async function notificationJobs(): Promise<number> {
  const exists = (await sql<{ t: string | null }>(`select to_regclass('public.notification_jobs')::text as t`))[0]!.t;
  return exists ? count('select count(*) as n from public.notification_jobs') : 0;
}

describe(`db:seed:scale --referrals ${N}`, () => {
  let before: { referrals: number; seekers: number; programs: number; sites: number; events: number; jobs: number };
  let output = '';

  beforeAll(async () => {
    await resetDb();
    before = {
      referrals: await count('select count(*) as n from public.referrals'),
      seekers: await count('select count(*) as n from public.seekers'),
      programs: await count('select count(*) as n from public.programs'),
      sites: await count('select count(*) as n from public.sites'),
      events: await count('select count(*) as n from public.referral_events'),
      jobs: await notificationJobs(),
    };
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/seed-scale.ts', '--referrals', String(N), '--db-url', env.dbUrl],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    output = stdout;
  }, 180_000);

  afterAll(async () => {
    await resetDb();
    await closeDb();
  });

  it('adds exactly N referrals, with 1 seeker per 5, 1 program per 100 and 1 site per 1,000', async () => {
    expect(output).toContain(`Added ${N.toLocaleString()} referrals`);
    expect(await count('select count(*) as n from public.referrals')).toBe(before.referrals + N);
    expect(await count('select count(*) as n from public.seekers')).toBe(before.seekers + N / 5);
    expect(await count('select count(*) as n from public.programs')).toBe(before.programs + N / 100);
    expect(await count('select count(*) as n from public.sites')).toBe(before.sites + N / 1000);
  });

  it('sends Harbor about 2%, Safe Haven about 0.01%, and has Eastside make about 1%', async () => {
    const harbor = await count(`select count(*) as n from public.referrals where program_id = '${programs.harbor}'`);
    const safeHaven = await count(
      `select count(*) as n from public.referrals where program_id = '${programs.safeHaven}'`,
    );
    const eastside = await count(`select count(*) as n from public.referrals where from_site_id = '${sites.eastside}'`);
    expect(harbor / N).toBeGreaterThan(0.015);
    expect(harbor / N).toBeLessThan(0.025);
    expect(safeHaven).toBeLessThan(1 + 12); // 0.01% of 20,000 = 2 (+ the seeded one)
    expect(eastside / N).toBeGreaterThan(0.007);
    expect(eastside / N).toBeLessThan(0.013);
  });

  it('skews program popularity: a few busy programs, a long quiet tail', async () => {
    const [row] = await sql<{ top: string; median: string }>(`
      with per as (select program_id, count(*) n from public.referrals group by program_id)
      select max(n) as top, percentile_disc(0.5) within group (order by n) as median from per`);
    expect(Number(row!.top)).toBeGreaterThan(10 * Number(row!.median));
  });

  it('gives every referral its history and a valid origin', async () => {
    expect(
      await count(`select count(*) as n from public.referrals r
      where not exists (select 1 from public.referral_events e where e.referral_id = r.id and e.event_type = 'created')`),
    ).toBe(0);
    expect(
      await count(`select count(*) as n from public.referrals r where status <> 'not_updated'
      and not exists (select 1 from public.referral_events e where e.referral_id = r.id and e.event_type = 'status_changed')`),
    ).toBe(0);
    // made from an organisation the referrer belongs to
    expect(
      await count(`select count(*) as n from public.referrals r
      where not exists (select 1 from public.site_members m where m.site_id = r.from_site_id and m.user_id = r.referred_by)
        and not exists (select 1 from public.program_members m where m.program_id = r.from_program_id and m.user_id = r.referred_by)`),
    ).toBe(0);
    expect(await count(`select count(distinct status) as n from public.referrals`)).toBe(11);
  });

  it("gives one referral in three a note that carries its referral's routing, as the notes trigger would", async () => {
    const notes = await count(`select count(*) as n from public.referral_notes`);
    expect(notes).toBeGreaterThan(N / 4);
    // the notes policy reads these columns: a note without them is invisible to the referral's people
    expect(
      await count(`select count(*) as n from public.referral_notes n join public.referrals r on r.id = n.referral_id
      where (n.referral_program_id, n.referral_referred_by, n.referral_from_site_id, n.referral_from_program_id)
            is distinct from (r.program_id, r.referred_by, r.from_site_id, r.from_program_id)`),
    ).toBe(0);
    // and Clara (Harbor) reads the notes on Harbor's referrals through the API
    const clara = await signIn('clara@harbor.example');
    const { count: seen, error } = await clara
      .from('referral_notes')
      .select('id', { count: 'exact', head: true })
      .eq('referral_program_id', programs.harbor);
    expect(error).toBeNull();
    expect(seen).toBe(
      await count(`select count(*) as n from public.referral_notes where referral_program_id = '${programs.harbor}'`),
    );
    expect(seen).toBeGreaterThan(N * 0.015 * 0.25);
  });

  it('makes each due 2 business days after it was made, answered unless still Not updated, none armed', async () => {
    expect(
      await count(`select count(*) as n from public.referrals
      where response_due_at is distinct from private.add_business_days(created_at, 2, 'America/Chicago')`),
    ).toBe(0);
    expect(
      await count(`select count(*) as n from public.referrals
      where (status = 'not_updated') <> (responded_at is null)`),
    ).toBe(0);
    expect(await count(`select count(*) as n from private.response_clock_alarms`)).toBe(0);
  });

  it('rebuilds the search rows with every index they had', async () => {
    const rows = await sql<{ name: string }>(
      `select indexrelid::regclass::text as name from pg_index
        where indrelid in ('private.seeker_search'::regclass, 'private.seeker_reach'::regclass) order by 1`,
    );
    expect(rows.map((r) => r.name)).toEqual([
      'private.seeker_reach_name_idx',
      'private.seeker_search_newest_idx',
      'private.seeker_search_own_grams_idx',
      'private.seeker_search_pkey',
      'private.seeker_search_received_grams_idx',
      'private.seeker_search_updated_idx',
    ]);
    // and one name-order row for every id that reaches each seeker
    expect(
      await count(`select (select count(*) from private.seeker_reach)
                        - (select sum(cardinality(reach_received) + cardinality(reach_own)) from private.seeker_search) as n`),
    ).toBe(0);
  });

  it('sends no notifications', async () => {
    expect(await notificationJobs()).toBe(before.jobs);
  });

  it('People I’m Helping finds exactly the people the seekers policy shows, in the same order', async () => {
    // a worker of a sharing site, a worker of a site that does not share, a claimer, and seeded staff
    const scaleUsers = await sql<{ email: string }>(`
      (select u.email from public.site_members m join public.sites s on s.id = m.site_id join auth.users u on u.id = m.user_id
        where u.email like '%@scale.example' and s.team_sharing order by u.email limit 1)
      union all
      (select u.email from public.site_members m join public.sites s on s.id = m.site_id join auth.users u on u.id = m.user_id
        where u.email like '%@scale.example' and not s.team_sharing order by u.email limit 1)
      union all
      (select u.email from public.program_members m join auth.users u on u.id = m.user_id
        where u.email like '%@scale.example' order by u.email limit 1)`);
    const emails = [...scaleUsers.map((u) => u.email), 'helen@eastside.example', 'clara@harbor.example'];
    expect(emails).toHaveLength(5);
    let compared = 0;
    for (const email of emails) {
      const client = await signIn(email);
      const cases = [
        ...['', 'ma', 'mart', 'an e', 'example', '5'].map((query) => ({ query, sort: 'name' })),
        { query: '', sort: 'newest' },
        { query: 'ma', sort: 'recently_updated' },
      ];
      for (const { query, sort } of cases) {
        const words = query.split(' ').filter(Boolean);
        let direct = client.from('seekers').select('id', { count: 'exact' });
        for (const w of words) direct = direct.like('search_text', `%${w}%`);
        const ordered =
          sort === 'name'
            ? direct.order('last_name').order('first_name')
            : direct.order(sort === 'newest' ? 'created_at' : 'updated_at', { ascending: false });
        const expected = await ordered.order('id').limit(25);
        const found = await client.rpc('search_people', { query, sort, max_results: 25 });
        expect(expected.error).toBeNull();
        expect(found.error).toBeNull();
        expect(
          found.data!.map((s) => s.id),
          `${email} "${query}"`,
        ).toEqual(expected.data!.map((s) => s.id));
        expect(Number(found.data![0]?.total_count ?? 0), `${email} "${query}"`).toBe(expected.count);
        if (expected.count) compared++;
      }
    }
    expect(compared).toBeGreaterThan(15);
  }, 120_000);

  it('creates people who can sign in and see what they should', async () => {
    const [claimer] = await sql<{ email: string; program_id: string }>(`
      select u.email, m.program_id from public.program_members m join auth.users u on u.id = m.user_id
      where u.email like '%@scale.example' order by u.email limit 1`);
    const client = await signIn(claimer!.email);
    const { data, error } = await client.from('referrals').select('program_id, from_program_id');
    expect(error).toBeNull();
    expect(data!.length).toBeGreaterThan(0);
    for (const r of data!) {
      // inbound to their program, or sent from it (when it shares)
      expect([r.program_id, r.from_program_id]).toContain(claimer!.program_id);
    }
  });
});
