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
  preferred_contact public.contact_preference not null,
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
  constraint seekers_contact_has_address check ((((preferred_contact <> 'email'::public.contact_preference) or (email is not null)) and ((preferred_contact <> 'text'::public.contact_preference) or (NULLIF(btrim(phone), ''::text) IS NOT NULL)))),
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
comment on column public.seekers.preferred_contact is 'email / text: messages go to the seeker that way; phone: no message to the seeker; none: no message to anyone about their referrals. Email needs an email address and text a phone number (seekers_contact_has_address); left out on insert, it is the channel that has an address: email, else text, else phone.';
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
-- any unfiltered list, newest first; and the record's own arm of the rule, as
-- the seekers policy writes it, for a quiet caller's list (06_request_plans.sql)
create index seekers_created_at_idx on public.seekers (created_at desc, id desc);
create index seekers_own_reach_idx on public.seekers using gin ((array[user_id, created_by, created_from_site_id, created_from_program_id]));

alter table public.seekers enable row level security;
alter table public.seekers replica identity full;

revoke all on table public.seekers from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.seekers to service_role;
grant select on table public.seekers to authenticated;
grant insert (id, first_name, last_name, email, phone, address, zip, preferred_contact, preferred_language, created_from_site_id, created_from_program_id) on public.seekers to authenticated;
grant update (first_name, last_name, email, phone, address, zip, preferred_contact, preferred_language) on public.seekers to authenticated;

-- Seekers: a one-membership staff member adds from that organisation by
-- default; the preferred contact, when left out, is the channel that has an
-- address, and one without its address is refused with a plain sentence; a seeker editing their own record may change only how they are
-- reached; contact details (email, phone, preferred contact) change only by
-- the seeker or the organisation that added them
-- (private.can_change_seeker_contact). The language is not among them: it
-- redirects nothing, and whoever speaks with the person may learn it.
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
  if tg_op = 'INSERT' and new.preferred_contact is null then
    -- not chosen: the channel that has an address
    new.preferred_contact := case
      when new.email is not null then 'email'
      when nullif(btrim(new.phone), '') is not null then 'text'
      else 'phone' end;
  end if;
  -- the rule of seekers_contact_has_address, in words a person can act on
  if new.preferred_contact = 'email' and new.email is null then
    raise exception 'Email cannot be the way to reach % without an email address', private.display_name(new.first_name, new.last_name)
      using errcode = '23514', constraint = 'seekers_contact_has_address',
            hint = 'Add an email address, or choose text message, phone call or don''t reach out.';
  end if;
  if new.preferred_contact = 'text' and nullif(btrim(new.phone), '') is null then
    raise exception 'Text message cannot be the way to reach % without a phone number', private.display_name(new.first_name, new.last_name)
      using errcode = '23514', constraint = 'seekers_contact_has_address',
            hint = 'Add a phone number, or choose email, phone call or don''t reach out.';
  end if;
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
  if auth.role() = 'authenticated'
     and (new.email, new.phone, new.preferred_contact) is distinct from (old.email, old.phone, old.preferred_contact)
     and not private.can_change_seeker_contact(old.id) then
    raise exception 'Only the organisation that added % and % themselves can change their email, phone or preferred contact',
        private.display_name(old.first_name, old.last_name), old.first_name
      using errcode = '42501',
            hint = 'You see this person through a referral. Ask the organisation that added them to update their contact details.';
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

-- For the app: whether the caller may change this seeker's email, phone and
-- preferred contact (private.can_change_seeker_contact), so a form can show
-- them read-only instead of failing. A computed field:
-- .select('id, email, contact_editable').
create or replace function public.contact_editable(public.seekers)
returns boolean
language sql
stable
set search_path = ''
as $$
  select private.can_change_seeker_contact($1.id)
$$;
comment on function public.contact_editable(public.seekers) is 'Computed field of seekers: whether the caller may change this seeker''s email, phone and preferred contact (the seeker themselves, or the organisation that added them).';
revoke all on function public.contact_editable(public.seekers) from public, anon, authenticated, service_role;
grant execute on function public.contact_editable(public.seekers) to authenticated, service_role;
