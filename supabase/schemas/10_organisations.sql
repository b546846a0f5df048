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
  preferred_language public.language_code default 'en'::public.language_code not null,
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
comment on column public.profiles.preferred_language is 'The language of the emails this person gets about referrals (en or es); they or an admin change it.';

alter table public.profiles enable row level security;

revoke all on table public.profiles from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.profiles to service_role;
grant select on table public.profiles to authenticated;
grant update (first_name, last_name, preferred_language) on public.profiles to authenticated;

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
  phone text,
  email text,
  address text,
  constraint sites_pkey primary key (id),
  constraint sites_address_check check ((char_length(address) <= 300)),
  constraint sites_email_check check (((char_length(email) <= 320) and (email ~~ '%_@_%'::text))),
  constraint sites_name_check check (((char_length(name) >= 1) and (char_length(name) <= 200))),
  constraint sites_phone_check check ((char_length(phone) <= 40))
);
comment on table public.sites is 'Helper organisations (clinics, family centres) whose workers refer seekers to programs. Add and edit rows here in Studio.';
comment on column public.sites.id is 'Site id.';
comment on column public.sites.name is 'Organisation name, shown in history next to its workers.';
comment on column public.sites.team_sharing is 'Outbound team sharing. On: every worker of this site sees, notes and updates the referrals any of them made from this site. Off (default): only the worker who made a referral. Takes effect immediately.';
comment on column public.sites.created_at is 'When the site was added.';
comment on column public.sites.updated_at is 'When the site last changed.';
comment on column public.sites.phone is 'Public phone number: shown to the people this site refers (portal, printed summary) so they can reach it.';
comment on column public.sites.email is 'Public contact email, shown like the phone.';
comment on column public.sites.address is 'Street address, shown like the phone.';

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
  response_days integer default 2 not null,
  time_zone text default 'America/Chicago'::text not null,
  capacity public.program_capacity default 'unknown'::public.program_capacity not null,
  capacity_wait text,
  capacity_updated_at timestamp with time zone,
  capacity_updated_by uuid,
  verified_at timestamp with time zone,
  verified_by uuid,
  hours text,
  what_to_bring text,
  constraint programs_pkey primary key (id),
  constraint programs_address_check check ((char_length(address) <= 300)),
  constraint programs_description_check check ((char_length(description) <= 4000)),
  constraint programs_email_check check (((char_length(email) <= 320) and (email ~~ '%_@_%'::text))),
  constraint programs_hours_check check ((char_length(hours) <= 500)),
  constraint programs_name_check check (((char_length(name) >= 1) and (char_length(name) <= 200))),
  constraint programs_phone_check check ((char_length(phone) <= 40)),
  constraint programs_response_days_check check (((response_days >= 1) and (response_days <= 30))),
  constraint programs_time_zone_check check (((char_length(time_zone) >= 1) and (char_length(time_zone) <= 64))),
  constraint programs_website_check check ((char_length(website) <= 500)),
  constraint programs_what_to_bring_check check ((char_length(what_to_bring) <= 1000)),
  constraint programs_zip_check check ((zip ~ '^[0-9]{5}$'::text)),
  constraint programs_capacity_wait_check check (((capacity_wait is null) or ((char_length(capacity_wait) >= 1) and (char_length(capacity_wait) <= 60) and (capacity = 'waitlist'::public.program_capacity)))),
  constraint programs_capacity_updated_by_fkey foreign key (capacity_updated_by) references public.profiles(id) on delete set null,
  constraint programs_verified_by_fkey foreign key (verified_by) references public.profiles(id) on delete set null
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
comment on column public.programs.response_days is 'How many business days (Monday-Friday, 1-30) the program takes to answer a referral: each new referral is due then (referrals.response_due_at). Default 2.';
comment on column public.programs.time_zone is 'The program''s IANA time zone (e.g. America/Chicago), in which business days and due times are counted; no texts go to its seekers between 21:00 and 08:00 on that clock.';
comment on column public.programs.capacity is 'Whether the program takes new referrals (accepting, waitlist, not_accepting, unknown). Set by its claimers from the Inbound dashboard, or here. Shown as unknown once capacity_updated_at is more than 30 days old.';
comment on column public.programs.capacity_wait is 'For a waitlist: how long the wait is, as a band such as "about 2 weeks" (up to 60 characters). Cleared automatically when capacity is anything but waitlist.';
comment on column public.programs.capacity_updated_at is 'When capacity was last set; stamped automatically (an admin may type an earlier time here).';
comment on column public.programs.capacity_updated_by is 'Who last set capacity; empty for an admin or an import.';
comment on column public.programs.verified_at is 'When someone last confirmed the listing (description, address, phone, email, website, categories) is correct; stamped when a claimer confirms or edits it, or from an import''s assured date.';
comment on column public.programs.verified_by is 'The claimer who last confirmed or edited the listing; empty for an admin or an import.';
comment on column public.programs.hours is 'Opening hours in plain words ("Mon-Fri 9am-5pm"), on the printed referral summary.';
comment on column public.programs.what_to_bring is 'What a person should bring (ID, proof of address), on the printed referral summary.';

create index programs_description_trgm_idx on public.programs using gin (description extensions.gin_trgm_ops);
create index programs_name_trgm_idx on public.programs using gin (name extensions.gin_trgm_ops);
create index programs_service_categories_idx on public.programs using gin (service_categories);
create index programs_zip_idx on public.programs (zip);
-- the hsds API's proximity search first takes a band of latitudes
create index programs_latitude_idx on public.programs (latitude);
create index programs_capacity_updated_by_idx on public.programs (capacity_updated_by) where (capacity_updated_by is not null);
create index programs_verified_by_idx on public.programs (verified_by) where (verified_by is not null);

alter table public.programs enable row level security;

revoke all on table public.programs from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.programs to service_role;
grant select on table public.programs to authenticated;
-- claimers edit their own program's listing and capacity (policy below, rules in 82_directory_trust.sql)
grant update (description, address, zip, phone, email, website, service_categories, capacity, capacity_wait, verified_at) on public.programs to authenticated;

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

-- programs: a claimer changes their own program's listing and capacity (the
-- columns of the update grant; everything else only an admin).
create policy "Claimers can update their own program's listing" on public.programs for update to authenticated
  using ((array[id] && ( select private.my_inbound_programs() as my_inbound_programs)))
  with check ((array[id] && ( select private.my_inbound_programs() as my_inbound_programs)));

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
