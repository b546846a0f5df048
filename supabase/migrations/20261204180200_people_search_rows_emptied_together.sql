-- People-search rows per reaching id are emptied with the search rows: a
-- TRUNCATE of public.seekers empties private.seeker_search through its foreign
-- key, which no row trigger sees, and left the per-id rows naming people who
-- were gone (a page of People I'm Helping then came back short).

-- Emptying the search rows (a TRUNCATE of public.seekers reaches them through
-- their foreign key) empties these too: a row trigger never sees a TRUNCATE,
-- and rows left behind would name people who are gone.
create or replace function private.seeker_reach_truncate()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  truncate private.seeker_reach;
  return null;
end
$$;
revoke all on function private.seeker_reach_truncate() from public, anon, authenticated, service_role;

create trigger seeker_search_reach_truncate after truncate on private.seeker_search for each statement execute function private.seeker_reach_truncate();

