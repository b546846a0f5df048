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
  referral_program_id uuid,
  referral_referred_by uuid,
  referral_from_site_id uuid,
  referral_from_program_id uuid,
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
comment on column public.referral_notes.referral_program_id is 'The referral''s receiving program (its program_id), copied when the note is written and kept equal: who may read the note is decided on the note itself (05_visibility.sql). Set automatically.';
comment on column public.referral_notes.referral_referred_by is 'The referral''s referrer (its referred_by), copied like referral_program_id.';
comment on column public.referral_notes.referral_from_site_id is 'The site the referral was made from (its from_site_id), copied like referral_program_id.';
comment on column public.referral_notes.referral_from_program_id is 'The program the referral was made from (its from_program_id), copied like referral_program_id.';

create index referral_notes_author_id_idx on public.referral_notes (author_id);
create index referral_notes_referral_id_idx on public.referral_notes (referral_id, created_at);
-- any unfiltered list, newest first; and the notes a quiet caller reaches
-- (the rule's two arms, as on referrals: 06_request_plans.sql)
create index referral_notes_created_at_idx on public.referral_notes (created_at desc);
create index referral_notes_reach_idx on public.referral_notes using gin ((array[referral_program_id]), (array[referral_referred_by, referral_from_site_id, referral_from_program_id]));

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
  -- the referral's routing, which decides who reads the note
  select r.program_id, r.referred_by, r.from_site_id, r.from_program_id
    into new.referral_program_id, new.referral_referred_by, new.referral_from_site_id, new.referral_from_program_id
    from public.referrals r where r.id = new.referral_id;
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

-- Deleting writes the referral's history ("note deleted"): only while the
-- author is still one of its staff.
create policy "Authors can delete their own notes" on public.referral_notes for delete to authenticated
  using (
    author_id = (select auth.uid())
    and private.reaches(array[referral_program_id], array[referral_referred_by, referral_from_site_id, referral_from_program_id],
                        (select private.my_inbound_programs()), (select private.my_outbound_scope())));

create policy "Staff with access can add notes" on public.referral_notes for insert to authenticated
  with check (
    author_id = (select auth.uid())
    and private.reaches(array[referral_program_id], array[referral_referred_by, referral_from_site_id, referral_from_program_id],
                        (select private.my_inbound_programs()), (select private.my_outbound_scope())));

-- notes: the referral's staff (rules 1-3) read and add; authors delete their own.
-- The rule reads the referral's routing copied onto the note (set by the
-- insert trigger from the referral, kept equal by referrals_routing_to_notes),
-- so a list of notes is checked, and found, without a lookup per note.
create policy "Staff with access can view notes" on public.referral_notes for select to authenticated
  using (
    private.reaches(array[referral_program_id], array[referral_referred_by, referral_from_site_id, referral_from_program_id],
                    (select private.my_inbound_programs()), (select private.my_outbound_scope())));

-- A referral's routing does not change through the API (no column grant);
-- should the service role change it, its notes follow.
create or replace function private.referrals_routing_to_notes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.referral_notes n
     set referral_program_id = new.program_id, referral_referred_by = new.referred_by,
         referral_from_site_id = new.from_site_id, referral_from_program_id = new.from_program_id
   where n.referral_id = new.id;
  return null;
end
$$;
revoke all on function private.referrals_routing_to_notes() from public, anon, authenticated, service_role;

create trigger referrals_routing_to_notes after update of program_id, referred_by, from_site_id, from_program_id on public.referrals
  for each row
  when (old.program_id is distinct from new.program_id or old.referred_by is distinct from new.referred_by
        or old.from_site_id is distinct from new.from_site_id or old.from_program_id is distinct from new.from_program_id)
  execute function private.referrals_routing_to_notes();

-- referral_program_notes ----------------------------------------------------
-- "Note for the program only", written on the Connect form beside the message
-- to the program and the client (referrals.comment, which the seeker reads).
-- A table of its own, never a column of referrals, because the seeker reads
-- their referral rows: here they have no policy, so no row, by any path (the
-- API, realtime, which does not publish this table, or an embed); the emails
-- carry it to staff only (claim_notification_jobs).

create table public.referral_program_notes (
  referral_id uuid not null,
  body text not null,
  created_at timestamp with time zone default now() not null,
  constraint referral_program_notes_pkey primary key (referral_id),
  constraint referral_program_notes_body_check check (((char_length(body) >= 1) and (char_length(body) <= 2000))),
  constraint referral_program_notes_referral_id_fkey foreign key (referral_id) references public.referrals(id) on delete cascade
);
comment on table public.referral_program_notes is 'The note for the program only, written with a referral (create_referral): read by the referral''s staff (rules 1-3) and in their emails, never by the seeker. Written once by the referrer, never changed.';
comment on column public.referral_program_notes.referral_id is 'The referral (one note each).';
comment on column public.referral_program_notes.body is 'The note.';
comment on column public.referral_program_notes.created_at is 'When it was written.';

alter table public.referral_program_notes enable row level security;

revoke all on table public.referral_program_notes from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.referral_program_notes to service_role;
grant select on table public.referral_program_notes to authenticated;
grant insert (referral_id, body) on public.referral_program_notes to authenticated;

create policy "Staff with access can view the note for the program" on public.referral_program_notes for select to authenticated
  using (
    exists (
      select 1 from public.referrals r
      where r.id = referral_program_notes.referral_id
        and private.reaches(array[r.program_id], array[r.referred_by, r.from_site_id, r.from_program_id], (select private.my_inbound_programs()), (select private.my_outbound_scope()))));

create policy "The referrer writes the note for the program" on public.referral_program_notes for insert to authenticated
  with check (
    exists (
      select 1 from public.referrals r
      where r.id = referral_program_notes.referral_id
        and r.referred_by = (select auth.uid())));

-- Making a referral with its note for the program in one transaction: the
-- insert the Connect form would make, plus the note. Runs with the caller's
-- rights, so the referrals and notes policies decide as for a plain insert.
create or replace function public.create_referral(seeker_id uuid, program_id uuid, comment text default ''::text, program_note text default NULL::text, from_site_id uuid default NULL::uuid, from_program_id uuid default NULL::uuid)
returns public.referrals
language plpgsql
set search_path = ''
as $$
declare
  v_referral public.referrals;
begin
  insert into public.referrals (seeker_id, program_id, comment, from_site_id, from_program_id)
  values (create_referral.seeker_id, create_referral.program_id, coalesce(create_referral.comment, ''),
          create_referral.from_site_id, create_referral.from_program_id)
  returning * into v_referral;
  if nullif(btrim(create_referral.program_note), '') is not null then
    insert into public.referral_program_notes (referral_id, body)
    values (v_referral.id, btrim(create_referral.program_note));
  end if;
  return v_referral;
end
$$;
comment on function public.create_referral(seeker_id uuid, program_id uuid, comment text, program_note text, from_site_id uuid, from_program_id uuid) is 'Makes a referral as the caller (as an insert into referrals would) and, when program_note is given, its note for the program only (referral_program_notes), in one transaction.';
revoke all on function public.create_referral(seeker_id uuid, program_id uuid, comment text, program_note text, from_site_id uuid, from_program_id uuid) from public, anon, authenticated, service_role;
grant execute on function public.create_referral(seeker_id uuid, program_id uuid, comment text, program_note text, from_site_id uuid, from_program_id uuid) to authenticated;
