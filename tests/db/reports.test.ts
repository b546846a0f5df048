/**
 * Reports (supabase/schemas/87_reports.sql): every figure and series of
 * referral_report, and the rows of report_referral_rows, through the API as
 * the seeded people. On the seeded world the figures must equal a direct
 * count over the rows the same person can list; on a generated world with
 * fixed dates and outcomes they must equal the answers computed by hand
 * below. Row-level security decides what any report can count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDb, resetDb, signIn, sql, type Client } from '../support/stack.ts';
import { programs, referrals, seekers, sites, users } from './world.ts';

interface Report {
  figures: {
    referrals: number;
    received: number;
    made: number;
    with_outcome: number;
    got_help: number;
    responded: number;
    response_median_seconds: number | null;
    response_p90_seconds: number | null;
    outcome_median_seconds: number | null;
    outcome_p90_seconds: number | null;
    overdue_now: number | null;
  };
  weekly: { week_start: string; new: number; closed: number }[];
  funnel: { stage: string; count: number }[];
  outcomes: { status: string; count: number }[];
  negative_reasons: { kind: string; key: string; count: number }[];
  response_times: { bucket: string; count: number }[];
}

interface Scope {
  from: string;
  to: string;
  sites?: string[];
  programs?: string[];
  timeZone?: string;
}

async function report(c: Client, s: Scope): Promise<Report> {
  const { data, error } = await c.rpc('referral_report', {
    p_from: s.from,
    p_to: s.to,
    p_site_ids: s.sites,
    p_program_ids: s.programs,
    p_time_zone: s.timeZone,
  });
  if (error) throw new Error(JSON.stringify(error));
  return data as unknown as Report;
}

async function rows(c: Client, s: Scope) {
  const { data, error } = await c.rpc('report_referral_rows', {
    p_from: s.from,
    p_to: s.to,
    p_site_ids: s.sites,
    p_program_ids: s.programs,
  });
  if (error) throw new Error(JSON.stringify(error));
  return data!;
}

const OUTCOME = [
  'got_help',
  'couldnt_contact',
  'not_eligible',
  'no_capacity',
  'couldnt_get_help',
  'no_longer_interested',
];
const day = 86400;
const wide = () => ({
  from: new Date(Date.now() - 365 * day * 1000).toISOString(),
  to: new Date(Date.now() + 60_000).toISOString(),
});

/**
 * The direct count: the referrals this person can list (plain select under
 * RLS), narrowed to the report's definition by hand, counted in JS.
 */
async function directCount(c: Client, userId: string, s: Scope & { sharing: string[] }) {
  const { data, error } = await c
    .from('referrals')
    .select('id, status, program_id, from_site_id, from_program_id, referred_by')
    .gte('created_at', s.from)
    .lt('created_at', s.to);
  if (error) throw new Error(JSON.stringify(error));
  const progs = s.programs ?? [];
  const sts = s.sites ?? [];
  const inScope = data!.map((r) => {
    const received = progs.includes(r.program_id);
    const made =
      ((r.from_site_id && sts.includes(r.from_site_id)) || (r.from_program_id && progs.includes(r.from_program_id))) &&
      (r.referred_by === userId || s.sharing.includes(r.from_site_id ?? r.from_program_id ?? ''));
    return { ...r, received, made: Boolean(made) };
  });
  const counted = inScope.filter((r) => r.received || r.made);
  return {
    ids: counted.map((r) => r.id).sort(),
    referrals: counted.length,
    received: counted.filter((r) => r.received).length,
    made: counted.filter((r) => r.made).length,
    with_outcome: counted.filter((r) => OUTCOME.includes(r.status)).length,
    got_help: counted.filter((r) => r.status === 'got_help').length,
  };
}

