-- Programs' time zone check without reading pg_timezone_names for every row
-- (~14 ms a row; a directory import of 10,000 programs spent over two minutes
-- in it): the name's shape, then timezone() on the server's cached zone data.

create or replace function private.programs_check_time_zone()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.time_zone is not distinct from old.time_zone then
    return new;
  end if;
  if new.time_zone is null
     or new.time_zone !~ '^(UTC|Etc/GMT([+-]?(1[0-4]|[0-9]))?|[A-Za-z_-]+(/[A-Za-z_-]+)+)$' then
    raise exception 'Unknown time zone "%"', new.time_zone
      using errcode = '22023',
            hint = 'Use an IANA time zone name, such as America/Chicago or America/New_York.';
  end if;
  begin
    perform pg_catalog.timezone(new.time_zone, pg_catalog.now());
  exception when invalid_parameter_value then
    raise exception 'Unknown time zone "%"', new.time_zone
      using errcode = '22023',
            hint = 'Use an IANA time zone name, such as America/Chicago or America/New_York.';
  end;
  return new;
end
$$;
