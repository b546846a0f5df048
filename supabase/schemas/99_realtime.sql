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

-- =============================================================================
-- Live screens: Broadcast from the database on private topics.
--
-- Each change is sent (realtime.send, after commit, through the Realtime
-- service) to every topic whose members may see it. A topic's members are
-- exactly the people the visibility rules (05_visibility.sql) let see what is
-- sent to it:
--   program:<program id>           the program's claimers: referrals it received (rule 3)
--   site:<site id>                 the site's members while its team sharing is on:
--                                  referrals made and seekers added from it (rule 2)
--   program-outbound:<program id>  the program's members while its team sharing is on:
--                                  referrals made and seekers added from it (rule 2)
--   user:<user id>                 that person: what they referred or added (rule 1),
--                                  and, for a seeker with an account, their own
--                                  referrals, history and goals (rule 4)
-- public.my_realtime_topics() lists the caller's topics from the same facts the
-- table policies read (my_inbound_programs, my_outbound_scope); the policy on
-- realtime.messages lets a private channel join exactly those (and nobody
-- send: no insert policy). A site that stops sharing stops being joinable at
-- once: on the next join or token refresh its members are refused.
--
-- What is sent: {table, type: INSERT|UPDATE|DELETE, record: {...}} with the
-- columns listed in private.realtime_record(), which every member of every
-- topic it goes to may read. Everything else is fetched again by the screens
-- (under RLS). Notes and note history go to staff topics only (rules 1-3), not
-- to the seeker.
-- =============================================================================

-- The caller's topics (the rule above).
create or replace function public.my_realtime_topics()
returns text[]
language plpgsql
stable parallel restricted
set search_path = ''
as $$
begin
  return (
    select array(select 'user:' || auth.uid() where auth.uid() is not null)
      || array(select 'program:' || p from unnest(private.my_inbound_programs()) as p)
      || array(select 'site:' || s from private.my_site_ids() as s where s = any (private.my_outbound_scope()))
      || array(select 'program-outbound:' || p from private.my_program_ids() as p
               where p = any (private.my_outbound_scope())));
end
$$;
comment on function public.my_realtime_topics() is
  'The private Realtime topics the caller may join (program:, site:, program-outbound:, user:), from the visibility facts in 05_visibility.sql. The policy on realtime.messages allows exactly these.';
revoke all on function public.my_realtime_topics() from public, anon, authenticated, service_role;
grant execute on function public.my_realtime_topics() to authenticated, service_role;

create policy "Members of a topic receive its broadcasts" on realtime.messages for select to authenticated
  using (
    extension = 'broadcast'
    and (select realtime.topic()) = any ((select public.my_realtime_topics())::text[]));

-- Staff topics of a referral: the same arrays the policies hand to
-- private.reaches (received: program_id; sent: referred_by, from_site_id,
-- from_program_id), as topics.
create or replace function private.realtime_staff_topics(
  p_program_id uuid, p_referred_by uuid, p_from_site_id uuid, p_from_program_id uuid)
returns text[]
language sql
immutable
set search_path = ''
as $$
  select array_remove(array[
    'program:' || p_program_id::text,
    'user:' || p_referred_by::text,
    'site:' || p_from_site_id::text,
    'program-outbound:' || p_from_program_id::text], null)
$$;
revoke all on function private.realtime_staff_topics(uuid, uuid, uuid, uuid) from public, anon, authenticated, service_role;

-- Everyone who sees a referral: its staff topics and the seeker's account (rule 4).
create or replace function private.realtime_referral_topics(p_referral public.referrals)
returns text[]
language sql
stable
set search_path = ''
as $$
  select private.realtime_staff_topics(p_referral.program_id, p_referral.referred_by,
                                       p_referral.from_site_id, p_referral.from_program_id)
      || array(select 'user:' || s.user_id::text from public.seekers s
                where s.id = p_referral.seeker_id and s.user_id is not null)
$$;
revoke all on function private.realtime_referral_topics(public.referrals) from public, anon, authenticated, service_role;

-- Everyone who sees a seeker (and their goals): whoever added them (or that
-- organisation when it shares), their account, and everyone who sees one of
-- their referrals.
create or replace function private.realtime_seeker_topics(p_seeker_id uuid)
returns text[]
language sql
stable
set search_path = ''
as $$
  select array(
    select distinct t from (
      select unnest(private.realtime_staff_topics(null, s.created_by, s.created_from_site_id, s.created_from_program_id)
                    || array(select 'user:' || s.user_id::text where s.user_id is not null)) as t
        from public.seekers s where s.id = p_seeker_id
      union all
      select unnest(private.realtime_referral_topics(r)) from public.referrals r where r.seeker_id = p_seeker_id
    ) as all_topics)
$$;
revoke all on function private.realtime_seeker_topics(uuid) from public, anon, authenticated, service_role;