describe('reports on the seeded world', () => {
  let clara: Client, wendy: Client, walter: Client, helen: Client, dana: Client, carl: Client, sam: Client;

  beforeAll(async () => {
    await resetDb();
    [clara, wendy, walter, helen, dana, carl, sam] = await Promise.all(
      [users.clara, users.wendy, users.walter, users.helen, users.dana, users.carl, users.sam].map((u) =>
        signIn(u.email),
      ),
    );
  });
  afterAll(async () => {
    await resetDb();
    await closeDb();
  });

  it('Clara (Harbor) counts R1 received and R3 made, never Safe Haven’s R2, and equals the direct count', async () => {
    const r = await report(clara, wide());
    const direct = await directCount(clara, users.clara.id, {
      ...wide(),
      programs: [programs.harbor],
      sharing: [programs.harbor],
    });
    expect(direct.ids).toEqual([referrals.R1, referrals.R3].sort());
    expect(r.figures).toMatchObject({
      referrals: direct.referrals,
      received: direct.received,
      made: direct.made,
      with_outcome: direct.with_outcome,
      got_help: direct.got_help,
    });
    expect(r.figures).toMatchObject({ referrals: 2, received: 1, made: 1, with_outcome: 0, responded: 0 });
    const list = await rows(clara, wide());
    expect(list.map((x) => x.id).sort()).toEqual(direct.ids);
    expect(list.map((x) => x.id)).not.toContain(referrals.R2);
    // Asking for Safe Haven's numbers by id gives nothing: not one of hers
    const asked = await report(clara, { ...wide(), programs: [programs.safeHaven], sites: [] });
    expect(asked.figures.referrals).toBe(0);
    expect(await rows(clara, { ...wide(), programs: [programs.safeHaven], sites: [] })).toEqual([]);
  });

  it('Carl (Safe Haven) counts R2 with its response, and R4 he made', async () => {
    const r = await report(carl, wide());
    const direct = await directCount(carl, users.carl.id, { ...wide(), programs: [programs.safeHaven], sharing: [] });
    expect(direct.ids).toEqual([referrals.R2, referrals.R4].sort());
    expect(r.figures).toMatchObject({ referrals: 2, received: 1, made: 1, responded: 2 });
    // R2 was answered by Carl (pending), R4 by Dana (eligible): neither is its referrer
    expect(r.funnel).toEqual([
      { stage: 'referred', count: 2 },
      { stage: 'responded', count: 2 },
      { stage: 'outcome', count: 0 },
      { stage: 'got_help', count: 0 },
    ]);
  });

  it('Wendy (Westside, not sharing) counts her R2, never Eastside’s R1', async () => {
    const r = await report(wendy, wide());
    expect(r.figures).toMatchObject({ referrals: 1, received: 0, made: 1 });
    const list = await rows(wendy, wide());
    expect(list.map((x) => x.id)).toEqual([referrals.R2]);
    expect(list[0]).toMatchObject({ seeker_name: 'Rita Rivera', program_name: 'Safe Haven Housing' });
    const east = await report(wendy, { ...wide(), sites: [sites.eastside], programs: [] });
    expect(east.figures.referrals).toBe(0);
  });

  it('a worker of a non-sharing site sees only their own: Walter counts nothing of Wendy’s, then his own', async () => {
    expect((await report(walter, wide())).figures.referrals).toBe(0);
    await sql(
      `do $$ begin
         set local session_replication_role = replica;
         insert into public.referrals (seeker_id, program_id, referred_by, from_site_id, created_at)
         values ('${seekers.rita}', '${programs.brightFutures}', '${users.walter.id}', '${sites.westside}', now() - interval '1 day');
       end $$`,
    );
    const w = await report(walter, wide());
    expect(w.figures).toMatchObject({ referrals: 1, made: 1, received: 0 });
    // Wendy still counts only her own
    expect((await report(wendy, wide())).figures).toMatchObject({ referrals: 1, made: 1 });
    // Dana works at Westside and claims for Bright Futures: she sees Walter's
    // referral (inbound), but her Westside report does not count it ...
    expect((await report(dana, { ...wide(), sites: [sites.westside], programs: [] })).figures.referrals).toBe(0);
    // ... her Bright Futures report does, as received
    const bf = await report(dana, { ...wide(), sites: [], programs: [programs.brightFutures] });
    expect(bf.figures).toMatchObject({ referrals: 3, received: 3, made: 0 });
  });

  it('Helen (Eastside, sharing) counts the site’s referrals; a seeker with no organisation gets an empty report', async () => {
    const r = await report(helen, wide());
    const direct = await directCount(helen, users.helen.id, {
      ...wide(),
      sites: [sites.eastside],
      sharing: [sites.eastside],
    });
    expect(r.figures).toMatchObject({ referrals: direct.referrals, made: direct.made, received: 0 });
    expect(direct.ids).toEqual([referrals.R1]);
    // Sam sees R1 and R4 as their seeker, but has no organisation to report on
    const s = await report(sam, wide());
    expect(s.figures.referrals).toBe(0);
    expect(s.weekly.every((w) => w.new === 0 && w.closed === 0)).toBe(true);
    expect(await rows(sam, wide())).toEqual([]);
  });

  it('keeps each referral’s first response and last status change as the history records them', async () => {
    const times = async (id: string) =>
      (
        await sql<{ status_changed_at: Date | null; first_response_at: Date | null; last_event: Date | null }>(
          `select status_changed_at, first_response_at,
                  (select max(created_at) from public.referral_events e
                    where e.referral_id = r.id and e.event_type = 'status_changed') as last_event
           from public.referrals r where id = $1`,
          [id],
        )
      )[0]!;
    const near = (a: Date | null, b: Date | null) => Math.abs(a!.getTime() - b!.getTime()) < 1000;
    // R1 (Helen's, to Harbor): the seeker Sam says how it went: an outcome, not a response
    expect(await times(referrals.R1)).toMatchObject({ status_changed_at: null, first_response_at: null });
    const byRef = await sam.from('referrals').update({ status: 'got_help' }).eq('id', referrals.R1).select('id');
    expect(byRef.data).toHaveLength(1);
    let t = await times(referrals.R1);
    expect(near(t.status_changed_at, t.last_event)).toBe(true);
    expect(t.first_response_at).toBeNull();
    // Helen, its referrer, changes it: still no response
    await helen.from('referrals').update({ status: 'pending' }).eq('id', referrals.R1).throwOnError();
    t = await times(referrals.R1);
    expect(near(t.status_changed_at, t.last_event)).toBe(true);
    expect(t.first_response_at).toBeNull();
    // Clara, Harbor's claimer, answers: the first response
    await clara.from('referrals').update({ status: 'eligible' }).eq('id', referrals.R1).throwOnError();
    t = await times(referrals.R1);
    expect(near(t.first_response_at, t.last_event)).toBe(true);
    const first = t.first_response_at!;
    // a later change moves the last change, never the first response
    await clara.from('referrals').update({ status: 'got_help' }).eq('id', referrals.R1).throwOnError();
    t = await times(referrals.R1);
    expect(t.first_response_at).toEqual(first);
    expect(near(t.status_changed_at, t.last_event)).toBe(true);
    // nobody writes them by hand
    const forged = await clara
      .from('referrals')
      .update({ first_response_at: null } as never)
      .eq('id', referrals.R1);
    expect(forged.error).toMatchObject({ code: '42501' });
    const r = await report(clara, wide());
    expect(r.figures).toMatchObject({ referrals: 2, responded: 1, with_outcome: 1, got_help: 1 });
  });

  it('refuses a period that is not one, in words', async () => {
    const bad = async (p: Record<string, unknown>) => {
      const { error } = await clara.rpc('referral_report', {
        p_from: '2026-02-01T00:00:00Z',
        p_to: '2026-03-01T00:00:00Z',
        ...p,
      } as never);
      return error;
    };
    expect(await bad({ p_from: '2026-03-02T00:00:00Z' })).toMatchObject({
      code: '22023',
      message: "A report's start must be before its end",
    });
    expect(await bad({ p_from: '2019-01-01T00:00:00Z' })).toMatchObject({
      message: 'A report covers at most five years',
    });
    expect(await bad({ p_time_zone: 'Mars/Olympus' })).toMatchObject({ message: 'Unknown time zone: Mars/Olympus' });
    expect(await bad({})).toBeNull();
    const anon = await clara.rpc('report_referral_rows', {
      p_from: '2026-03-02T00:00:00Z',
      p_to: '2026-03-01T00:00:00Z',
    });
    expect(anon.error).toMatchObject({ code: '22023' });
  });
});

