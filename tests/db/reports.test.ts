/**
 * Reports (supabase/schemas/87_reports.sql): every figure and series of
 * referral_report, and the rows of report_referral_rows, through the API as
 * the seeded people. On the seeded world the figures must equal a direct
 * count over the rows the same person can list; on a generated world with
 * fixed dates, outcomes, reasons and response clocks they must equal the
 * answers computed by hand below. Row-level security decides what any report
 * can count.
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
    overdue_now: number;
  };
  weekly: { week_start: string; new: number; closed: number }[];
  funnel: { stage: string; count: number }[];
  outcomes: { status: string; count: number }[];
  negative_reasons: { status: string; reason: string | null; count: number }[];
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

const NEGATIVE = ['couldnt_contact', 'not_eligible', 'no_capacity', 'couldnt_get_help', 'no_longer_interested'];
const OUTCOME = ['got_help', ...NEGATIVE];
const day = 86400;
const wide = () => ({
  from: new Date(Date.now() - 365 * day * 1000).toISOString(),
  to: new Date(Date.now() + 60_000).toISOString(),
});

/**
 * The direct count: the referrals this person can list (plain select under
 * RLS), narrowed to the report's definition by hand, counted in JS. Overdue
 * as Inbound counts it (list-referrals.ts countOverdue): not answered, due
 * before now; the top negative reasons: by status and recorded reason, most
 * first, then by status and reason (none first), five at most.
 */
async function directCount(c: Client, userId: string, s: Scope & { sharing: string[] }) {
  const now = Date.now();
  const { data, error } = await c
    .from('referrals')
    .select(
      'id, status, status_reason, program_id, from_site_id, from_program_id, referred_by, responded_at, response_due_at',
    )
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
    responded: counted.filter((r) => r.responded_at !== null).length,
    overdue_now: counted.filter((r) => r.responded_at === null && Date.parse(r.response_due_at) < now).length,
    overdue_ids: counted
      .filter((r) => r.responded_at === null && Date.parse(r.response_due_at) < now)
      .map((r) => r.id)
      .sort(),
    negative_reasons: topReasons(counted),
  };
}