-- What a change carries: the columns every member of its topics may read.
-- Add a column here (and only here) to send it.
create or replace function private.realtime_record(p_table text, p_row jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_strip_nulls(case p_table
    when 'referrals' then jsonb_build_object(
      'id', p_row->'id', 'seeker_id', p_row->'seeker_id', 'program_id', p_row->'program_id',
      'status', p_row->'status', 'goal_id', p_row->'goal_id', 'version', p_row->'version',
      'updated_at', p_row->'updated_at')
    when 'referral_notes' then jsonb_build_object('id', p_row->'id', 'referral_id', p_row->'referral_id')
    when 'referral_events' then jsonb_build_object(
      'id', p_row->'id', 'referral_id', p_row->'referral_id', 'seeker_id', p_row->'seeker_id',
      'event_type', p_row->'event_type')
    when 'goals' then jsonb_build_object('id', p_row->'id', 'seeker_id', p_row->'seeker_id')
    when 'seekers' then jsonb_build_object('id', p_row->'id')
  end)
$$;
revoke all on function private.realtime_record(text, jsonb) from public, anon, authenticated, service_role;

-- Sends one change to each of the topics (private), in one place.
create or replace function private.realtime_send(p_topics text[], p_table text, p_type text, p_row jsonb)
returns void
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_topic text;
  v_payload jsonb := jsonb_build_object('table', p_table, 'type', p_type,
                                        'record', private.realtime_record(p_table, p_row));
begin
  foreach v_topic in array (select array(select distinct t from unnest(p_topics) as t where t is not null)) loop
    perform realtime.send(v_payload, p_table, v_topic, true);
  end loop;
end
$$;
revoke all on function private.realtime_send(text[], text, text, jsonb) from public, anon, authenticated, service_role;

-- The triggers (security definer: realtime.send inserts into
-- realtime.messages, which the signed-in roles may not).
create or replace function private.realtime_referral_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_new text[] := case when tg_op <> 'DELETE' then private.realtime_referral_topics(new) else '{}' end;
  v_old text[] := case when tg_op <> 'INSERT' then private.realtime_referral_topics(old) else '{}' end;
begin
  if tg_op <> 'DELETE' then
    perform private.realtime_send(v_new, 'referrals', tg_op, to_jsonb(new));
  end if;
  -- Topics that no longer see it (deleted, or moved to another program):
  -- only the id they already knew, as a DELETE.
  perform private.realtime_send(array(select unnest(v_old) except select unnest(v_new)), 'referrals', 'DELETE',
                                jsonb_build_object('id', old.id));
  return null;
end
$$;
revoke all on function private.realtime_referral_changed() from public, anon, authenticated, service_role;

create or replace function private.realtime_note_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row public.referral_notes := case when tg_op = 'DELETE' then old else new end;
begin
  perform private.realtime_send(
    (select private.realtime_staff_topics(r.program_id, r.referred_by, r.from_site_id, r.from_program_id)
       from public.referrals r where r.id = v_row.referral_id),
    'referral_notes', tg_op, to_jsonb(v_row));
  return null;
end
$$;
revoke all on function private.realtime_note_changed() from public, anon, authenticated, service_role;

create or replace function private.realtime_history_added()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.realtime_send(
    (select case when new.event_type in ('note_added', 'note_deleted')
                 then private.realtime_staff_topics(r.program_id, r.referred_by, r.from_site_id, r.from_program_id)
                 else private.realtime_referral_topics(r) end
       from public.referrals r where r.id = new.referral_id),
    'referral_events', tg_op, to_jsonb(new));
  return null;
end
$$;
revoke all on function private.realtime_history_added() from public, anon, authenticated, service_role;

create or replace function private.realtime_goal_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row public.goals := case when tg_op = 'DELETE' then old else new end;
begin
  perform private.realtime_send(private.realtime_seeker_topics(v_row.seeker_id), 'goals', tg_op, to_jsonb(v_row));
  return null;
end
$$;
revoke all on function private.realtime_goal_changed() from public, anon, authenticated, service_role;

create or replace function private.realtime_seeker_changed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row public.seekers := case when tg_op = 'DELETE' then old else new end;
  -- From the row too: after a delete, only the row knows who added them.
  v_topics text[] := private.realtime_seeker_topics(v_row.id)
    || private.realtime_staff_topics(null, v_row.created_by, v_row.created_from_site_id, v_row.created_from_program_id)
    || array(select 'user:' || v_row.user_id::text where v_row.user_id is not null);
begin
  if tg_op = 'UPDATE' and old.user_id is distinct from new.user_id and old.user_id is not null then
    v_topics := v_topics || ('user:' || old.user_id::text);
  end if;
  perform private.realtime_send(v_topics, 'seekers', tg_op, to_jsonb(v_row));
  return null;
end
$$;
revoke all on function private.realtime_seeker_changed() from public, anon, authenticated, service_role;

create trigger realtime_broadcast after insert or update or delete on public.referrals
  for each row execute function private.realtime_referral_changed();
create trigger realtime_broadcast after insert or update or delete on public.referral_notes
  for each row execute function private.realtime_note_changed();
create trigger realtime_broadcast after insert on public.referral_events
  for each row execute function private.realtime_history_added();
create trigger realtime_broadcast after insert or update or delete on public.goals
  for each row execute function private.realtime_goal_changed();
create trigger realtime_broadcast after insert or update or delete on public.seekers
  for each row execute function private.realtime_seeker_changed();