// ---------------------------------------------------------------------------
// A generated world with known answers
// ---------------------------------------------------------------------------

const TEST_PROGRAM = '30000000-0000-4000-8000-0000000000a1';
const FROM = '2026-01-05T00:00:00Z'; // a Monday
const TO = '2026-02-02T00:00:00Z'; // four weeks later

/**
 * Referrals to (or made from) the test program, with their status changes:
 * [name, created_at, program, from site | from program, referrer, status,
 *  changes as [hours after creation, actor, actor's organisation, to status]].
 */
type Change = [hours: number, actor: string, org: string | null, to: string];
const HARBOR = 'Harbor Food Pantry';
const PANTRY = 'Report Test Pantry';
const EAST = 'Eastside Community Clinic';
const world: [string, string, string, { site?: string; program?: string }, string, string, Change[]][] = [
  // answered in 12 hours, got help after 3 days
  [
    'A',
    '2026-01-05T10:00:00Z',
    TEST_PROGRAM,
    { site: sites.eastside },
    users.helen.id,
    'got_help',
    [
      [12, users.clara.id, PANTRY, 'pending'],
      [72, users.clara.id, PANTRY, 'got_help'],
    ],
  ],
  // answered with the outcome after 2 days
  [
    'B',
    '2026-01-06T09:00:00Z',
    TEST_PROGRAM,
    { site: sites.eastside },
    users.helen.id,
    'not_eligible',
    [[48, users.clara.id, PANTRY, 'not_eligible']],
  ],
  // never answered; Sunday evening in Chicago, Monday in UTC
  ['C', '2026-01-12T03:00:00Z', TEST_PROGRAM, { site: sites.eastside }, users.helen.id, 'not_updated', []],
  // the referrer closed it herself after 5 days: an outcome, not a response
  [
    'D',
    '2026-01-14T12:00:00Z',
    TEST_PROGRAM,
    { site: sites.eastside },
    users.helen.id,
    'couldnt_contact',
    [[120, users.helen.id, EAST, 'couldnt_contact']],
  ],
  // answered with the outcome after 10 days
  [
    'E',
    '2026-01-20T00:00:00Z',
    TEST_PROGRAM,
    { site: sites.eastside },
    users.helen.id,
    'got_help',
    [[240, users.clara.id, PANTRY, 'got_help']],
  ],
  // the seeker said after an hour: an outcome, not a response
  [
    'F',
    '2026-01-27T00:00:00Z',
    TEST_PROGRAM,
    { site: sites.eastside },
    users.helen.id,
    'no_capacity',
    [[1, users.sam.id, null, 'no_capacity']],
  ],
  // answered after 8 days, which is after the period: an outcome, not closed within it
  [
    'I',
    '2026-01-28T00:00:00Z',
    TEST_PROGRAM,
    { site: sites.eastside },
    users.helen.id,
    'no_capacity',
    [[192, users.clara.id, PANTRY, 'no_capacity']],
  ],
  // made by Clara from the test program to Harbor, answered by Cody after a day
  [
    'J',
    '2026-01-07T00:00:00Z',
    programs.harbor,
    { program: TEST_PROGRAM },
    users.clara.id,
    'pending',
    [[24, users.cody.id, HARBOR, 'pending']],
  ],
  // made by Cody from the test program (which does not share) to Harbor: Clara
  // sees it as Harbor's, but the test program's report does not count it
  [
    'K',
    '2026-01-08T00:00:00Z',
    programs.harbor,
    { program: TEST_PROGRAM },
    users.cody.id,
    'got_help',
    [[24, users.clara.id, HARBOR, 'got_help']],
  ],
  // before and after the period
  [
    'G',
    '2025-12-30T00:00:00Z',
    TEST_PROGRAM,
    { site: sites.eastside },
    users.helen.id,
    'got_help',
    [[5, users.clara.id, PANTRY, 'got_help']],
  ],
  ['H', '2026-02-02T12:00:00Z', TEST_PROGRAM, { site: sites.eastside }, users.helen.id, 'not_updated', []],
];
const genId = (name: string) => `50000000-0000-4000-8000-0000000001${name.charCodeAt(0).toString(16).padStart(2, '0')}`;

