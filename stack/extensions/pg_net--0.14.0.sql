-- pg_net 0.14's SQL surface (github.com/supabase/pg_net): net.http_get,
-- net.http_post, net.http_delete queue a request in net.http_request_queue and
-- return its id; after the transaction commits, the embedded stack's workers
-- service (stack/workers/net.ts) sends it and stores the outcome in
-- net._http_response under the same id, as pg_net's background worker does.
-- A rolled-back transaction sends nothing.
\echo Use "CREATE EXTENSION pg_net" to load this file. \quit

create schema net;
grant usage on schema net to public;

create unlogged table net.http_request_queue (
  id bigserial,
  method text not null check (method in ('GET', 'POST', 'DELETE')),
  url text not null,
  headers jsonb not null,
  body bytea,
  timeout_milliseconds integer not null
);

create unlogged table net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out boolean,
  error_msg text,
  created timestamptz not null default now()
);
create index _http_response_created_idx on net._http_response (created);

-- Wakes the sender when a transaction that queued requests commits (NOTIFY is
-- delivered at commit only); it also polls, so a missed wake-up only delays.
create function net._wake_worker()
returns trigger
language plpgsql
set search_path = pg_catalog
as $$
begin
  perform pg_notify('net_http_request_queue', '');
  return null;
end
$$;
create trigger wake_worker after insert on net.http_request_queue
  for each statement execute function net._wake_worker();

create function net._encode_url_with_params_array(url text, params_array text[])
returns text
language plpgsql
immutable
set search_path = pg_catalog
as $$
declare
  v text := url;
  p text;
begin
  if params_array is null or cardinality(params_array) = 0 then
    return url;
  end if;
  foreach p in array params_array loop
    v := v || case when v ~ '\?' then '&' else '?' end || p;
  end loop;
  return v;
end
$$;

create function net._params(params jsonb)
returns text[]
language sql
immutable
set search_path = pg_catalog
as $$
  select coalesce(array_agg(
    replace(replace(replace(replace(k, '%', '%25'), '&', '%26'), '=', '%3D'), ' ', '%20') || '=' ||
    replace(replace(replace(replace(v, '%', '%25'), '&', '%26'), '=', '%3D'), ' ', '%20')), '{}')
  from jsonb_each_text(coalesce(params, '{}')) as e(k, v)
$$;

create function net.http_get(url text, params jsonb default '{}'::jsonb, headers jsonb default '{}'::jsonb,
                             timeout_milliseconds integer default 5000)
returns bigint
language plpgsql
volatile parallel unsafe
set search_path = pg_catalog
as $$
declare
  v_id bigint;
begin
  insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
  values ('GET', net._encode_url_with_params_array(url, net._params(params)), coalesce(headers, '{}'),
          timeout_milliseconds)
  returning id into v_id;
  return v_id;
end
$$;
comment on function net.http_get(text, jsonb, jsonb, integer) is 'Queues a GET request; sent after the transaction commits. Returns the request id (see net._http_response).';

create function net.http_post(url text, body jsonb default '{}'::jsonb, params jsonb default '{}'::jsonb,
                              headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
                              timeout_milliseconds integer default 5000)
returns bigint
language plpgsql
volatile parallel unsafe
set search_path = pg_catalog
as $$
declare
  v_id bigint;
  v_type text;
begin
  select value into v_type from jsonb_each_text(coalesce(headers, '{}')) where lower(key) = 'content-type';
  if body is not null and v_type is not null and v_type <> 'application/json' then
    raise exception 'Content-Type header must be "application/json"';
  end if;
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('POST', net._encode_url_with_params_array(url, net._params(params)),
          coalesce(headers, '{}') || case when v_type is null then '{"Content-Type": "application/json"}'::jsonb else '{}' end,
          convert_to(coalesce(body, 'null'::jsonb)::text, 'UTF8'), timeout_milliseconds)
  returning id into v_id;
  return v_id;
end
$$;
comment on function net.http_post(text, jsonb, jsonb, jsonb, integer) is 'Queues a POST request with a JSON body; sent after the transaction commits. Returns the request id (see net._http_response).';

create function net.http_delete(url text, params jsonb default '{}'::jsonb, headers jsonb default '{}'::jsonb,
                                timeout_milliseconds integer default 5000, body jsonb default null)
returns bigint
language plpgsql
volatile parallel unsafe
set search_path = pg_catalog
as $$
declare
  v_id bigint;
begin
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('DELETE', net._encode_url_with_params_array(url, net._params(params)), coalesce(headers, '{}'),
          case when body is null then null else convert_to(body::text, 'UTF8') end, timeout_milliseconds)
  returning id into v_id;
  return v_id;
end
$$;
comment on function net.http_delete(text, jsonb, jsonb, integer, jsonb) is 'Queues a DELETE request; sent after the transaction commits. Returns the request id.';

-- As pg_net: the functions run with their definer's rights (queueing needs no
-- grant on the queue), callable by whom the project grants them to.
alter function net.http_get(text, jsonb, jsonb, integer) security definer;
alter function net.http_post(text, jsonb, jsonb, jsonb, integer) security definer;
alter function net.http_delete(text, jsonb, jsonb, integer, jsonb) security definer;
revoke all on function net.http_get(text, jsonb, jsonb, integer) from public;
revoke all on function net.http_post(text, jsonb, jsonb, jsonb, integer) from public;
revoke all on function net.http_delete(text, jsonb, jsonb, integer, jsonb) from public;
grant select on net._http_response to public;
