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
comment on table public.goals is 'A seeker''s goals (their care plan). Referrals can be added to one goal. Visible to whoever can see the seeker; added, edited and deleted by staff who can see the seeker (a goal holding referrals the caller cannot see cannot be deleted).';
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
-- title can still be read into their history ("goal removed"). That changes
-- referrals, so the caller must be staff of every one of them
-- (staff_can_access_referral, the goal rule of referrals_before_update): a
-- goal holding a referral the caller cannot see stays. A goal deleted along
-- with its seeker (a cascade, below the first trigger level) takes the
-- referrals with it.
create or replace function private.goals_before_delete()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if pg_trigger_depth() = 1 then
    if auth.role() = 'authenticated' and exists (
        select 1 from public.referrals r
        where r.goal_id = old.id and not private.staff_can_access_referral(r.id)) then
      raise exception 'The goal "%" holds referrals you cannot see, so it cannot be deleted', old.title
        using errcode = '42501',
              hint = 'The staff of those referrals can take them out of the goal first.';
    end if;
    update public.referrals set goal_id = null where goal_id = old.id;
  end if;
  return old;
end
$$;
revoke all on function private.goals_before_delete() from public, anon, authenticated, service_role;

create trigger goals_before_delete before delete on public.goals for each row execute function private.goals_before_delete();
create trigger goals_touch before update on public.goals for each row execute function private.touch_updated_at();

-- goals: the seeker reads their plan; staff who see the seeker
-- (staff_can_see_seeker) add, edit and delete goals.
create policy "Staff who can see a seeker can add goals" on public.goals for insert to authenticated
  with check (((created_by = ( select auth.uid() as uid)) and private.staff_can_see_seeker(seeker_id)));

create policy "Staff who can see a seeker can delete their goals" on public.goals for delete to authenticated
  using (private.staff_can_see_seeker(seeker_id));

create policy "Staff who can see a seeker can edit their goals" on public.goals for update to authenticated
  using (private.staff_can_see_seeker(seeker_id))
  with check (private.staff_can_see_seeker(seeker_id));

-- goals: whoever can see the seeker: the seeker themselves, or staff who see
-- them (the same per-row helper as the write policies above).
create policy "Whoever can see a seeker can view their goals" on public.goals for select to authenticated
  using (
    seeker_id = any ((select private.my_seeker_records())::uuid[])
    or private.staff_can_see_seeker(seeker_id));
