-- Checks where separately built pieces meet: the history's reason columns
-- have length checks like every text column, the reason's foreign key has its
-- index, and the forwarding links are read through a function that runs with
-- the caller's rights (the definer part moves to private, out of the API).

alter table public.referral_events
  add constraint referral_events_status_reason_check check ((char_length(status_reason) <= 100)),
  add constraint referral_events_status_reason_text_check check ((char_length(status_reason_text) <= 500));

create index referrals_status_reason_idx on public.referrals (status, status_reason) where (status_reason is not null);

drop function public.referral_forwards(p_referral_id uuid);

create or replace function private.referral_forwards(p_referral_id uuid)
returns table(direction text, referral_id uuid, program_id uuid, program_name text, created_at timestamp with time zone)
language plpgsql
stable security definer
set search_path = ''
as $$
declare
  v_scope uuid[] := private.my_outbound_scope();
  v_inbound uuid[] := private.my_inbound_programs();
  v_seekers uuid[] := private.my_seeker_records();
  v_ref public.referrals%rowtype;
begin
  select * into v_ref from public.referrals r where r.id = p_referral_id;
  if not found or not coalesce(
       private.reaches(array[v_ref.program_id], array[v_ref.referred_by, v_ref.from_site_id, v_ref.from_program_id], v_inbound, v_scope)
       or v_ref.seeker_id = any (v_seekers), false) then
    return;
  end if;
  return query
  select x.direction, case when coalesce(
             private.reaches(array[o.program_id], array[o.referred_by, o.from_site_id, o.from_program_id], v_inbound, v_scope)
             or o.seeker_id = any (v_seekers), false) then o.id end,
         o.program_id, p.name, o.created_at
  from (
    select 'to'::text as direction, f.id from public.referrals f where f.forwarded_from = v_ref.id
    union all
    select 'from', v_ref.forwarded_from where v_ref.forwarded_from is not null
  ) x
  join public.referrals o on o.id = x.id
  join public.programs p on p.id = o.program_id;
end
$$;
revoke all on function private.referral_forwards(p_referral_id uuid) from public, anon, authenticated, service_role;
grant execute on function private.referral_forwards(p_referral_id uuid) to authenticated;

create or replace function public.referral_forwards(p_referral_id uuid)
returns table(direction text, referral_id uuid, program_id uuid, program_name text, created_at timestamp with time zone)
language sql
stable
set search_path = ''
as $$
  select f.direction, f.referral_id, f.program_id, f.program_name, f.created_at
  from private.referral_forwards(p_referral_id) f
$$;
comment on function public.referral_forwards(p_referral_id uuid) is 'For a referral the caller can see: the referral it was forwarded to (direction to) and from (direction from), with the program''s name; referral_id is empty when the caller cannot open that one. Runs with the caller''s rights over private.referral_forwards, which checks what the caller sees.';
revoke all on function public.referral_forwards(p_referral_id uuid) from public, anon, authenticated, service_role;
grant execute on function public.referral_forwards(p_referral_id uuid) to authenticated;
