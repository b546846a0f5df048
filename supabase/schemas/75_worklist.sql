-- =============================================================================
-- The worklist: what changed on my referrals since I last looked. Each person
-- keeps their own "last looked" marker per referral (referral_reads); the
-- worklist lists the referrals they sent (rules 1-2) that someone else changed
-- since (referral_events).
-- =============================================================================

-- referral_reads --------------------------------------------------------------

create table public.referral_reads (
  user_id uuid default auth.uid() not null,
  referral_id uuid not null,
  seen_at timestamp with time zone default now() not null,
  constraint referral_reads_pkey primary key (user_id, referral_id),
  constraint referral_reads_referral_id_fkey foreign key (referral_id) references public.referrals(id) on delete cascade,
  constraint referral_reads_user_id_fkey foreign key (user_id) references public.profiles(id) on delete cascade
);
comment on table public.referral_reads is 'When each person last looked at a referral (opened it): the worklist shows what others changed since. Each person reads and writes only their own markers, and only for referrals they see as staff. Written by mark_referral_seen.';
comment on column public.referral_reads.user_id is 'Whose marker (always the signed-in user).';
comment on column public.referral_reads.referral_id is 'The referral.';
comment on column public.referral_reads.seen_at is 'When they last looked (set by the database).';

create index referral_reads_referral_id_idx on public.referral_reads (referral_id);

alter table public.referral_reads enable row level security;

revoke all on table public.referral_reads from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.referral_reads to service_role;
grant select, delete on table public.referral_reads to authenticated;
grant insert (referral_id) on public.referral_reads to authenticated;
grant update (seen_at) on public.referral_reads to authenticated;

-- The marker's time is the database's, never the client's.
create or replace function private.referral_reads_stamp()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.seen_at := now();
  return new;
end
$$;
revoke all on function private.referral_reads_stamp() from public, anon, authenticated, service_role;

create trigger referral_reads_stamp before insert or update on public.referral_reads for each row execute function private.referral_reads_stamp();

create policy "People read their own markers" on public.referral_reads for select to authenticated
  using ((user_id = (select auth.uid())));

create policy "People remove their own markers" on public.referral_reads for delete to authenticated
  using ((user_id = (select auth.uid())));

-- Only for a referral the caller sees as staff: a marker on any other id
-- would tell them whether it exists.
create policy "Staff mark referrals they see as looked at" on public.referral_reads for insert to authenticated
  with check (((user_id = (select auth.uid())) and private.staff_can_access_referral(referral_id)));

create policy "People move their own markers" on public.referral_reads for update to authenticated
  using ((user_id = (select auth.uid())))
  with check (((user_id = (select auth.uid())) and private.staff_can_access_referral(referral_id)));

-- Marks a referral as looked at now (the caller's own marker).
create or replace function public.mark_referral_seen(referral_id uuid)
returns timestamp with time zone
language plpgsql
set search_path = ''
as $$
declare
  v_seen timestamp with time zone;
begin
  insert into public.referral_reads as rr (referral_id) values (mark_referral_seen.referral_id)
  on conflict on constraint referral_reads_pkey do update set seen_at = now()
  returning rr.seen_at into v_seen;
  return v_seen;
end
$$;
comment on function public.mark_referral_seen(referral_id uuid) is 'Records that the caller looked at this referral now (referral_reads), for the worklist. Refused (42501) for a referral they do not see as staff.';
revoke all on function public.mark_referral_seen(referral_id uuid) from public, anon, authenticated, service_role;
grant execute on function public.mark_referral_seen(referral_id uuid) to authenticated;

-- The worklist of someone who refers: referrals they sent, or an organisation
-- of theirs that shares sent (rules 1-2), where someone else changed the
-- status or the goal, or added a note, in the last 30 days and after they last
-- looked. Most recently changed first. Runs with the caller's rights: the
-- referrals and history policies apply.
create or replace function public.changed_referrals(max_results integer default 20, skip integer default 0)
returns setof public.referrals
language sql
stable
set search_path = ''
as $$
  select r.*
  from public.referrals r
  left join public.referral_reads rr on rr.referral_id = r.id and rr.user_id = (select auth.uid())
  where (r.referred_by = any ((select private.my_outbound_scope())::uuid[])
         or r.from_site_id = any ((select private.my_outbound_scope())::uuid[])
         or r.from_program_id = any ((select private.my_outbound_scope())::uuid[]))
    and exists (
      select 1 from public.referral_events e
      where e.referral_id = r.id
        and e.event_type <> 'created'
        and e.created_at > greatest(coalesce(rr.seen_at, '-infinity'::timestamptz), now() - interval '30 days')
        and e.actor_id is distinct from (select auth.uid()))
  order by r.updated_at desc, r.id desc
  limit least(greatest(coalesce(max_results, 20), 1), 200)
  offset greatest(coalesce(skip, 0), 0)
$$;
comment on function public.changed_referrals(max_results integer, skip integer) is 'Worklist: the referrals the caller (or an organisation of theirs that shares) sent that someone else changed (status, goal, a note) in the last 30 days since the caller last looked (mark_referral_seen). max_results (1-200, default 20) and skip page them; embed related rows with .select(). Subject to the referrals policies.';
revoke all on function public.changed_referrals(max_results integer, skip integer) from public, anon, authenticated, service_role;
grant execute on function public.changed_referrals(max_results integer, skip integer) to authenticated, service_role;
