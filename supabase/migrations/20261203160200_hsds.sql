-- Open Referral HSDS 3.0: where imported programs came from (program_sources,
-- directory_organizations, taxonomy_terms), how taxonomy terms map to service
-- categories (taxonomy_category_map, with the Open Eligibility top-level
-- terms, whose names are this directory's categories), and the read API the
-- hsds edge function serves.
-- the hsds API's proximity search first takes a band of latitudes
create index programs_latitude_idx on public.programs (latitude);

-- directory_organizations -----------------------------------------------------

create table public.directory_organizations (
  id uuid not null,
  name text not null,
  description text default ''::text not null,
  email text,
  website text,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint directory_organizations_pkey primary key (id),
  constraint directory_organizations_name_check check (((char_length(name) >= 1) and (char_length(name) <= 200))),
  constraint directory_organizations_description_check check ((char_length(description) <= 4000)),
  constraint directory_organizations_email_check check ((char_length(email) <= 320)),
  constraint directory_organizations_website_check check ((char_length(website) <= 500))
);
comment on table public.directory_organizations is 'Organisations that run imported programs (HSDS organization), with their HSDS id as id. Written by the import; readable by every signed-in user.';
comment on column public.directory_organizations.id is 'The HSDS organization id.';
comment on column public.directory_organizations.name is 'Organisation name.';
comment on column public.directory_organizations.description is 'What the organisation does.';
comment on column public.directory_organizations.email is 'Public contact email.';
comment on column public.directory_organizations.website is 'Public website.';
comment on column public.directory_organizations.created_at is 'When it was first imported.';
comment on column public.directory_organizations.updated_at is 'When it last changed.';

alter table public.directory_organizations enable row level security;

revoke all on table public.directory_organizations from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.directory_organizations to service_role;
grant select on table public.directory_organizations to authenticated;

create trigger directory_organizations_touch before update on public.directory_organizations for each row execute function private.touch_updated_at();

create policy "Signed-in users can view directory organisations" on public.directory_organizations for select to authenticated
  using (true);

-- program_sources -------------------------------------------------------------

create table public.program_sources (
  program_id uuid not null,
  service_at_location_id uuid not null,
  service_id uuid not null,
  location_id uuid not null,
  organization_id uuid,
  taxonomy_term_ids uuid[] default '{}'::uuid[] not null,
  content_hash text not null,
  imported_at timestamp with time zone default now() not null,
  constraint program_sources_pkey primary key (program_id),
  constraint program_sources_service_at_location_id_key unique (service_at_location_id),
  constraint program_sources_content_hash_check check ((char_length(content_hash) <= 100)),
  constraint program_sources_program_id_fkey foreign key (program_id) references public.programs(id) on delete cascade,
  constraint program_sources_organization_id_fkey foreign key (organization_id) references public.directory_organizations(id) on delete set null
);
comment on table public.program_sources is 'Where an imported program came from: its HSDS service_at_location, service, location and organization ids and taxonomy terms. The import matches programs by service_at_location_id; content_hash is the imported record''s fingerprint, so a re-import of unchanged data writes nothing (and keeps claimers'' own edits). Programs without a row here were entered by hand.';
comment on column public.program_sources.program_id is 'The program.';
comment on column public.program_sources.service_at_location_id is 'HSDS service_at_location id: the key the import upserts by.';
comment on column public.program_sources.service_id is 'HSDS service id (several programs share it when a service runs at several locations).';
comment on column public.program_sources.location_id is 'HSDS location id.';
comment on column public.program_sources.organization_id is 'The organisation that runs it.';
comment on column public.program_sources.taxonomy_term_ids is 'HSDS taxonomy terms of the service (service_categories holds what they map to).';
comment on column public.program_sources.content_hash is 'Fingerprint of the imported record; unchanged means nothing to write.';
comment on column public.program_sources.imported_at is 'When the import last wrote the program.';

create index program_sources_organization_id_idx on public.program_sources (organization_id);
create index program_sources_service_id_idx on public.program_sources (service_id);
create index program_sources_taxonomy_term_ids_idx on public.program_sources using gin (taxonomy_term_ids);

alter table public.program_sources enable row level security;

revoke all on table public.program_sources from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.program_sources to service_role;

-- taxonomy_terms ----------------------------------------------------------------

create table public.taxonomy_terms (
  id uuid not null,
  code text,
  name text not null,
  description text default ''::text not null,
  parent_id uuid,
  taxonomy text,
  constraint taxonomy_terms_pkey primary key (id),
  constraint taxonomy_terms_name_check check (((char_length(name) >= 1) and (char_length(name) <= 200))),
  constraint taxonomy_terms_code_check check ((char_length(code) <= 100)),
  constraint taxonomy_terms_taxonomy_check check ((char_length(taxonomy) <= 200)),
  constraint taxonomy_terms_description_check check ((char_length(description) <= 4000))
);
comment on table public.taxonomy_terms is 'HSDS taxonomy terms from imported datasets (id, code, name, parent, taxonomy). Written by the import.';
comment on column public.taxonomy_terms.id is 'The HSDS taxonomy_term id.';
comment on column public.taxonomy_terms.code is 'The term''s code in its taxonomy.';
comment on column public.taxonomy_terms.name is 'The term''s name.';
comment on column public.taxonomy_terms.description is 'What the term means.';
comment on column public.taxonomy_terms.parent_id is 'The broader term, if any.';
comment on column public.taxonomy_terms.taxonomy is 'The taxonomy it belongs to, e.g. Open Eligibility.';

alter table public.taxonomy_terms enable row level security;

revoke all on table public.taxonomy_terms from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.taxonomy_terms to service_role;
grant select on table public.taxonomy_terms to authenticated;

create policy "Signed-in users can view taxonomy terms" on public.taxonomy_terms for select to authenticated
  using (true);

-- taxonomy_category_map ---------------------------------------------------------

create table public.taxonomy_category_map (
  taxonomy text not null,
  term text not null,
  category public.service_category not null,
  constraint taxonomy_category_map_pkey primary key (taxonomy, term),
  constraint taxonomy_category_map_taxonomy_check check ((taxonomy = lower(taxonomy))),
  constraint taxonomy_category_map_term_check check ((term = lower(term)))
);
comment on table public.taxonomy_category_map is 'How the import turns HSDS taxonomy terms into service_categories: a term maps when its taxonomy and its code or name match a row here (lower case), or else when a broader term (parent_id) does. Edit rows here in Studio to map other taxonomies.';
comment on column public.taxonomy_category_map.taxonomy is 'The taxonomy''s name, lower case (e.g. open eligibility).';
comment on column public.taxonomy_category_map.term is 'A term''s code or name, lower case.';
comment on column public.taxonomy_category_map.category is 'The category it means here.';

alter table public.taxonomy_category_map enable row level security;

revoke all on table public.taxonomy_category_map from public, anon, authenticated, service_role;
grant insert, select, update, delete on table public.taxonomy_category_map to service_role;

-- The HSDS read API ---------------------------------------------------------------

-- Every program as an HSDS service at a location: imported ones with their
-- HSDS ids, hand-entered ones with the program id as service, location,
-- service_at_location and organization id. Public listing fields only.
create or replace view private.hsds_listing as
  select p.id as program_id,
         coalesce(s.service_at_location_id, p.id) as service_at_location_id,
         coalesce(s.service_id, p.id) as service_id,
         coalesce(s.location_id, p.id) as location_id,
         coalesce(s.organization_id, p.id) as organization_id,
         p.name, p.description, p.email, p.website, p.phone, p.address, p.zip, p.latitude, p.longitude,
         p.service_categories,
         coalesce(s.taxonomy_term_ids, '{}'::uuid[]) as taxonomy_term_ids,
         -- public.current_capacity, written out
         case when p.capacity_updated_at >= now() - interval '30 days' then p.capacity
              else 'unknown'::public.program_capacity end as capacity,
         p.capacity_wait, p.capacity_updated_at, p.verified_at, p.updated_at,
         coalesce(o.name, p.name) as organization_name,
         coalesce(o.description, p.description) as organization_description,
         case when o.id is null then p.email else o.email end as organization_email,
         case when o.id is null then p.website else o.website end as organization_website
  from public.programs p
  left join public.program_sources s on s.program_id = p.id
  left join public.directory_organizations o on o.id = s.organization_id;
comment on view private.hsds_listing is 'The directory as HSDS services at locations (public fields only), read by the hsds_* functions.';
revoke all on table private.hsds_listing from public, anon, authenticated, service_role;
grant select on table private.hsds_listing to service_role;

-- An HSDS organization object (one-to-one fields).
create or replace function private.hsds_organization_json(l private.hsds_listing)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', l.organization_id, 'name', l.organization_name, 'description', l.organization_description,
    'email', l.organization_email, 'website', l.organization_website)