describe('reports on a generated world with known answers', () => {
  let clara: Client;

  beforeAll(async () => {
    await resetDb();
    await sql(`insert into public.programs (id, name, zip, team_sharing) values ($1, $2, '78702', false)`, [
      TEST_PROGRAM,
      PANTRY,
    ]);
    await sql(`insert into public.program_members (program_id, user_id) values ($1, $2), ($1, $3)`, [
      TEST_PROGRAM,
      users.clara.id,
      users.cody.id,
    ]);
    // Written as history would have written it, at fixed times (triggers off for the load)
    const statements = ['set local session_replication_role = replica'];
    for (const [name, created, program, from, by, status, changes] of world) {
      const id = genId(name);
      const at = (hours: number) => new Date(Date.parse(created) + hours * 3600_000).toISOString();
      // what the trigger keeps: the last status change, and the first by staff other than the referrer
      const last = changes.at(-1);
      const response = changes.find(([, actor, org]) => actor !== by && org);
      const lit = (v: string | null | undefined) => (v ? `'${v}'` : 'null');
      statements.push(
        `insert into public.referrals (id, seeker_id, program_id, referred_by, from_site_id, from_program_id, status,
                                       created_at, updated_at, status_changed_at, first_response_at)
         values ('${id}', '${seekers.sam}', '${program}', '${by}', ${lit(from.site)}, ${lit(from.program)}, '${status}',
                 '${created}', '${created}', ${lit(last && at(last[0]))}, ${lit(response && at(response[0]))})`,
        `insert into public.referral_events (referral_id, seeker_id, event_type, actor_id, actor_display_name, to_status, created_at)
         values ('${id}', '${seekers.sam}', 'created', '${by}', 'Someone S.', 'not_updated', '${created}')`,
      );
      let prev = 'not_updated';
      for (const [hours, actor, org, to] of changes) {
        statements.push(
          `insert into public.referral_events (referral_id, seeker_id, event_type, actor_id, actor_display_name,
                                              actor_organization, from_status, to_status, created_at)
           values ('${id}', '${seekers.sam}', 'status_changed', '${actor}', 'Someone S.', ${lit(org)},
                   '${prev}', '${to}', '${at(hours)}')`,
        );
        prev = to;
      }
    }
    await sql(`do $$ begin ${statements.join(';\n')}; end $$`);
    clara = await signIn(users.clara.email);
  });
  afterAll(async () => {
    await resetDb();
    await closeDb();
  });

  it('every figure, by hand', async () => {
    const r = await report(clara, { from: FROM, to: TO, sites: [], programs: [TEST_PROGRAM] });
    // in the period: A B C D E F I received, J made; K is Cody's (no sharing), G and H outside
    expect(r.figures).toEqual({
      referrals: 8,
      received: 7,
      made: 1,
      with_outcome: 6, // A B D E F I
      got_help: 2, // A E
      responded: 5, // A 12h, J 1d, B 2d, I 8d, E 10d (D by the referrer, F by the seeker: not responses)
      response_median_seconds: 2 * day,
      response_p90_seconds: 8 * day + 0.6 * 2 * day, // 3.6th of 5 sorted: 8d + 0.6 × (10d − 8d)
      outcome_median_seconds: (3 * day + 5 * day) / 2, // F 1h, B 2d, A 3d, D 5d, I 8d, E 10d
      outcome_p90_seconds: (8 * day + 10 * day) / 2,
      overdue_now: null, // no response clocks yet
    });
  });

  it('the weekly series, the funnel, the outcome mix, the negative statuses and the response times, by hand', async () => {
    const r = await report(clara, { from: FROM, to: TO, sites: [], programs: [TEST_PROGRAM] });
    expect(r.weekly).toEqual([
      { week_start: '2026-01-05', new: 3, closed: 2 }, // new A B J; closed A (01-08) B (01-08)
      { week_start: '2026-01-12', new: 2, closed: 0 }, // new C D
      { week_start: '2026-01-19', new: 1, closed: 1 }, // new E; closed D (01-19)
      { week_start: '2026-01-26', new: 2, closed: 2 }, // new F I; closed F (01-27) E (01-30); I closes after the period
    ]);
    expect(r.funnel).toEqual([
      { stage: 'referred', count: 8 },
      { stage: 'responded', count: 5 },
      { stage: 'outcome', count: 6 },
      { stage: 'got_help', count: 2 },
    ]);
    expect(r.outcomes).toEqual([
      { status: 'got_help', count: 2 },
      { status: 'couldnt_contact', count: 1 },
      { status: 'not_eligible', count: 1 },
      { status: 'no_capacity', count: 2 },
      { status: 'couldnt_get_help', count: 0 },
      { status: 'no_longer_interested', count: 0 },
    ]);
    expect(r.negative_reasons).toEqual([
      { kind: 'status', key: 'no_capacity', count: 2 },
      { kind: 'status', key: 'couldnt_contact', count: 1 },
      { kind: 'status', key: 'not_eligible', count: 1 },
    ]);
    expect(r.response_times).toEqual([
      { bucket: 'under_1_day', count: 1 }, // A
      { bucket: '1_to_3_days', count: 2 }, // J B
      { bucket: '3_to_7_days', count: 0 },
      { bucket: '1_to_2_weeks', count: 2 }, // I E
      { bucket: '2_to_4_weeks', count: 0 },
      { bucket: 'over_4_weeks', count: 0 },
      { bucket: 'no_response', count: 3 }, // C D F
    ]);
  });

  it('weeks start on Monday in the reader’s time zone', async () => {
    // the same four weeks, midnight to midnight in Chicago (UTC-6)
    const r = await report(clara, {
      from: '2026-01-05T06:00:00Z',
      to: '2026-02-02T06:00:00Z',
      sites: [],
      programs: [TEST_PROGRAM],
      timeZone: 'America/Chicago',
    });
    expect(r.weekly.map((w) => [w.week_start, w.new])).toEqual([
      ['2026-01-05', 4], // C moves into the first week (Sunday 21:00 in Chicago)
      ['2026-01-12', 1],
      ['2026-01-19', 1], // E: Monday 00:00 UTC is Sunday evening 18:00 in Chicago, still 19 January's week
      ['2026-01-26', 2],
    ]);
  });

  it('the rows: one per referral counted, oldest first, with times, and the direct count agrees', async () => {
    const list = await rows(clara, { from: FROM, to: TO, sites: [], programs: [TEST_PROGRAM] });
    expect(list.map((x) => x.id)).toEqual(['A', 'B', 'J', 'C', 'D', 'E', 'F', 'I'].map(genId));
    const a = list[0]!;
    expect(a).toMatchObject({
      program_name: PANTRY,
      made_from_name: EAST,
      received: true,
      made: false,
      status: 'got_help',
      status_group: 'got_help',
      reason: null,
      response_due_at: null,
      seeker_name: 'Sam Seeker',
    });
    expect(new Date(a.first_response_at!).toISOString()).toBe('2026-01-05T22:00:00.000Z');
    expect(new Date(a.outcome_at!).toISOString()).toBe('2026-01-08T10:00:00.000Z');
    const j = list.find((x) => x.id === genId('J'))!;
    expect(j).toMatchObject({ program_name: HARBOR, made_from_name: PANTRY, received: false, made: true });

    const direct = await directCount(clara, users.clara.id, {
      from: FROM,
      to: TO,
      programs: [TEST_PROGRAM],
      sharing: [],
    });
    expect(direct.ids).toEqual(list.map((x) => x.id).sort());
    // Clara sees K (Harbor received it) but it is not the test program's
    const { data: k } = await clara.from('referrals').select('id').eq('id', genId('K'));
    expect(k).toHaveLength(1);
  });

  it('Cody, who made K, counts it as made; with all of Clara’s organisations K counts as Harbor’s', async () => {
    const cody = await signIn(users.cody.email);
    const c = await report(cody, { from: FROM, to: TO, sites: [], programs: [TEST_PROGRAM] });
    expect(c.figures).toMatchObject({ referrals: 8, made: 1, received: 7 }); // K made, not J
    const all = await report(clara, { from: FROM, to: TO });
    expect(all.figures).toMatchObject({ referrals: 9, received: 9, made: 1 }); // + J and K received by Harbor; J also made
  });
});
