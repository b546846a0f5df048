-- pg_cron 1.6's SQL surface (github.com/citusdata/pg_cron: the cron schema,
-- cron.job, cron.job_run_details, schedule/unschedule/alter_job). Jobs are
-- run by the embedded stack's workers service (stack/workers/cron.ts), which
-- reads cron.job and writes cron.job_run_details as pg_cron's launcher does.
\echo Use "CREATE EXTENSION pg_cron" to load this file. \quit

create schema cron;
grant usage on schema cron to public;

create table cron.job (
  jobid bigserial primary key,
  schedule text not null,
  command text not null,
  nodename text not null default 'localhost',
  nodeport integer not null default inet_server_port(),
  database text not null default current_database(),
  username text not null default current_user,
  active boolean not null default true,
  jobname text,
  constraint jobname_username_uniq unique (jobname, username)
);
alter table cron.job enable row level security;
create policy cron_job_policy on cron.job using (username = current_user);
grant select on cron.job to public;

create table cron.job_run_details (
  jobid bigint,
  runid bigserial primary key,
  job_pid integer,
  database text,
  username text,
  command text,
  status text,
  return_message text,
  start_time timestamptz,
  end_time timestamptz
);
alter table cron.job_run_details enable row level security;
create policy cron_job_run_details_policy on cron.job_run_details using (username = current_user);
grant select, delete on cron.job_run_details to public;

-- What pg_cron's parser accepts: '[1-59] seconds', five cron fields (numbers,
-- *, ranges, lists, steps; '$' for the last day of the month), or @keywords.
create function cron._valid_schedule(schedule text)
returns boolean
language plpgsql
immutable
set search_path = pg_catalog
as $$
declare
  f text[];
  item text;
  field_re constant text := '^(\*|[0-9]+(-[0-9]+)?)(/[0-9]+)?$';
  lim int[][] := array[[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
  i int;
  nums text[];
  n text;
begin
  if schedule ~* '^\s*[0-9]+\s+seconds?\s*$' then
    return (regexp_match(schedule, '[0-9]+'))[1]::int between 1 and 59;
  end if;
  if lower(btrim(schedule)) in ('@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly', '@reboot') then
    return true;
  end if;
  f := regexp_split_to_array(btrim(schedule), '\s+');
  if array_length(f, 1) <> 5 then
    return false;
  end if;
  for i in 1..5 loop
    foreach item in array string_to_array(f[i], ',') loop
      if i = 3 and item = '$' then
        continue;
      end if;
      if item !~ field_re then
        return false;
      end if;
      nums := array(select (regexp_matches(split_part(item, '/', 1), '[0-9]+', 'g'))[1]);
      foreach n in array nums loop
        if length(n) > 3 or n::int < lim[i][1] or n::int > lim[i][2] then
          return false;
        end if;
      end loop;
      if item ~ '/' and split_part(item, '/', 2)::int = 0 then
        return false;
      end if;
    end loop;
  end loop;
  return true;
end
$$;

create function cron.schedule(job_name text, schedule text, command text)
returns bigint
language plpgsql
strict
set search_path = pg_catalog
as $$
declare
  v_id bigint;
begin
  if not cron._valid_schedule(schedule) then
    raise exception 'invalid schedule: %', schedule
      using hint = 'Use a cron expression (5 fields), ''[1-59] seconds'' or an @keyword';
  end if;
  -- a job of the same name (and user) is replaced, as pg_cron does
  insert into cron.job (schedule, command, jobname)
  values (schedule, command, job_name)
  on conflict on constraint jobname_username_uniq
  do update set schedule = excluded.schedule, command = excluded.command, active = true
  returning jobid into v_id;
  perform pg_notify('cron_job_changed', v_id::text);
  return v_id;
end
$$;
comment on function cron.schedule(text, text, text) is 'schedule a pg_cron job';

create function cron.schedule(schedule text, command text)
returns bigint
language plpgsql
strict
set search_path = pg_catalog
as $$
declare
  v_id bigint;
begin
  if not cron._valid_schedule(schedule) then
    raise exception 'invalid schedule: %', schedule
      using hint = 'Use a cron expression (5 fields), ''[1-59] seconds'' or an @keyword';
  end if;
  insert into cron.job (schedule, command) values (schedule, command) returning jobid into v_id;
  perform pg_notify('cron_job_changed', v_id::text);
  return v_id;
end
$$;
comment on function cron.schedule(text, text) is 'schedule a pg_cron job';

create function cron.schedule_in_database(job_name text, schedule text, command text, database text,
                                          username text default null, active boolean default true)
returns bigint
language plpgsql
set search_path = pg_catalog
as $$
declare
  v_id bigint;
begin
  if not cron._valid_schedule(schedule) then
    raise exception 'invalid schedule: %', schedule;
  end if;
  if database is distinct from current_database() then
    raise exception 'the embedded stack runs jobs in database % only', current_database();
  end if;
  insert into cron.job (schedule, command, jobname, database, username, active)
  values (schedule, command, job_name, database, coalesce(username, current_user), active)
  on conflict on constraint jobname_username_uniq
  do update set schedule = excluded.schedule, command = excluded.command, active = excluded.active
  returning jobid into v_id;
  perform pg_notify('cron_job_changed', v_id::text);
  return v_id;
end
$$;

create function cron.unschedule(job_id bigint)
returns boolean
language plpgsql
strict
set search_path = pg_catalog
as $$
begin
  delete from cron.job where jobid = job_id and username = current_user;
  if not found then
    raise exception 'could not find valid entry for job %', job_id;
  end if;
  perform pg_notify('cron_job_changed', job_id::text);
  return true;
end
$$;
comment on function cron.unschedule(bigint) is 'unschedule a pg_cron job';

create function cron.unschedule(job_name text)
returns boolean
language plpgsql
strict
set search_path = pg_catalog
as $$
declare
  v_id bigint;
begin
  delete from cron.job where jobname = job_name and username = current_user returning jobid into v_id;
  if v_id is null then
    raise exception 'could not find valid entry for job ''%''', job_name;
  end if;
  perform pg_notify('cron_job_changed', v_id::text);
  return true;
end
$$;
comment on function cron.unschedule(text) is 'unschedule a pg_cron job';

create function cron.alter_job(job_id bigint, schedule text default null, command text default null,
                               database text default null, username text default null, active boolean default null)
returns void
language plpgsql
set search_path = pg_catalog
as $$
begin
  if schedule is not null and not cron._valid_schedule(schedule) then
    raise exception 'invalid schedule: %', schedule;
  end if;
  update cron.job j
     set schedule = coalesce(alter_job.schedule, j.schedule),
         command = coalesce(alter_job.command, j.command),
         database = coalesce(alter_job.database, j.database),
         username = coalesce(alter_job.username, j.username),
         active = coalesce(alter_job.active, j.active)
   where j.jobid = job_id and j.username = current_user;
  if not found then
    raise exception 'Job % does not exist or you don''t own it', job_id;
  end if;
  perform pg_notify('cron_job_changed', job_id::text);
end
$$;
comment on function cron.alter_job(bigint, text, text, text, text, boolean) is 'Alter the job identified by job_id. Any option left as NULL will not be modified.';

-- The functions are callable by everyone, as pg_cron's are; writing the
-- tables is left to roles that may (the stack's postgres is a superuser).
grant execute on all functions in schema cron to public;