function topReasons(rows: { status: string; status_reason: string | null }[]) {
  const counts = new Map<string, { status: string; reason: string | null; count: number }>();
  for (const r of rows.filter((x) => NEGATIVE.includes(x.status))) {
    const key = `${r.status}/${r.status_reason ?? ''}`;
    const entry = counts.get(key) ?? { status: r.status, reason: r.status_reason, count: 0 };
    entry.count++;
    counts.set(key, entry);
  }
  const text = (x: string | null) => x ?? '';
  return [...counts.values()]
    .sort(
      (a, b) =>
        b.count - a.count ||
        (a.status < b.status ? -1 : a.status > b.status ? 1 : 0) ||
        (text(a.reason) < text(b.reason) ? -1 : text(a.reason) > text(b.reason) ? 1 : 0),
    )
    .slice(0, 5);
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
      responded: direct.responded,
      overdue_now: direct.overdue_now,
    });
    expect(r.negative_reasons).toEqual(direct.negative_reasons);
    expect(r.figures).toMatchObject({ referrals: 2, received: 1, made: 1, with_outcome: 0, responded: 0 });
    // R1 and R3 are not answered; each is overdue once its due time (two business days) has passed
    expect(direct.overdue_ids.every((id) => id === referrals.R1 || id === referrals.R3)).toBe(true);
    const list = await rows(clara, wide());
    expect(list.map((x) => x.id).sort()).toEqual(direct.ids);
    expect(
      list
        .filter((x) => x.overdue)
        .map((x) => x.id)
        .sort(),
    ).toEqual(direct.overdue_ids);
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
    expect(r.figures).toMatchObject({ referrals: 2, received: 1, made: 1, responded: 2, overdue_now: 0 });
    expect(r.figures).toMatchObject({ responded: direct.responded, overdue_now: direct.overdue_now });
    // R2 was answered by Carl (pending), R4 by Dana (eligible): each by a claimer of its program
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
    expect(r.figures).toMatchObject({
      referrals: direct.referrals,
      made: direct.made,
      received: 0,
      responded: direct.responded,
      overdue_now: direct.overdue_now,
    });
    expect(direct.ids).toEqual([referrals.R1]);
    // Sam sees R1 and R4 as their seeker, but has no organisation to report on
    const s = await report(sam, wide());
    expect(s.figures.referrals).toBe(0);
    expect(s.weekly.every((w) => w.new === 0 && w.closed === 0)).toBe(true);
    expect(await rows(sam, wide())).toEqual([]);
  });

  it('counts the program’s first answer as the first response (not the referrer, her team or the seeker) and keeps the last status change', async () => {
    const henry = await signIn(users.henry.email);
    const times = async (id: string) =>
      (
        await sql<{ status_changed_at: Date | null; responded_at: Date | null; last_event: Date | null }>(
          `select status_changed_at, responded_at,
                  (select max(created_at) from public.referral_events e
                    where e.referral_id = r.id and e.event_type = 'status_changed') as last_event
           from public.referrals r where id = $1`,
          [id],
        )
      )[0]!;
    const near = (a: Date | null, b: Date | null) => Math.abs(a!.getTime() - b!.getTime()) < 1000;
    // R1 (Helen's, to Harbor) is six days old, unanswered: overdue in Clara's report and Helen's
    const before = await report(clara, wide());
    expect(
      (await directCount(clara, users.clara.id, { ...wide(), programs: [programs.harbor], sharing: [programs.harbor] }))
        .overdue_ids,
    ).toContain(referrals.R1);
    const helenBefore = (await report(helen, wide())).figures;
    expect(helenBefore).toMatchObject({ overdue_now: 1, responded: 0 });
    // the seeker Sam says how it went: an outcome, not a response
    expect(await times(referrals.R1)).toMatchObject({ status_changed_at: null, responded_at: null });
    const byRef = await sam.from('referrals').update({ status: 'got_help' }).eq('id', referrals.R1).select('id');
    expect(byRef.data).toHaveLength(1);
    let t = await times(referrals.R1);
    expect(near(t.status_changed_at, t.last_event)).toBe(true);
    expect(t.responded_at).toBeNull();
    // Helen, its referrer, changes it: still no response
    await helen.from('referrals').update({ status: 'pending' }).eq('id', referrals.R1).throwOnError();
    t = await times(referrals.R1);
    expect(near(t.status_changed_at, t.last_event)).toBe(true);
    expect(t.responded_at).toBeNull();
    // Henry, her colleague (Eastside shares), changes it: his site is not the program, no response either
    // (the reports' own first response once counted him)
    await henry.from('referrals').update({ status: 'needs_client_action' }).eq('id', referrals.R1).throwOnError();
    t = await times(referrals.R1);
    expect(near(t.status_changed_at, t.last_event)).toBe(true);
    expect(t.responded_at).toBeNull();
    expect((await report(helen, wide())).figures).toMatchObject({ overdue_now: 1, responded: 0 });
    // Clara, Harbor's claimer, answers: the first response, and R1 is no longer overdue
    await clara.from('referrals').update({ status: 'eligible' }).eq('id', referrals.R1).throwOnError();
    t = await times(referrals.R1);
    expect(near(t.responded_at, t.last_event)).toBe(true);
    const first = t.responded_at!;
    // a later change moves the last change, never the first response
    await clara.from('referrals').update({ status: 'got_help' }).eq('id', referrals.R1).throwOnError();
    t = await times(referrals.R1);
    expect(t.responded_at).toEqual(first);
    expect(near(t.status_changed_at, t.last_event)).toBe(true);
    // nobody writes them by hand, and the column the reports once kept is gone
    for (const column of ['responded_at', 'status_changed_at']) {
      const forged = await clara
        .from('referrals')
        .update({ [column]: null } as never)
        .eq('id', referrals.R1);
      expect(forged.error).toMatchObject({ code: '42501' });
    }
    const gone = await clara
      .from('referrals')
      .select('first_response_at' as never)
      .eq('id', referrals.R1);
    expect(gone.error).toMatchObject({ code: '42703' });
    const r = await report(clara, wide());
    expect(r.figures).toMatchObject({
      referrals: 2,
      responded: 1,
      with_outcome: 1,
      got_help: 1,
      overdue_now: before.figures.overdue_now - 1,
    });
    // made six days ago, answered now
    expect(r.response_times.find((b) => b.bucket === '3_to_7_days')).toEqual({ bucket: '3_to_7_days', count: 1 });
    expect(r.figures.response_median_seconds).toBeGreaterThan(6 * day - 60);
    expect((await report(helen, wide())).figures).toMatchObject({ overdue_now: 0, responded: 1 });
    await henry.auth.signOut();
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
 *  changes as [hours after creation, actor, actor's organisation, to status],
 *  the reason recorded for the status, if any].
 */
type Change = [hours: number, actor: string, org: string | null, to: string];
type Made = [string, string, string, { site?: string; program?: string }, string, string, Change[], string?];
const HARBOR = 'Harbor Food Pantry';
const PANTRY = 'Report Test Pantry';
const EAST = 'Eastside Community Clinic';
const WEST = 'Westside Family Center';
/** Who answers for each program (its claimers): their first status change is the first response. */
const CLAIMERS: Record<string, string[]> = {
  [TEST_PROGRAM]: [users.clara.id, users.cody.id],
  [programs.harbor]: [users.clara.id, users.cody.id],
  [programs.safeHaven]: [users.carl.id],
};
const world: Made[] = [
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
    'income',
  ],
  // never answered; Sunday evening in Chicago, Monday in UTC
  ['C', '2026-01-12T03:00:00Z', TEST_PROGRAM, { site: sites.eastside }, users.helen.id, 'not_updated', []],
  // the referrer's colleague Henry closed it after 5 days, with no reason (as
  // before reasons were recorded): an outcome, not a response (not the program)
  [
    'D',
    '2026-01-14T12:00:00Z',
    TEST_PROGRAM,
    { site: sites.eastside },
    users.helen.id,
    'couldnt_contact',
    [[120, users.henry.id, EAST, 'couldnt_contact']],
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
    'waitlist_full',
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
    'waitlist_full',
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

/**
 * The last 30 days (times from now, so that "overdue now" has a known
 * answer): P1-P16 made by Helen to the test program, with reasons; P17 made
 * by Wendy to Safe Haven, which Clara never counts.
 */
const NOW = Date.now();
const ago = (days: number) => new Date(NOW - days * 86400_000).toISOString();
const recent = (
  n: number,
  daysAgo: number,
  status: string,
  reason?: string,
  change: [hours: number, actor: string, org: string | null] = [24, users.clara.id, PANTRY],
): Made => [
  `P${n}`,
  ago(daysAgo),
  TEST_PROGRAM,
  { site: sites.eastside },
  users.helen.id,
  status,
  status === 'not_updated' ? [] : [[...change, status]],
  reason,
];
const bySeeker: [number, string, null] = [2, users.sam.id, null];
world.push(
  recent(1, 20, 'not_eligible', 'income'),
  recent(2, 19, 'not_eligible', 'income'),
  recent(3, 18, 'not_eligible', 'age'),
  recent(4, 17, 'no_capacity', 'waitlist_full'),
  recent(5, 16, 'no_capacity', 'waitlist_full'),
  recent(6, 15, 'no_capacity', 'waitlist_full'),
  recent(7, 14, 'couldnt_contact'), // no reason recorded
  recent(8, 13, 'couldnt_contact', 'no_answer'),
  recent(9, 12, 'couldnt_get_help', 'transport'),
  recent(10, 11, 'no_longer_interested', 'moved'),
  recent(11, 11, 'referred_elsewhere', 'better_fit'), // not an outcome: not a negative reason
  recent(12, 10, 'got_help'),
  recent(13, 10, 'not_updated'), // never answered, long past due: overdue
  recent(14, 1 / 24, 'not_updated'), // made an hour ago: not due yet
  recent(15, 9, 'pending', undefined, [120, users.cody.id, PANTRY]), // answered late, after its due time: not overdue
  recent(16, 8, 'couldnt_contact', undefined, bySeeker), // closed by the seeker, never answered: overdue
  [
    'P17',
    ago(7),
    programs.safeHaven,
    { site: sites.westside },
    users.wendy.id,
    'no_capacity',
    [[2, users.wendy.id, WEST, 'no_capacity']],
    'paused',
  ],
);
const RECENT = { from: ago(30), to: new Date(NOW + 60_000).toISOString() };

const genId = (name: string) =>
  name.startsWith('P')
    ? `50000000-0000-4000-8000-0000000003${Number(name.slice(1)).toString(16).padStart(2, '0')}`
    : `50000000-0000-4000-8000-0000000001${name.charCodeAt(0).toString(16).padStart(2, '0')}`;

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
    for (const [name, created, program, from, by, status, changes, reason] of world) {
      const id = genId(name);
      const at = (hours: number) => new Date(Date.parse(created) + hours * 3600_000).toISOString();
      // what the triggers keep: the last status change, the first by a claimer of the program (its
      // answer), and the due time (the program's default target: 2 business days in Chicago)
      const last = changes.at(-1);
      const response = changes.find(([, actor]) => CLAIMERS[program]!.includes(actor));
      const lit = (v: string | null | undefined) => (v ? `'${v}'` : 'null');
      statements.push(
        `insert into public.referrals (id, seeker_id, program_id, referred_by, from_site_id, from_program_id, status,
                                       created_at, updated_at, status_changed_at, responded_at, response_due_at,
                                       status_reason)
         values ('${id}', '${seekers.sam}', '${program}', '${by}', ${lit(from.site)}, ${lit(from.program)}, '${status}',
                 '${created}', '${created}', ${lit(last && at(last[0]))}, ${lit(response && at(response[0]))},
                 private.add_business_days('${created}', 2, 'America/Chicago'), ${lit(reason)})`,
        `insert into public.referral_events (referral_id, seeker_id, event_type, actor_id, actor_display_name, to_status, created_at)
         values ('${id}', '${seekers.sam}', 'created', '${by}', 'Someone S.', 'not_updated', '${created}')`,
      );
      let prev = 'not_updated';
      for (const [hours, actor, org, to] of changes) {
        statements.push(
          `insert into public.referral_events (referral_id, seeker_id, event_type, actor_id, actor_display_name,
                                              actor_organization, from_status, to_status, status_reason, created_at)
           values ('${id}', '${seekers.sam}', 'status_changed', '${actor}', 'Someone S.', ${lit(org)},
                   '${prev}', '${to}', ${lit(to === status ? reason : null)}, '${at(hours)}')`,
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
      // answered by their program: A 12h, J 1d, B 2d, I 8d, E 10d (D by the referrer's colleague Henry,
      // F by the seeker: not the program, so not responses)
      responded: 5,
      response_median_seconds: 2 * day,
      response_p90_seconds: 8 * day + 0.6 * 2 * day, // 3.6th of 5 sorted: 8d + 0.6 × (10d − 8d)
      outcome_median_seconds: (3 * day + 5 * day) / 2, // F 1h, B 2d, A 3d, D 5d, I 8d, E 10d
      outcome_p90_seconds: (8 * day + 10 * day) / 2,
      overdue_now: 3, // C, D and F: never answered by the program, due in January (A B E I J answered, I late)
    });
    // the direct count over the rows Clara can list agrees
    const direct = await directCount(clara, users.clara.id, {
      from: FROM,
      to: TO,
      programs: [TEST_PROGRAM],
      sharing: [],
    });
    expect(direct.overdue_ids).toEqual(['C', 'D', 'F'].map(genId).sort());
    expect(r.figures).toMatchObject({ responded: direct.responded, overdue_now: direct.overdue_now });
    expect(r.negative_reasons).toEqual(direct.negative_reasons);
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
    // F and I ran out of room on the waiting list, B's income was above the limit; D has no
    // reason recorded (older data) and counts under its status
    expect(r.negative_reasons).toEqual([
      { status: 'no_capacity', reason: 'waitlist_full', count: 2 },
      { status: 'couldnt_contact', reason: null, count: 1 },
      { status: 'not_eligible', reason: 'income', count: 1 },
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
      overdue: false,
      seeker_name: 'Sam Seeker',
    });
    expect(new Date(a.responded_at!).toISOString()).toBe('2026-01-05T22:00:00.000Z');
    // made Monday 04:00 in Chicago, due two business days later at the same local time
    expect(new Date(a.response_due_at).toISOString()).toBe('2026-01-07T10:00:00.000Z');
    const byName = (n: string) => list.find((x) => x.id === genId(n))!;
    expect(byName('B')).toMatchObject({ reason: 'income', overdue: false });
    expect(byName('D')).toMatchObject({ reason: null, responded_at: null, overdue: true });
    expect(byName('F')).toMatchObject({ reason: 'waitlist_full', responded_at: null, overdue: true });
    expect(list.filter((x) => x.overdue).map((x) => x.id)).toEqual(['C', 'D', 'F'].map(genId));
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

  it('the last 30 days: the top five reasons and overdue now, by hand, and never Safe Haven’s', async () => {
    // Safe Haven's id is ignored for Clara: only the test program's P1-P16 count
    const r = await report(clara, { ...RECENT, sites: [], programs: [TEST_PROGRAM, programs.safeHaven] });
    expect(r.figures).toMatchObject({
      referrals: 16,
      received: 16,
      made: 0,
      responded: 13, // all but P13 and P14 (never changed) and P16 (closed by the seeker)
      overdue_now: 2, // P13 and P16; P14 is not due yet, P15 was answered (late)
    });
    expect(r.negative_reasons).toEqual([
      { status: 'no_capacity', reason: 'waitlist_full', count: 3 }, // P4 P5 P6
      { status: 'couldnt_contact', reason: null, count: 2 }, // P7 P16: no reason recorded
      { status: 'not_eligible', reason: 'income', count: 2 }, // P1 P2
      { status: 'couldnt_contact', reason: 'no_answer', count: 1 }, // P8
      { status: 'couldnt_get_help', reason: 'transport', count: 1 }, // P9
      // sixth and seventh, left out: no_longer_interested/moved (P10), not_eligible/age (P3);
      // P11's "referred elsewhere" is not a negative outcome
    ]);
    const direct = await directCount(clara, users.clara.id, { ...RECENT, programs: [TEST_PROGRAM], sharing: [] });
    expect(direct.ids).toHaveLength(16);
    expect(direct.ids).not.toContain(genId('P17'));
    expect(r.figures).toMatchObject({ responded: direct.responded, overdue_now: direct.overdue_now });
    expect(r.negative_reasons).toEqual(direct.negative_reasons);
    expect(direct.overdue_ids).toEqual(['P13', 'P16'].map(genId).sort());
    const list = await rows(clara, { ...RECENT, sites: [], programs: [TEST_PROGRAM, programs.safeHaven] });
    expect(list.map((x) => x.id)).not.toContain(genId('P17'));
    expect(list.filter((x) => x.overdue).map((x) => x.id)).toEqual(['P13', 'P16'].map(genId));
    expect(list.find((x) => x.id === genId('P10'))).toMatchObject({ status: 'no_longer_interested', reason: 'moved' });
    // all of Clara's organisations: the test program's and Harbor's (the seeded R1 and R3), still not P17
    const all = await report(clara, RECENT);
    expect(all.negative_reasons.some((x) => x.reason === 'paused')).toBe(false);
    const allDirect = await directCount(clara, users.clara.id, {
      ...RECENT,
      programs: [TEST_PROGRAM, programs.harbor],
      sharing: [programs.harbor],
    });
    expect(all.figures).toMatchObject({ referrals: allDirect.referrals, overdue_now: allDirect.overdue_now });
    expect(allDirect.overdue_ids).toEqual(expect.arrayContaining([genId('P13'), genId('P16'), referrals.R1]));

    // Carl (Safe Haven) counts P17, overdue with its reason; he cannot ask for the test program
    const carl = await signIn(users.carl.email);
    const c = await report(carl, RECENT);
    expect(c.figures).toMatchObject({ referrals: 3, received: 2, made: 1, overdue_now: 1 }); // P17 and R2 received, R4 made
    expect(c.negative_reasons).toEqual([{ status: 'no_capacity', reason: 'paused', count: 1 }]);
    const cDirect = await directCount(carl, users.carl.id, { ...RECENT, programs: [programs.safeHaven], sharing: [] });
    expect(cDirect.overdue_ids).toEqual([genId('P17')]);
    const asked = await report(carl, { ...RECENT, sites: [], programs: [TEST_PROGRAM] });
    expect(asked.figures).toMatchObject({ referrals: 0, overdue_now: 0 });
    expect(asked.negative_reasons).toEqual([]);
    await carl.auth.signOut();
  });
});
