/**
 * Who sees what (docs/product.md rules 1-5), through the API as each seeded
 * person: for every persona and every table, the exact rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonClient, closeDb, resetDb, signIn, sql, type Client } from '../support/stack.ts';
import { goals, nameOf, notes, personas, programs, referrals, seekers, sites, users, type Persona } from './world.ts';

const userName = (id: string) => nameOf(Object.fromEntries(Object.entries(users).map(([k, v]) => [k, v.id])), id);

// The seeded history, as "<referral>:<event>" (see supabase/seed.sql).
const R1_EVENTS = ['R1:created', 'R1:goal_added', 'R1:note_added'];
const R2_EVENTS = ['R2:created', 'R2:status_changed', 'R2:note_added'];
const R3_EVENTS = ['R3:created'];
const R4_EVENTS = ['R4:created', 'R4:status_changed', 'R4:goal_added', 'R4:note_added'];

interface Expected {
  referrals: string[];
  seekers: string[];
  notes: string[];
  events: string[];
  goals: string[];
  profiles: Persona[];
  site_members: string[];
  program_members: string[];
}

const expected: Record<Persona, Expected> = {
  // rule 1 (her own) ; Eastside shares, so Henry sees it too (rule 2)
  helen: {
    referrals: ['R1'],
    seekers: ['sam'],
    notes: ['onR1ByHelen'],
    events: R1_EVENTS,
    goals: ['samFood', 'samWork'],
    profiles: ['helen', 'henry'],
    site_members: ['eastside:helen', 'eastside:henry'],
    program_members: [],
  },
  henry: {
    referrals: ['R1'],
    seekers: ['sam'],
    notes: ['onR1ByHelen'],
    events: R1_EVENTS,
    goals: ['samFood', 'samWork'],
    profiles: ['helen', 'henry'],
    site_members: ['eastside:helen', 'eastside:henry'],
    program_members: [],
  },
  wendy: {
    referrals: ['R2'],
    seekers: ['rita'],
    notes: ['onR2ByCarl'],
    events: R2_EVENTS,
    goals: [],
    profiles: ['dana', 'walter', 'wendy'],
    site_members: ['westside:dana', 'westside:walter', 'westside:wendy'],
    program_members: [],
  },
  // Westside does not share: Walter sees nothing of Wendy's work (rule 5)
  walter: {
    referrals: [],
    seekers: [],
    notes: [],
    events: [],
    goals: [],
    profiles: ['dana', 'walter', 'wendy'],
    site_members: ['westside:dana', 'westside:walter', 'westside:wendy'],
    program_members: [],
  },
  // R1 inbound (rule 3), R3 her own
  clara: {
    referrals: ['R1', 'R3'],
    seekers: ['omar', 'sam'],
    notes: ['onR1ByHelen'],
    events: [...R1_EVENTS, ...R3_EVENTS],
    goals: ['samFood', 'samWork'],
    profiles: ['clara', 'cody'],
    site_members: [],
    program_members: ['harbor:clara', 'harbor:cody'],
  },
  // R1 inbound, R3 through Harbor's outbound sharing
  cody: {
    referrals: ['R1', 'R3'],
    seekers: ['omar', 'sam'],
    notes: ['onR1ByHelen'],
    events: [...R1_EVENTS, ...R3_EVENTS],
    goals: ['samFood', 'samWork'],
    profiles: ['clara', 'cody'],
    site_members: [],
    program_members: ['harbor:clara', 'harbor:cody'],
  },
  // R2 inbound, R4 his own
  carl: {
    referrals: ['R2', 'R4'],
    seekers: ['rita', 'sam'],
    notes: ['onR2ByCarl', 'onR4ByDana'],
    events: [...R2_EVENTS, ...R4_EVENTS],
    goals: ['samFood', 'samWork'],
    profiles: ['carl'],
    site_members: [],
    program_members: ['safeHaven:carl'],
  },
  // R3 and R4 inbound at Bright Futures; her Westside membership shows her nothing (no sharing)
  dana: {
    referrals: ['R3', 'R4'],
    seekers: ['omar', 'sam'],
    notes: ['onR4ByDana'],
    events: [...R3_EVENTS, ...R4_EVENTS],
    goals: ['samFood', 'samWork'],
    profiles: ['dana', 'walter', 'wendy'],
    site_members: ['westside:dana', 'westside:walter', 'westside:wendy'],
    program_members: ['brightFutures:dana'],
  },
  // rule 4: his own referrals and history, never staff notes
  sam: {
    referrals: ['R1', 'R4'],
    seekers: ['sam'],
    notes: [],
    events: ['R1:created', 'R1:goal_added', 'R4:created', 'R4:status_changed', 'R4:goal_added'],
    goals: ['samFood', 'samWork'],
    profiles: ['sam'],
    site_members: [],
    program_members: [],
  },
};

const sorted = (xs: string[]) => [...xs].sort();

async function rows<T>(p: PromiseLike<{ data: T[] | null; error: unknown }>): Promise<T[]> {
  const { data, error } = await p;
  if (error) throw new Error(JSON.stringify(error));
  return data ?? [];
}

describe('visibility matrix: every persona × every table', () => {
  const clients = {} as Record<Persona, Client>;

  beforeAll(async () => {
    await resetDb();
    for (const p of personas) clients[p] = await signIn(users[p].email);
  });
  afterAll(closeDb);

  describe.each(personas)('%s', (persona) => {
    const exp = expected[persona];
    const c = () => clients[persona];

    it('referrals', async () => {
      const got = await rows(c().from('referrals').select('id'));
      expect(sorted(got.map((r) => nameOf(referrals, r.id)))).toEqual(sorted(exp.referrals));
    });

    it('seekers', async () => {
      const got = await rows(c().from('seekers').select('id'));
      expect(sorted(got.map((r) => nameOf(seekers, r.id)))).toEqual(sorted(exp.seekers));
    });

    it('referral_notes', async () => {
      const got = await rows(c().from('referral_notes').select('id'));
      expect(sorted(got.map((r) => nameOf(notes, r.id)))).toEqual(sorted(exp.notes));
    });

    it('referral_events', async () => {
      const got = await rows(c().from('referral_events').select('referral_id, event_type'));
      expect(sorted(got.map((r) => `${nameOf(referrals, r.referral_id)}:${r.event_type}`))).toEqual(sorted(exp.events));
    });

    it('goals', async () => {
      const got = await rows(c().from('goals').select('id'));
      expect(sorted(got.map((r) => nameOf(goals, r.id)))).toEqual(sorted(exp.goals));
    });

    it('profiles', async () => {
      const got = await rows(c().from('profiles').select('id'));
      expect(sorted(got.map((r) => userName(r.id)))).toEqual(sorted(exp.profiles));
    });

    it('site_members and program_members', async () => {
      const sm = await rows(c().from('site_members').select('site_id, user_id'));
      expect(sorted(sm.map((r) => `${nameOf(sites, r.site_id)}:${userName(r.user_id)}`))).toEqual(
        sorted(exp.site_members),
      );
      const pm = await rows(c().from('program_members').select('program_id, user_id'));
      expect(sorted(pm.map((r) => `${nameOf(programs, r.program_id)}:${userName(r.user_id)}`))).toEqual(
        sorted(exp.program_members),
      );
    });

    it('sites and the program directory (organisations, not personal data)', async () => {
      const s = await rows(c().from('sites').select('id'));
      expect(sorted(s.map((r) => nameOf(sites, r.id)))).toEqual(['eastside', 'westside']);
      const p = await rows(c().from('programs').select('id'));
      expect(sorted(p.map((r) => nameOf(programs, r.id)))).toEqual(['brightFutures', 'harbor', 'safeHaven']);
    });
  });

  describe('outbound_referrals (My referrals): what I or my sharing team made', () => {
    const outbound: Record<Persona, string[]> = {
      helen: ['R1'],
      henry: ['R1'], // Eastside shares
      wendy: ['R2'],
      walter: [], // Westside does not
      clara: ['R3'],
      cody: ['R3'], // Harbor shares what it sends; R1 is inbound, not outbound
      carl: ['R4'],
      dana: [],
      sam: [],
    };
    it.each(personas)('%s', async (persona) => {
      const got = await rows(clients[persona].rpc('outbound_referrals', {}).select('id'));
      expect(sorted(got.map((r) => nameOf(referrals, r.id)))).toEqual(sorted(outbound[persona]));
    });

    it('pages newest first', async () => {
      const all = await rows(clients.cody.rpc('outbound_referrals', { max_results: 200 }).select('id, created_at'));
      const page = await rows(clients.cody.rpc('outbound_referrals', { max_results: 1, skip: 0 }).select('id'));
      expect(page.map((r) => r.id)).toEqual(all.slice(0, 1).map((r) => r.id));
      const times = all.map((r) => Date.parse(r.created_at));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    });
  });

  describe('anonymous visitors', () => {
    const personal = [
      'profiles',
      'seekers',
      'referrals',
      'referral_notes',
      'referral_events',
      'goals',
      'site_members',
      'program_members',
      'sites',
      'programs',
    ] as const;

    it.each(personal)('get nothing from %s', async (table) => {
      const { data, error } = await anonClient().from(table).select('*');
      // refused outright (no grant), never an empty success that could later leak
      expect(data).toBeNull();
      expect(error?.code).toBe('42501');
    });

    it('cannot search the program directory or list referrals through functions', async () => {
      const { error } = await anonClient().rpc('search_programs', { zip: '78702' });
      expect(error?.code).toBe('42501');
      const outbound = await anonClient().rpc('outbound_referrals', {});
      expect(outbound.error?.code).toBe('42501');
      const people = await anonClient().rpc('search_people', { query: 'sam' });
      expect(people.error?.code).toBe('42501');
    });

    it('may read ZIP centroids (public reference data)', async () => {
      const { data, error } = await anonClient().from('zip_centroids').select('zip').eq('zip', '78702');
      expect(error).toBeNull();
      expect(data).toEqual([{ zip: '78702' }]);
    });
  });
});

describe('search_people (People I’m Helping)', () => {
  const clients = {} as Record<Persona, Client>;
  beforeAll(async () => {
    await resetDb();
    for (const p of ['helen', 'henry', 'clara', 'walter', 'sam', 'carl'] as const)
      clients[p] = await signIn(users[p].email);
  });
  afterAll(closeDb);

  const search = async (p: Persona, query?: string, extra: Record<string, number | string> = {}) => {
    const { data, error } = await clients[p].rpc('search_people', { query, ...extra });
    if (error) throw new Error(JSON.stringify(error));
    return data!;
  };

  it('lists exactly the seekers the caller can see, in name order, with the total', async () => {
    expect((await search('clara')).map((s) => [s.first_name, s.total_count])).toEqual([
      ['Omar', 2],
      ['Sam', 2],
    ]);
    expect((await search('carl')).map((s) => s.first_name)).toEqual(['Rita', 'Sam']);
    expect(await search('walter')).toEqual([]);
    expect((await search('sam')).map((s) => s.first_name)).toEqual(['Sam']);
  });

  it('matches name, email or phone fragments, case-insensitively, every word', async () => {
    expect((await search('clara', 'ORT')).map((s) => s.last_name)).toEqual(['Ortiz']);
    expect((await search('clara', 'seeker.example')).map((s) => s.first_name)).toEqual(['Sam']);
    expect((await search('clara', '555-0177')).map((s) => s.first_name)).toEqual(['Omar']);
    expect((await search('clara', 'sam seeker')).map((s) => s.first_name)).toEqual(['Sam']);
    expect(await search('clara', 'sam ortiz')).toEqual([]);
    // wildcards are text, not patterns
    expect(await search('clara', '%')).toEqual([]);
  });

  it('never finds a seeker the caller cannot see', async () => {
    expect(await search('helen', 'rita')).toEqual([]);
    expect(await search('walter', 'rita')).toEqual([]);
  });

  it('pages', async () => {
    const page2 = await search('clara', '', { max_results: 1, skip: 1 });
    expect(page2.map((s) => [s.first_name, s.total_count])).toEqual([['Sam', 2]]);
  });

  it('sorts by name, newest or recently updated, and refuses an unknown sort', async () => {
    const order = async (sort: string) =>
      (await search('clara', '', { sort })).map((s) => [s.first_name, s.total_count]);
    expect(await order('name')).toEqual([
      ['Omar', 2],
      ['Sam', 2],
    ]);
    await sql(`update public.seekers set created_at = now() - interval '1 year' where id = $1`, [seekers.omar]);
    await sql(`update public.seekers set phone = '(512) 555-0199' where id = $1`, [seekers.omar]);
    try {
      expect((await order('newest')).map(([n]) => n)).toEqual(['Sam', 'Omar']);
      expect((await order('recently_updated')).map(([n]) => n)).toEqual(['Omar', 'Sam']);
    } finally {
      await resetDb();
    }
    const { error } = await clients.clara.rpc('search_people', { query: '', sort: 'shoe size' });
    expect(error?.code).toBe('22023');
    expect(error?.message).toMatch(/Unknown sort/);
  });

  it('counts up to 2,000 matches; beyond, walks the list in order, leaves the total empty and stops after the page', async () => {
    try {
      await sql(
        `insert into public.seekers (first_name, last_name, email, created_by, created_from_site_id)
         select 'Many', 'Person ' || lpad(i::text, 5, '0'), 'many' || i || '@crowd.example', $1, $2
         from generate_series(1, 6000) i`,
        [users.helen.id, sites.eastside],
      );
      await sql('analyze private.seeker_search');
      const policyOrder = async (from: number, to: number) => {
        const { data, error } = await clients.henry
          .from('seekers')
          .select('id')
          .order('last_name')
          .order('first_name')
          .order('id')
          .range(from, to);
        expect(error).toBeNull();
        return data!.map((s) => s.id);
      };
      const first = await search('henry', '', { max_results: 21 });
      expect(first.map((s) => s.id)).toEqual(await policyOrder(0, 20));
      expect(first.every((s) => s.total_count === null)).toBe(true);
      const third = await search('henry', '', { max_results: 20, skip: 40 });
      expect(third.map((s) => s.id)).toEqual(await policyOrder(40, 59));
      // Helen reaches each of them twice (she added them, from her sharing site): listed once
      const { data: helenOrder, error: helenError } = await clients.helen
        .from('seekers')
        .select('id')
        .order('last_name')
        .order('first_name')
        .order('id')
        .range(0, 20);
      expect(helenError).toBeNull();
      expect((await search('helen', '', { max_results: 21 })).map((s) => s.id)).toEqual(helenOrder!.map((s) => s.id));
      // the walk follows a new name, a person gone and a referral that reaches someone new at once
      await sql(`update public.seekers set last_name = 'Aardvark' where email = 'many5999@crowd.example'`);
      await sql(`delete from public.seekers where email = 'many1@crowd.example'`);
      const walked = await search('henry', '', { max_results: 21 });
      expect(walked.map((s) => s.id)).toEqual(await policyOrder(0, 20));
      expect(walked[0]!.last_name).toBe('Aardvark');
      expect(walked.map((s) => s.email)).not.toContain('many1@crowd.example');
      const reachedBySafeHaven = async () =>
        (
          await sql<{ n: number }>(
            `select count(*)::int as n from private.seeker_reach x join public.seekers s on s.id = x.seeker_id
              where x.arm = 'received' and x.key = $1 and s.email = 'many2@crowd.example'`,
            [programs.safeHaven],
          )
        )[0]!.n;
      expect(await reachedBySafeHaven()).toBe(0);
      await sql(
        `insert into public.referrals (seeker_id, program_id, referred_by, from_site_id, comment)
         select id, $1, $2, $3, 'Needs food' from public.seekers where email = 'many2@crowd.example'`,
        [programs.safeHaven, users.helen.id, sites.eastside],
      );
      expect(await reachedBySafeHaven()).toBe(1);
      // a word among thousands: the page in order from the index of pieces, the total empty past 2,000
      const { data: manyOrder, error: manyError } = await clients.henry
        .from('seekers')
        .select('id')
        .like('search_text', '%many%')
        .order('last_name')
        .order('first_name')
        .order('id')
        .range(20, 40);
      expect(manyError).toBeNull();
      const many = await search('henry', 'Many', { max_results: 21, skip: 20 });
      expect(many.map((s) => s.id)).toEqual(manyOrder!.map((s) => s.id));
      expect(many.every((s) => s.total_count === null)).toBe(true);
      // a few among the many are still counted exactly
      expect((await search('henry', 'person 04321')).map((s) => [s.last_name, s.total_count])).toEqual([
        ['Person 04321', 1],
      ]);
      expect((await search('henry', 'sam')).map((s) => [s.first_name, s.total_count])).toEqual([['Sam', 1]]);
      // and a caller who reaches few people sees exact totals as before
      expect((await search('clara', '')).map((s) => s.total_count)).toEqual([2, 2]);
    } finally {
      await resetDb();
    }
  });

  it('keeps no row per reaching id for a person who is gone, after a TRUNCATE too', async () => {
    await sql(
      `insert into public.seekers (first_name, last_name, email, created_by, created_from_site_id)
       select 'Gone', 'Soon ' || i, 'gone' || i || '@crowd.example', $1, $2 from generate_series(1, 50) i`,
      [users.helen.id, sites.eastside],
    );
    const stale = async () =>
      (
        await sql<{ n: number }>(
          `select (select count(*) from private.seeker_reach x
                    where not exists (select 1 from public.seekers s where s.id = x.seeker_id))::int
                + abs((select count(*) from private.seeker_reach)
                      - (select coalesce(sum(cardinality(reach_received) + cardinality(reach_own)), 0)
                         from private.seeker_search))::int as n`,
        )
      )[0]!.n;
    expect(await stale()).toBe(0);
    await resetDb(); // empties public.seekers with TRUNCATE … CASCADE
    expect(await stale()).toBe(0);
    expect((await search('helen', 'gone')).length).toBe(0);
  });

  it('rebuilds the rows per reaching id, the same, when run by hand, and keeps them after', async () => {
    const rows = () =>
      sql<{ arm: string; key: string; seeker_id: string; last_name: string }>(
        'select arm, key, seeker_id, last_name from private.seeker_reach order by arm, key, seeker_id',
      );
    const before = await rows();
    expect(before.length).toBeGreaterThan(0);
    // as an operator runs it, every trigger on (the scale seeder runs it with triggers off)
    await sql('select private.rebuild_seeker_search()');
    expect(await rows()).toEqual(before);
    // its triggers are on again: someone added now has their rows at once, and loses them when gone
    const [added] = await sql<{ id: string }>(
      `insert into public.seekers (first_name, last_name, email, created_by, created_from_site_id)
       values ('Rebuilt', 'After', 'rebuilt@crowd.example', $1, $2) returning id`,
      [users.helen.id, sites.eastside],
    );
    try {
      const theirs = async () =>
        (await rows()).filter((r) => r.seeker_id === added!.id).map((r) => [r.arm, r.key]);
      expect(await theirs()).toEqual(
        expect.arrayContaining([
          ['sent', users.helen.id],
          ['sent', sites.eastside],
        ]),
      );
      await sql('delete from public.seekers where id = $1', [added!.id]);
      expect(await theirs()).toEqual([]);
    } finally {
      await sql('delete from public.seekers where id = $1', [added!.id]);
    }
  });

  it('follows team sharing at once', async () => {
    const henrySees = async () => (await search('henry', '')).map((s) => s.first_name);
    const before = await henrySees();
    expect(before).toContain('Sam');
    await sql('update public.sites set team_sharing = false where id = $1', [sites.eastside]);
    try {
      expect(await henrySees()).not.toContain('Sam');
      expect((await search('helen', 'sam')).map((s) => s.first_name)).toEqual(['Sam']); // still the referrer
    } finally {
      await sql('update public.sites set team_sharing = true where id = $1', [sites.eastside]);
    }
    expect(await henrySees()).toEqual(before);
  });

  it('finds a person as soon as a referral reaches the caller, and by their new name at once', async () => {
    try {
      expect(await search('carl', 'omar')).toEqual([]);
      await sql(
        `insert into public.referrals (seeker_id, program_id, referred_by, from_site_id, comment)
         values ($1, $2, $3, $4, 'Needs housing')`,
        [seekers.omar, programs.safeHaven, users.helen.id, sites.eastside],
      );
      expect((await search('carl', 'omar')).map((s) => s.first_name)).toEqual(['Omar']);
      await sql(`update public.seekers set last_name = 'Quintero' where id = $1`, [seekers.omar]);
      expect((await search('carl', 'quin')).map((s) => s.last_name)).toEqual(['Quintero']);
      expect(await search('carl', 'ortiz')).toEqual([]);
      expect(await search('walter', 'quin')).toEqual([]);
    } finally {
      await resetDb();
    }
  });
});
