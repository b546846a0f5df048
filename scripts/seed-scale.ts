/**
 * `npm run db:seed:scale -- --referrals N`: adds N referrals to the running
 * local database (STACK_BASE_PORT, default 54321 → Postgres on base+1), with
 * seekers, programs, sites and users in realistic proportion:
 *   - 1 seeker per 5 referrals, 1 program per 100, 1 site per 1,000;
 *     4 workers per site, 2 claimers per program (all sign in with password123);
 *   - program popularity is skewed (a few busy programs, a long quiet tail);
 *   - Harbor Food Pantry receives 2% of the referrals, Safe Haven Housing 0.01%,
 *     Eastside Community Clinic (Helen and Henry) makes 1%;
 *   - statuses spread over all eleven values, dates over the last two years,
 *     each referral with its history (created, and the status change if any);
 *     a status that carries a reason has one of its reasons, except one in
 *     ten (as older data, made before reasons were recorded);
 *   - each due 2 business days after it was made (the programs' default
 *     target), answered two days after it was made unless still Not updated;
 *     none armed for reminders (old news, like the notifications).
 *
 * Set-based SQL in chunks (INSERT … SELECT from generate_series), with a
 * progress bar. Sends no notifications: triggers are off for the session
 * (session_replication_role = replica; history is written here instead) and
 * app.suppress_notifications = 'on' is set as well, the GUC the notification
 * triggers honour.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { dbUrl, portsFrom, DEFAULT_BASE_PORT } from '../stack/config.ts';

const SEEDED = {
  eastsideWorkers: ['10000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000002'],
  eastside: '20000000-0000-4000-8000-000000000001',
  harbor: '30000000-0000-4000-8000-000000000001',
  safeHaven: '30000000-0000-4000-8000-000000000002',
};

const FIRST_NAMES = [
  'Maria',
  'James',
  'Ana',
  'John',
  'Luis',
  'Mary',
  'Carlos',
  'Linda',
  'Jose',
  'Patricia',
  'David',
  'Jennifer',
  'Juan',
  'Elizabeth',
  'Michael',
  'Rosa',
  'Robert',
  'Carmen',
  'William',
  'Susan',
  'Miguel',
  'Jessica',
  'Daniel',
  'Sarah',
  'Jorge',
  'Karen',
  'Thomas',
  'Nancy',
  'Pedro',
  'Lisa',
  'Antonio',
  'Betty',
  'Charles',
  'Margaret',
  'Francisco',
  'Sandra',
  'Joseph',
  'Ashley',
  'Manuel',
  'Kimberly',
  'Christopher',
  'Emily',
  'Ricardo',
  'Donna',
  'Mark',
  'Michelle',
  'Alejandro',
  'Dorothy',
  'Paul',
  'Carol',
  'Fernando',
  'Amanda',
  'Steven',
  'Melissa',
  'Rafael',
  'Deborah',
  'Andrew',
  'Stephanie',
  'Roberto',
  'Rebecca',
  'Kevin',
  'Laura',
  'Eduardo',
  'Sharon',
];
const LAST_NAMES = [
  'Garcia',
  'Smith',
  'Martinez',
  'Johnson',
  'Rodriguez',
  'Williams',
  'Hernandez',
  'Brown',
  'Lopez',
  'Jones',
  'Gonzalez',
  'Miller',
  'Perez',
  'Davis',
  'Sanchez',
  'Wilson',
  'Ramirez',
  'Anderson',
  'Torres',
  'Thomas',
  'Flores',
  'Taylor',
  'Rivera',
  'Moore',
  'Gomez',
  'Jackson',
  'Diaz',
  'Martin',
  'Reyes',
  'Lee',
  'Cruz',
  'Thompson',
  'Morales',
  'White',
  'Ortiz',
  'Harris',
  'Gutierrez',
  'Clark',
  'Chavez',
  'Lewis',
  'Ramos',
  'Robinson',
  'Ruiz',
  'Walker',
  'Alvarez',
  'Young',
  'Mendoza',
  'Allen',
  'Castillo',
  'King',
  'Jimenez',
  'Wright',
  'Moreno',
  'Scott',
  'Romero',
  'Green',
  'Herrera',
  'Baker',
  'Medina',
  'Adams',
  'Aguilar',
  'Nelson',
];
const PROGRAM_WORDS = [
  'Community',
  'Hope',
  'Family',
  'Neighborhood',
  'Harvest',
  'Unity',
  'Riverside',
  'Capital',
  'Sunrise',
  'Bridge',
  'Open Door',
  'Lone Star',
  'Helping Hands',
  'New Start',
  'Cornerstone',
  'Oak Hill',
  'Eastside',
  'Southside',
];
const PROGRAM_KINDS: [string, string][] = [
  ['Food Bank', 'food'],
  ['Pantry', 'food'],
  ['Meals', 'food'],
  ['Housing Services', 'housing'],
  ['Shelter', 'housing'],
  ['Rent Relief', 'money'],
  ['Health Clinic', 'health'],
  ['Dental Care', 'health'],
  ['Job Center', 'work'],
  ['Career Training', 'education'],
  ['Legal Aid', 'legal'],
  ['Childcare', 'care'],
  ['Ride Program', 'transit'],
  ['Clothing Closet', 'goods'],
  ['Tax Help', 'money'],
  ['Senior Services', 'care'],
];

const sqlArray = (xs: string[]) => `array[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',')}]`;

async function main() {
  const { values } = parseArgs({
    options: {
      referrals: { type: 'string', default: '100000' },
      chunk: { type: 'string', default: '25000' },
      'db-url': { type: 'string' },
    },
  });
  const n = Number(values.referrals);
  if (!Number.isInteger(n) || n < 1) throw new Error('--referrals must be a positive integer');
  const chunk = Math.max(1000, Number(values.chunk));
  const base = process.env.STACK_BASE_PORT ? Number(process.env.STACK_BASE_PORT) : DEFAULT_BASE_PORT;
  const url = values['db-url'] ?? dbUrl(portsFrom(base).db);

  const sites = Math.max(2, Math.round(n / 1000));
  const programs = Math.max(3, Math.round(n / 100));
  const seekers = Math.max(1, Math.round(n / 5));
  const workersPerSite = 4;
  const claimersPerProgram = 2;
  const workers = sites * workersPerSite;
  const claimers = programs * claimersPerProgram;
  const run = randomBytes(3).toString('hex');

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = Date.now();
  const bar = new cliProgress.SingleBar(
    { format: ' {bar} {percentage}% | {value}/{total} referrals | {step} | {duration}s', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  console.log(
    `Adding ${n.toLocaleString()} referrals, ${seekers.toLocaleString()} seekers, ${programs.toLocaleString()} programs, ` +
      `${sites.toLocaleString()} sites, ${(workers + claimers).toLocaleString()} users (batch ${run}) to ${url.replace(/:[^:@/]+@/, ':***@')}`,
  );
  bar.start(n, 0, { step: 'organisations and people' });

  try {
    await client.query(`
      set session_replication_role = replica;
      set app.suppress_notifications = 'on';
      set synchronous_commit = off;
      set work_mem = '256MB';
      set maintenance_work_mem = '512MB';
    `);

    // ---- organisations, people and seekers -------------------------------
    await client.query('begin');
    await client.query(`
      create temp table g_sites (idx int primary key, id uuid not null, name text not null) on commit preserve rows;
      create temp table g_programs (idx int primary key, id uuid not null, name text not null) on commit preserve rows;
      create temp table g_users (idx int primary key, id uuid not null, first_name text, last_name text, display_name text)
        on commit preserve rows;
      create temp table g_seekers (idx int primary key, id uuid not null) on commit preserve rows;
      create temp table g_actors (id uuid primary key, display_name text not null) on commit preserve rows;
    `);
    await client.query(
      `insert into g_sites
       select i, gen_random_uuid(),
              (${sqlArray(PROGRAM_WORDS)})[1 + i % ${PROGRAM_WORDS.length}] || ' ' ||
              (array['Health Center','Family Center','School','Library','Hospital','Clinic','Church','Navigation Hub'])[1 + (i / ${PROGRAM_WORDS.length}) % 8]
              || ' #' || i || ' (${run})'
       from generate_series(0, $1::int - 1) i`,
      [sites],
    );
    await client.query(
      `insert into public.sites (id, name, team_sharing, created_at, updated_at)
       select id, name, random() < 0.5, now() - interval '3 years', now() - interval '3 years' from g_sites`,
    );
    await client.query(
      `insert into g_programs
       select i, gen_random_uuid(),
              (${sqlArray(PROGRAM_WORDS)})[1 + i % ${PROGRAM_WORDS.length}] || ' ' ||
              (${sqlArray(PROGRAM_KINDS.map((k) => k[0]))})[1 + (i / ${PROGRAM_WORDS.length}) % ${PROGRAM_KINDS.length}]
              || ' #' || i || ' (${run})'
       from generate_series(0, $1::int - 1) i`,
      [programs],
    );
    // Programs sit in real ZIP codes: half around Austin, half anywhere in the US.
    await client.query(`
      with austin as (select array_agg(zip) z from public.zip_centroids where zip like '787%'),
           anywhere as (select array_agg(zip) z from public.zip_centroids)
      insert into public.programs (id, name, description, address, zip, phone, email, website, service_categories,
                                   team_sharing, latitude, longitude, created_at, updated_at)
      select p.id, p.name,
             'Serving the neighbourhood with ' || lower((${sqlArray(PROGRAM_KINDS.map((k) => k[0]))})[1 + (p.idx / ${PROGRAM_WORDS.length}) % ${PROGRAM_KINDS.length}]) || '.',
             (100 + p.idx % 9000) || ' Main St', zc.zip, '(512) 555-' || lpad((p.idx % 10000)::text, 4, '0'),
             'program' || p.idx || '.${run}@example.org', 'https://program' || p.idx || '.example.org',
             array[(${sqlArray(PROGRAM_KINDS.map((k) => k[1]))})[1 + (p.idx / ${PROGRAM_WORDS.length}) % ${PROGRAM_KINDS.length}]]::public.service_category[],
             random() < 0.3, zc.latitude, zc.longitude, now() - interval '3 years', now() - interval '3 years'
      from g_programs p
      cross join austin cross join anywhere
      join public.zip_centroids zc
        on zc.zip = case when p.idx % 2 = 0 then austin.z[1 + (p.idx * 7919) % cardinality(austin.z)]
                         else anywhere.z[1 + (p.idx * 7919) % cardinality(anywhere.z)] end
    `);

    // Users: workers (site idx = idx / 4), then claimers (program idx = (idx - workers) / 2).
    await client.query(
      `insert into g_users
       select i, gen_random_uuid(), f, l, f || ' ' || left(l, 1) || '.'
       from (
         select i, (${sqlArray(FIRST_NAMES)})[1 + floor(random() * ${FIRST_NAMES.length})::int] f,
                   (${sqlArray(LAST_NAMES)})[1 + floor(random() * ${LAST_NAMES.length})::int] l
         from generate_series(0, $1::int - 1) i
       ) x`,
      [workers + claimers],
    );
    const hash = (await client.query(`select extensions.crypt('password123', extensions.gen_salt('bf')) as h`)).rows[0]
      .h;
    await client.query(
      `insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                               raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
                               confirmation_token, recovery_token, email_change_token_new, email_change,
                               email_change_token_current, phone_change, phone_change_token, reauthentication_token)
       select '00000000-0000-0000-0000-000000000000', id, 'authenticated', 'authenticated',
              'user' || idx || '.${run}@scale.example', $1, now(),
              '{"provider":"email","providers":["email"]}', jsonb_build_object('first_name', first_name, 'last_name', last_name),
              now(), now(), '', '', '', '', '', '', '', ''
       from g_users`,
      [hash],
    );
    await client.query(`
      insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
      select id::text, id, jsonb_build_object('sub', id::text, 'email', 'user' || idx || '.${run}@scale.example', 'email_verified', true),
             'email', now(), now()
      from g_users;
      insert into public.profiles (id, first_name, last_name) select id, first_name, last_name from g_users;
      -- what the registry triggers would have recorded (ids distinct across users, sites, programs)
      insert into private.principal_ids (id, kind)
      select id, 'site' from g_sites union all select id, 'program' from g_programs union all select id, 'user' from g_users;
    `);
    await client.query(
      `insert into public.site_members (site_id, user_id, joined_at)
       select s.id, u.id, now() - interval '2 years' - random() * interval '300 days'
       from g_users u join g_sites s on s.idx = u.idx / ${workersPerSite}
       where u.idx < $1`,
      [workers],
    );
    await client.query(
      `insert into public.program_members (program_id, user_id, joined_at)
       select p.id, u.id, now() - interval '2 years' - random() * interval '300 days'
       from g_users u join g_programs p on p.idx = (u.idx - $1) / ${claimersPerProgram}
       where u.idx >= $1`,
      [workers],
    );
    await client.query('insert into g_actors select id, display_name from g_users');
    await client.query(
      `insert into g_actors
       select p.id, private.display_name(p.first_name, p.last_name) from public.profiles p
       where p.id = any ($1::uuid[])
       on conflict (id) do nothing`,
      [SEEDED.eastsideWorkers],
    );

    // Seekers, each added by a worker of a generated site.
    await client.query(`insert into g_seekers select i, gen_random_uuid() from generate_series(0, $1::int - 1) i`, [
      seekers,
    ]);
    await client.query(
      `with austin as (select array_agg(zip) z from public.zip_centroids where zip like '787%')
       insert into public.seekers (id, first_name, last_name, email, phone, zip, preferred_contact, preferred_language,
                                   created_by, created_from_site_id, created_at, updated_at)
       select s.id, x.f, x.l,
              case when x.r < 0.8 then lower(x.f) || '.' || lower(x.l) || s.idx || '.${run}@example.com' end,
              case when x.r > 0.2 then '(512) 5' || lpad((s.idx % 1000000)::text, 6, '0') end,
              austin.z[1 + (s.idx * 31) % cardinality(austin.z)],
              -- a channel without its address is refused (seekers_contact_has_address): phone instead
              case when (x.r >= 0.8 and s.idx % 7 < 3) or (x.r <= 0.2 and s.idx % 7 in (3, 4)) then 'phone'
                   else (array['email','email','email','text','text','phone','none'])[1 + (s.idx % 7)]
              end::public.contact_preference,
              case when s.idx % 4 = 0 then 'es' else 'en' end::public.language_code,
              u.id, st.id, x.t, x.t
       from g_seekers s
       cross join austin
       cross join lateral (
         select (${sqlArray(FIRST_NAMES)})[1 + floor(random() * ${FIRST_NAMES.length} + s.idx * 0)::int] f,
                (${sqlArray(LAST_NAMES)})[1 + floor(random() * ${LAST_NAMES.length} + s.idx * 0)::int] l,
                random() + s.idx * 0 r,
                now() - interval '2 years' - random() * interval '100 days' + s.idx * interval '0 s' t,
                floor(random() * $1 + s.idx * 0)::int w
       ) x
       join g_users u on u.idx = x.w
       join g_sites st on st.idx = x.w / ${workersPerSite}`,
      [workers],
    );
    await client.query('commit');

    // ---- referrals and their history, in chunks ----------------------------
    bar.update(0, { step: 'referrals' });
    const statuses = [
      ['not_updated', 0],
      ['needs_client_action', 0.3],
      ['pending', 0.35],
      ['referred_elsewhere', 0.5],
      ['eligible', 0.53],
      ['got_help', 0.6],
      ['couldnt_contact', 0.8],
      ['not_eligible', 0.86],
      ['no_capacity', 0.91],
      ['couldnt_get_help', 0.94],
      ['no_longer_interested', 0.97],
    ] as const;
    const statusArray = `array[${statuses.map((s) => `'${s[0]}'`).join(',')}]::public.referral_status[]`;
    const thresholds = `array[${statuses.map((s) => s[1]).join(',')}]::float8[]`;
    const referralSql = `
      with x as (
        select
          floor(random() * ${seekers})::int as seeker_idx,
          random() as rp,
          -- skewed popularity: a few busy programs, a long quiet tail
          floor(${programs} * power(random(), 2))::int as prog_idx,
          random() as rf,
          floor(random() * ${sites})::int as site_idx,
          floor(random() * ${workersPerSite})::int as worker_k,
          floor(random() * ${programs})::int as from_prog_idx,
          floor(random() * ${claimersPerProgram})::int as claimer_k,
          floor(random() * 2)::int as eastside_k,
          random() as rs,
          floor(random() * 10)::int as reason_k,
          now() - random() * interval '730 days' as created_at,
          g as n
        from generate_series(1, $1::int) g
      ),
      rows as (
        select
          gen_random_uuid() as id,
          sk.id as seeker_id,
          case when x.rp < 0.02 then '${SEEDED.harbor}'::uuid
               when x.rp < 0.0201 then '${SEEDED.safeHaven}'::uuid
               else gp.id end as program_id,
          case when x.rf < 0.01 then (array['${SEEDED.eastsideWorkers[0]}', '${SEEDED.eastsideWorkers[1]}']::uuid[])[1 + x.eastside_k]
               when x.rf < 0.8 then wu.id
               else cu.id end as referred_by,
          case when x.rf < 0.01 then '${SEEDED.eastside}'::uuid
               when x.rf < 0.8 then gs.id end as from_site_id,
          case when x.rf >= 0.8 then fp.id end as from_program_id,
          (${statusArray})[width_bucket(x.rs, ${thresholds})] as status,
          x.reason_k,
          x.created_at,
          x.n
        from x
        join g_seekers sk on sk.idx = x.seeker_idx
        join g_programs gp on gp.idx = x.prog_idx
        join g_sites gs on gs.idx = x.site_idx
        join g_users wu on wu.idx = x.site_idx * ${workersPerSite} + x.worker_k
        join g_programs fp on fp.idx = x.from_prog_idx
        join g_users cu on cu.idx = ${workers} + x.from_prog_idx * ${claimersPerProgram} + x.claimer_k
      ),
      -- the reasons a status carries (triggers are off: only codes that exist)
      reason_codes as (
        select status, array_agg(code order by sort, code) as codes
        from public.status_reasons where active group by status
      ),
      ins as (
        insert into public.referrals (id, seeker_id, program_id, referred_by, referred_by_name, from_site_id,
                                      from_program_id, status, comment, version, created_at, updated_at,
                                      response_due_at, responded_at, status_changed_at, status_reason)
        select rows.id, seeker_id, program_id, referred_by, ga.display_name, from_site_id, from_program_id, rows.status,
               (array['Needs help this week.', 'Prefers mornings.', 'Has two children at home.', 'No car; on the bus line.',
                      'Spanish speaker.', 'Follow up after the appointment.', ''])[1 + n % 7],
               case when rows.status = 'not_updated' then 1 else 2 end,
               created_at,
               case when rows.status = 'not_updated' then created_at else created_at + interval '2 days' end,
               -- every program keeps the default target (2 business days, America/Chicago);
               -- a referral that moved on was answered when it did, one still Not updated never was
               private.add_business_days(created_at, 2, 'America/Chicago'),
               case when rows.status <> 'not_updated' then created_at + interval '2 days' end,
               -- as the status change below
               case when rows.status <> 'not_updated' then created_at + interval '2 days' end,
               -- a status that carries a reason has one, but one in ten (older data) has none
               case when rows.reason_k > 0 then rc.codes[1 + rows.n % cardinality(rc.codes)] end
        from rows
        join g_actors ga on ga.id = rows.referred_by
        left join reason_codes rc on rc.status = rows.status
        returning id, seeker_id, program_id, referred_by, from_site_id, from_program_id, status, status_reason, created_at
      ),
      actor as (
        select ins.*, a.display_name, coalesce(s.name, p.name) as organization
        from ins
        join g_actors a on a.id = ins.referred_by
        left join public.sites s on s.id = ins.from_site_id
        left join public.programs p on p.id = ins.from_program_id
      ),
      -- one referral in three has a note, written by its referrer a day later
      noted as (
        -- the note's copy of its referral's routing, which its trigger fills when triggers are on
        insert into public.referral_notes (referral_id, author_id, author_display_name, author_organization, body, created_at,
                                           referral_program_id, referral_referred_by, referral_from_site_id,
                                           referral_from_program_id)
        select id, referred_by, display_name, organization,
               (array['Called; left a message.', 'Documents sent over.', 'Seeker asked to be called after 5pm.'])[1 + abs(hashtext(id::text)) % 3],
               created_at + interval '1 day',
               program_id, referred_by, from_site_id, from_program_id
        from actor where abs(hashtext(id::text)) % 3 = 0
        returning id, referral_id, author_id, author_display_name, author_organization, created_at
      )
      insert into public.referral_events (referral_id, seeker_id, event_type, actor_id, actor_display_name,
                                          actor_organization, from_status, to_status, status_reason, created_at, note_id)
      select id, seeker_id, 'created'::public.referral_event_type, referred_by, display_name, organization,
             null::public.referral_status, 'not_updated'::public.referral_status, null, created_at, null::uuid from actor
      union all
      select n.referral_id, a.seeker_id, 'note_added'::public.referral_event_type, n.author_id, n.author_display_name,
             n.author_organization, null, null, null, n.created_at, n.id
      from noted n join actor a on a.id = n.referral_id
      union all
      select id, seeker_id, 'status_changed'::public.referral_event_type, referred_by, display_name, organization,
             'not_updated'::public.referral_status, status, status_reason,
             created_at + interval '2 days', null
      from actor where status <> 'not_updated'`;

    let done = 0;
    while (done < n) {
      const size = Math.min(chunk, n - done);
      await client.query(referralSql, [size]);
      done += size;
      bar.update(done, { step: 'referrals' });
    }

    // the search rows the seeker and referral triggers would have kept
    bar.update(done, { step: 'people search' });
    await client.query('select private.rebuild_seeker_search()');

    // vacuum sets the visibility map, so the covering indexes behind the
    // policies answer without reading the table; analyze refreshes the plans
    bar.update(done, { step: 'vacuum analyze' });
    await client.query(`
      vacuum (analyze) public.referrals, public.referral_events, public.referral_notes, public.seekers, public.programs, public.sites,
        public.site_members, public.program_members, public.profiles, auth.users, auth.identities,
        private.seeker_search, private.seeker_reach
    `);
    // each caller's plans follow the new statistics (supabase/schemas/06_request_plans.sql)
    await client.query('select private.refresh_reach_shares()');
    bar.update(done, { step: 'done' });
    bar.stop();
    const secs = (Date.now() - started) / 1000;
    const [counts] = (
      await client.query(`
        select (select count(*) from public.referrals) as referrals,
               (select count(*) from public.referral_events) as events,
               (select count(*) from public.referral_notes) as notes,
               (select count(*) from public.seekers) as seekers,
               (select count(*) from public.programs) as programs,
               (select count(*) from public.referrals where program_id = '${SEEDED.harbor}') as harbor,
               (select count(*) from public.referrals where program_id = '${SEEDED.safeHaven}') as safe_haven,
               (select count(*) from public.referrals where from_site_id = '${SEEDED.eastside}') as eastside`)
    ).rows;
    console.log(`Added ${n.toLocaleString()} referrals in ${secs.toFixed(1)} s.`);
    console.log(
      `Database now: ${Number(counts.referrals).toLocaleString()} referrals, ${Number(counts.events).toLocaleString()} history entries, ` +
        `${Number(counts.notes).toLocaleString()} notes, ` +
        `${Number(counts.seekers).toLocaleString()} seekers, ${Number(counts.programs).toLocaleString()} programs; ` +
        `Harbor Food Pantry receives ${Number(counts.harbor).toLocaleString()}, Safe Haven Housing ${Number(counts.safe_haven).toLocaleString()}, ` +
        `Eastside Community Clinic made ${Number(counts.eastside).toLocaleString()}.`,
    );
  } catch (err) {
    bar.stop();
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