$$;
revoke all on function private.hsds_organization_json(private.hsds_listing) from public, anon, authenticated, service_role;
grant execute on function private.hsds_organization_json(private.hsds_listing) to service_role;

-- An HSDS service object: its one-to-one fields, with the organization, and
-- when full also phones, taxonomy attributes, service_at_locations with their
-- locations and addresses, and service_capacity (capacity as HSDS 3.1 names
-- it: description "accepting", "waitlist: about 2 weeks", "not accepting",
-- "unknown"; updated).
create or replace function private.hsds_service_json(p_service_id uuid, p_full boolean)
returns jsonb
language sql
stable
set search_path = ''
as $$
  -- the service's programs: a hand-entered program is its own service; an
  -- imported one is found through program_sources (both by index)
  with ids as (
    select p_service_id as program_id
    union all
    select s.program_id from public.program_sources s where s.service_id = p_service_id
  ), rows as (
    select l.* from private.hsds_listing l
    where l.program_id in (select ids.program_id from ids) and l.service_id = p_service_id
  ), first as (
    select l as r from private.hsds_listing l
    where l.program_id in (select ids.program_id from ids) and l.service_id = p_service_id
    order by l.program_id limit 1
  )
  select jsonb_build_object(
           'id', (f.r).service_id, 'organization_id', (f.r).organization_id, 'name', (f.r).name,
           'description', (f.r).description, 'url', (f.r).website, 'email', (f.r).email, 'status', 'active',
           'assured_date', to_char((f.r).verified_at at time zone 'UTC', 'YYYY-MM-DD'),
           'last_modified', to_char((f.r).updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'organization', private.hsds_organization_json(f.r))
         || case when not p_full then '{}'::jsonb else jsonb_build_object(
           'phones', coalesce((
             select jsonb_agg(jsonb_build_object('id', r.service_at_location_id, 'service_id', r.service_id,
                                                 'service_at_location_id', r.service_at_location_id, 'number', r.phone)
                              order by r.service_at_location_id)
             from rows r where r.phone is not null), '[]'::jsonb),
           'attributes', coalesce((
             select jsonb_agg(jsonb_build_object('id', t.id, 'link_id', (f.r).service_id, 'link_type', 'service',
                                                 'link_entity', 'service', 'taxonomy_term_id', t.id,
                                                 'taxonomy_term', jsonb_build_object('id', t.id, 'code', t.code, 'name', t.name,
                                                   'description', t.description, 'parent_id', t.parent_id, 'taxonomy', t.taxonomy))
                              order by t.id)
             from public.taxonomy_terms t where t.id = any ((f.r).taxonomy_term_ids)), '[]'::jsonb),
           'service_at_locations', coalesce((
             select jsonb_agg(jsonb_build_object(
                      'id', r.service_at_location_id, 'service_id', r.service_id, 'location_id', r.location_id,
                      'location', jsonb_build_object(
                        'id', r.location_id, 'location_type', 'physical', 'organization_id', r.organization_id,
                        'name', r.name, 'latitude', r.latitude, 'longitude', r.longitude,
                        'addresses', jsonb_build_array(jsonb_build_object(
                          'id', r.location_id, 'location_id', r.location_id, 'address_1', r.address,
                          'city', '', 'state_province', '', 'postal_code', r.zip, 'country', 'US',
                          'address_type', 'physical'))))
                    order by r.service_at_location_id)
             from rows r), '[]'::jsonb),
           'service_capacity', jsonb_build_array(jsonb_build_object(
             'id', (f.r).service_id, 'service_id', (f.r).service_id,
             'description', case (f.r).capacity
                              when 'waitlist' then 'waitlist' || coalesce(': ' || (f.r).capacity_wait, '')
                              when 'not_accepting' then 'not accepting'
                              else (f.r).capacity::text end,
             'updated', to_char((f.r).capacity_updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))))
         end
  from first f
$$;
revoke all on function private.hsds_service_json(uuid, boolean) from public, anon, authenticated, service_role;
grant execute on function private.hsds_service_json(uuid, boolean) to service_role;

-- A page in HSDS form: total_items, total_pages, page_number, size,
-- first_page, last_page, empty, contents.
create or replace function private.hsds_page(p_total bigint, p_page integer, p_per_page integer, p_contents jsonb)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object(
    'total_items', p_total,
    'total_pages', ceil(p_total::numeric / p_per_page)::bigint,
    'page_number', p_page,
    'size', jsonb_array_length(p_contents),
    'first_page', p_page = 1,
    'last_page', p_page >= ceil(p_total::numeric / p_per_page),
    'empty', jsonb_array_length(p_contents) = 0,
    'contents', p_contents)
$$;
revoke all on function private.hsds_page(bigint, integer, integer, jsonb) from public, anon, authenticated, service_role;
grant execute on function private.hsds_page(bigint, integer, integer, jsonb) to service_role;

-- Checks paging and the search filters shared by the list endpoints.
create or replace function private.hsds_check_paging(p_page integer, p_per_page integer)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if p_page is null or p_page < 1 then
    raise exception 'page must be a whole number from 1' using errcode = '22023';
  end if;
  if p_per_page is null or p_per_page < 1 or p_per_page > 200 then
    raise exception 'per_page must be a whole number from 1 to 200' using errcode = '22023';
  end if;
end
$$;
revoke all on function private.hsds_check_paging(integer, integer) from public, anon, authenticated, service_role;
grant execute on function private.hsds_check_paging(integer, integer) to service_role;

-- /services: one entry per service, by name.
create or replace function public.hsds_services(search text default NULL::text, taxonomy_term_id uuid default NULL::uuid, organization_id uuid default NULL::uuid, modified_after timestamp with time zone default NULL::timestamp with time zone, page integer default 1, per_page integer default 50)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_search text := nullif(trim(hsds_services.search), '');
  v_total bigint;
  v_ids uuid[];
begin
  perform private.hsds_check_paging(hsds_services.page, hsds_services.per_page);
  with matching as (
    select l.service_id, min(l.name) as name
    from private.hsds_listing l
    where (v_search is null or l.name ilike '%' || v_search || '%' or l.description ilike '%' || v_search || '%')
      and (hsds_services.taxonomy_term_id is null or l.taxonomy_term_ids @> array[hsds_services.taxonomy_term_id])
      and (hsds_services.organization_id is null or l.organization_id = hsds_services.organization_id)
      and (hsds_services.modified_after is null or l.updated_at >= hsds_services.modified_after)
    group by l.service_id
  )
  select (select count(*) from matching),
         array(select m.service_id from matching m order by m.name, m.service_id
               limit hsds_services.per_page offset (hsds_services.page - 1)::bigint * hsds_services.per_page)
    into v_total, v_ids;
  return private.hsds_page(v_total, hsds_services.page, hsds_services.per_page, coalesce(
    (select jsonb_agg(private.hsds_service_json(i.id, false) order by i.ord) from unnest(v_ids) with ordinality as i(id, ord)),
    '[]'::jsonb));
end
$$;
comment on function public.hsds_services(text, uuid, uuid, timestamp with time zone, integer, integer) is 'HSDS 3.0 GET /services for the hsds edge function: a page of services (search in name and description, taxonomy_term_id, organization_id, modified_after). Service role only.';
revoke all on function public.hsds_services(text, uuid, uuid, timestamp with time zone, integer, integer) from public, anon, authenticated, service_role;
grant execute on function public.hsds_services(text, uuid, uuid, timestamp with time zone, integer, integer) to service_role;

-- /services/{id}: the full service, or null.
create or replace function public.hsds_service(id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select private.hsds_service_json(hsds_service.id, true)
$$;
comment on function public.hsds_service(uuid) is 'HSDS 3.0 GET /services/{id} for the hsds edge function: the full service, or null. Service role only.';
revoke all on function public.hsds_service(uuid) from public, anon, authenticated, service_role;
grant execute on function public.hsds_service(uuid) to service_role;

-- /organizations and /organizations/{id} (with its services).
create or replace function public.hsds_organizations(search text default NULL::text, page integer default 1, per_page integer default 50)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_search text := nullif(trim(hsds_organizations.search), '');
  v_total bigint;
  v_rows jsonb;
begin
  perform private.hsds_check_paging(hsds_organizations.page, hsds_organizations.per_page);
  with orgs as (
    select distinct on (l.organization_id) private.hsds_organization_json(l) as org, l.organization_name as name, l.organization_id as id
    from private.hsds_listing l
    where v_search is null or l.organization_name ilike '%' || v_search || '%' or l.organization_description ilike '%' || v_search || '%'
    order by l.organization_id
  )
  select (select count(*) from orgs),
         (select jsonb_agg(o.org order by o.name, o.id) from (
            select * from orgs order by name, id
            limit hsds_organizations.per_page offset (hsds_organizations.page - 1)::bigint * hsds_organizations.per_page) o)
    into v_total, v_rows;
  return private.hsds_page(v_total, hsds_organizations.page, hsds_organizations.per_page, coalesce(v_rows, '[]'::jsonb));
end
$$;
comment on function public.hsds_organizations(text, integer, integer) is 'HSDS 3.0 GET /organizations for the hsds edge function. Service role only.';
revoke all on function public.hsds_organizations(text, integer, integer) from public, anon, authenticated, service_role;
grant execute on function public.hsds_organizations(text, integer, integer) to service_role;

create or replace function public.hsds_organization(id uuid)
returns jsonb
language sql
stable
set search_path = ''
as $$
  -- the organisation's programs: a hand-entered program is its own
  -- organisation; imported ones through program_sources (both by index)
  with ids as (
    select hsds_organization.id as program_id
    union all
    select s.program_id from public.program_sources s where s.organization_id = hsds_organization.id
  ), rows as (
    select l from private.hsds_listing l
    where l.program_id in (select ids.program_id from ids) and l.organization_id = hsds_organization.id
  )
  select private.hsds_organization_json(o.l)
         || jsonb_build_object('services', coalesce((
              select jsonb_agg(private.hsds_service_json(s.service_id, false) order by s.service_id)
              from (select distinct (r.l).service_id from rows r) s), '[]'::jsonb))
  from (select r.l from rows r order by (r.l).program_id limit 1) o
$$;
comment on function public.hsds_organization(uuid) is 'HSDS 3.0 GET /organizations/{id} for the hsds edge function: the organization with its services, or null. Service role only.';
revoke all on function public.hsds_organization(uuid) from public, anon, authenticated, service_role;
grant execute on function public.hsds_organization(uuid) to service_role;

-- /service_at_locations: nearest the postcode's centroid first when one is
-- given, within proximity metres of it when that is given too.
create or replace function public.hsds_service_at_locations(postcode text default NULL::text, proximity numeric default NULL::numeric, search text default NULL::text, taxonomy_term_id uuid default NULL::uuid, organization_id uuid default NULL::uuid, modified_after timestamp with time zone default NULL::timestamp with time zone, page integer default 1, per_page integer default 50)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_search text := nullif(trim(hsds_service_at_locations.search), '');
  v_lat double precision;
  v_lon double precision;
  v_dlat double precision;
  v_total bigint;
  v_rows jsonb;
begin
  perform private.hsds_check_paging(hsds_service_at_locations.page, hsds_service_at_locations.per_page);
  if hsds_service_at_locations.proximity is not null and hsds_service_at_locations.postcode is null then
    raise exception 'proximity needs a postcode' using errcode = '22023';
  end if;
  if hsds_service_at_locations.proximity is not null and hsds_service_at_locations.proximity < 0 then
    raise exception 'proximity must be a distance in metres, not negative' using errcode = '22023';
  end if;
  if hsds_service_at_locations.postcode is not null then
    select z.latitude, z.longitude into v_lat, v_lon
    from public.zip_centroids z where z.zip = left(trim(hsds_service_at_locations.postcode), 5);
    if not found then
      raise exception 'Unknown postcode: %', hsds_service_at_locations.postcode
        using errcode = '22023', hint = 'Give a five-digit US ZIP code, for example 78702.';
    end if;
    -- a latitude band around the centroid (one degree is about 111 km), so
    -- the exact distance is only worked out for programs that can be near
    v_dlat := hsds_service_at_locations.proximity / 111000.0 * 1.01;
  end if;

  with matching as (
    select l.*,
           case when v_lat is null then null else
             6371008.8 * 2 * asin(least(1, sqrt(
               power(sin(radians(l.latitude - v_lat) / 2), 2)
               + cos(radians(v_lat)) * cos(radians(l.latitude)) * power(sin(radians(l.longitude - v_lon) / 2), 2))))
           end as metres
    from private.hsds_listing l
    where (v_search is null or l.name ilike '%' || v_search || '%' or l.description ilike '%' || v_search || '%')
      and (hsds_service_at_locations.taxonomy_term_id is null or l.taxonomy_term_ids @> array[hsds_service_at_locations.taxonomy_term_id])
      and (hsds_service_at_locations.organization_id is null or l.organization_id = hsds_service_at_locations.organization_id)
      and (hsds_service_at_locations.modified_after is null or l.updated_at >= hsds_service_at_locations.modified_after)
      and (v_dlat is null or l.latitude between v_lat - v_dlat and v_lat + v_dlat)
  ), near as (
    select * from matching m
    where hsds_service_at_locations.proximity is null or m.metres <= hsds_service_at_locations.proximity
  )
  select (select count(*) from near),
         (select jsonb_agg(jsonb_build_object(
                    'id', n.service_at_location_id, 'service_id', n.service_id, 'location_id', n.location_id,
                    'description', n.description,
                    'service', jsonb_build_object('id', n.service_id, 'organization_id', n.organization_id, 'name', n.name,
                                                  'description', n.description, 'url', n.website, 'email', n.email,
                                                  'status', 'active',
                                                  'assured_date', to_char(n.verified_at at time zone 'UTC', 'YYYY-MM-DD'),
                                                  'last_modified', to_char(n.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
                    'location', jsonb_build_object('id', n.location_id, 'location_type', 'physical', 'organization_id', n.organization_id,
                                                   'name', n.name, 'latitude', n.latitude, 'longitude', n.longitude),
                    'service_capacity', jsonb_build_array(jsonb_build_object(
                      'id', n.service_id, 'service_id', n.service_id,
                      'description', case n.capacity
                                       when 'waitlist' then 'waitlist' || coalesce(': ' || n.capacity_wait, '')
                                       when 'not_accepting' then 'not accepting'
                                       else n.capacity::text end,
                      'updated', to_char(n.capacity_updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))),
                    'distance', round(n.metres::numeric))
                  order by n.ord)
          from (select near.*, row_number() over (order by near.metres nulls last, near.name, near.service_at_location_id) as ord
                from near
                order by near.metres nulls last, near.name, near.service_at_location_id
                limit hsds_service_at_locations.per_page
                offset (hsds_service_at_locations.page - 1)::bigint * hsds_service_at_locations.per_page) n)
    into v_total, v_rows;
  return private.hsds_page(v_total, hsds_service_at_locations.page, hsds_service_at_locations.per_page, coalesce(v_rows, '[]'::jsonb));
end
$$;
comment on function public.hsds_service_at_locations(text, numeric, text, uuid, uuid, timestamp with time zone, integer, integer) is 'HSDS 3.0 GET /service_at_locations for the hsds edge function: postcode (nearest its centroid first; distance in metres), proximity (metres from that centroid), search, taxonomy_term_id, organization_id, modified_after, page, per_page. An unknown postcode raises 22023. Service role only.';
revoke all on function public.hsds_service_at_locations(text, numeric, text, uuid, uuid, timestamp with time zone, integer, integer) from public, anon, authenticated, service_role;
grant execute on function public.hsds_service_at_locations(text, numeric, text, uuid, uuid, timestamp with time zone, integer, integer) to service_role;

-- The Open Eligibility taxonomy's top-level terms are this directory's
-- categories; narrower terms map through their parent.
insert into public.taxonomy_category_map (taxonomy, term, category)
select 'open eligibility', c::text, c from unnest(enum_range(null::public.service_category)) c
on conflict do nothing;
