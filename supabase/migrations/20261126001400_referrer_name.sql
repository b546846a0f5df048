-- =============================================================================
-- The referrer's name on the referral itself.
--
-- Every referral view shows who referred ("Helen H. · Eastside Community
-- Clinic"). The referrer's profile is not readable by every party (a claimer
-- does not see the profiles of another organisation's staff), so the name
-- came from the referral's "created" history line, embedded in every list:
-- one more join per row, planned and checked under the history policy, which
-- itself checks the referral again. Measured at a million referrals it was
-- about 2 ms of every inbound page. The name is fixed when the referral is
-- made, like the history line, so it now lives on the referral.
-- =============================================================================

alter table public.referrals
  add column referred_by_name text not null default ''
  constraint referrals_referred_by_name_check check (char_length(referred_by_name) <= 120);

comment on column public.referrals.referred_by_name is
  'The referrer as every party sees them ("First L."), fixed when the referral is made; filled in automatically.';

-- Set on insert from the referrer's profile, whatever the client sends (the
-- column is not in the insert grant anyway). Named to run after
-- referrals_before_insert, which settles referred_by's organisation.
create function private.referrals_referred_by_name()
returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  select private.display_name(pr.first_name, pr.last_name) into new.referred_by_name
  from public.profiles pr where pr.id = new.referred_by;
  new.referred_by_name := coalesce(new.referred_by_name, '');
  return new;
end
$$;

revoke all on function private.referrals_referred_by_name() from public, anon, authenticated;

create trigger referrals_before_insert_referred_by_name before insert on public.referrals
  for each row execute function private.referrals_referred_by_name();

-- Existing referrals: the same name from the referrer's profile. Triggers are
-- off for this one statement so that version, updated_at, history and
-- notifications are untouched (it changes no fact, it copies one).
alter table public.referrals disable trigger user;
update public.referrals r
set referred_by_name = private.display_name(pr.first_name, pr.last_name)
from public.profiles pr
where pr.id = r.referred_by;
alter table public.referrals enable trigger user;
