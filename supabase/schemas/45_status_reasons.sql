-- =============================================================================
-- Status reasons: why a referral ended up in a status that needs one (not
-- eligible, no capacity, couldn't contact, couldn't get help, no longer
-- interested, referred elsewhere). Kept by admins in Studio; the rule that
-- staff give one lives in 55_status_changes.sql.
-- =============================================================================

-- The statuses that carry a reason: staff must give one, a seeker may.
create or replace function private.status_needs_reason(p_status public.referral_status)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select p_status in ('not_eligible', 'no_capacity', 'couldnt_contact', 'couldnt_get_help', 'no_longer_interested',
                      'referred_elsewhere')
$$;
revoke all on function private.status_needs_reason(p_status public.referral_status) from public, anon, authenticated, service_role;
grant execute on function private.status_needs_reason(p_status public.referral_status) to authenticated, service_role;

-- status_reasons --------------------------------------------------------------

create table public.status_reasons (
  status public.referral_status not null,
  code text not null,
  label_en text not null,
  label_es text not null,
  sort integer default 0 not null,
  active boolean default true not null,
  constraint status_reasons_pkey primary key (status, code),
  constraint status_reasons_code_check check ((code ~ '^[a-z][a-z0-9_]{0,39}$'::text)),
  constraint status_reasons_label_en_check check (((char_length(btrim(label_en)) >= 1) and (char_length(label_en) <= 120))),
  constraint status_reasons_label_es_check check (((char_length(btrim(label_es)) >= 1) and (char_length(label_es) <= 120))),
  constraint status_reasons_status_check check (private.status_needs_reason(status))
);
comment on table public.status_reasons is 'The reasons people choose from when a referral moves to a status that needs one (not eligible, no capacity, couldn''t contact, couldn''t get help, no longer interested, referred elsewhere). Admins edit them here: add a row, change the words, reorder with sort, retire one with active = false (a reason in use cannot be deleted). Readable by every signed-in user.';
comment on column public.status_reasons.status is 'The status this reason belongs to (only the six that carry a reason).';
comment on column public.status_reasons.code is 'What referrals.status_reason stores: lower case letters, digits and _, unique within the status. Never change the code of a reason in use; add a new one instead.';
comment on column public.status_reasons.label_en is 'The reason in English, as staff, emails and the portal show it.';
comment on column public.status_reasons.label_es is 'The reason in Spanish, for seekers who read Spanish.';
comment on column public.status_reasons.sort is 'Order in the lists (smallest first).';
comment on column public.status_reasons.active is 'Offered for new changes. Turn off to retire a reason; referrals that have it keep it.';

alter table public.status_reasons enable row level security;

revoke all on table public.status_reasons from public, anon, authenticated, service_role;
grant select on table public.status_reasons to authenticated;
grant select, insert, update, delete on table public.status_reasons to service_role;

create policy "Signed-in users read the status reasons" on public.status_reasons for select to authenticated using (true);

insert into public.status_reasons (status, code, label_en, label_es, sort) values
  ('not_eligible', 'income', 'Income above the limit', 'Ingresos por encima del límite', 10),
  ('not_eligible', 'age', 'Age requirement not met', 'No cumple el requisito de edad', 20),
  ('not_eligible', 'residency', 'Outside the service area or residency rules', 'Fuera del área de servicio o de los requisitos de residencia', 30),
  ('not_eligible', 'documents', 'Documents missing', 'Faltan documentos', 40),
  ('not_eligible', 'household', 'Household does not qualify', 'El hogar no cumple los requisitos', 50),
  ('not_eligible', 'other', 'Other reason', 'Otro motivo', 90),
  ('no_capacity', 'waitlist_full', 'Waiting list is full', 'La lista de espera está llena', 10),
  ('no_capacity', 'out_of_supplies', 'Out of funds or supplies', 'Sin fondos ni suministros', 20),
  ('no_capacity', 'no_staff', 'Not enough staff right now', 'No hay suficiente personal por ahora', 30),
  ('no_capacity', 'paused', 'Service paused for now', 'Servicio suspendido por ahora', 40),
  ('no_capacity', 'other', 'Other reason', 'Otro motivo', 90),
  ('couldnt_contact', 'no_answer', 'No answer after several tries', 'No contestó después de varios intentos', 10),
  ('couldnt_contact', 'wrong_number', 'Wrong or disconnected number', 'Número equivocado o desconectado', 20),
  ('couldnt_contact', 'email_bounced', 'Email did not arrive', 'El correo no llegó', 30),
  ('couldnt_contact', 'no_details', 'No contact details', 'No hay datos de contacto', 40),
  ('couldnt_contact', 'other', 'Other reason', 'Otro motivo', 90),
  ('couldnt_get_help', 'not_what_was_needed', 'The service was not what was needed', 'El servicio no era lo que necesitaba', 10),
  ('couldnt_get_help', 'hours_or_place', 'Hours or location did not work', 'El horario o el lugar no le convenían', 20),
  ('couldnt_get_help', 'transport', 'No way to get there', 'No tenía cómo llegar', 30),
  ('couldnt_get_help', 'turned_away', 'Was turned away', 'No le atendieron', 40),
  ('couldnt_get_help', 'other', 'Other reason', 'Otro motivo', 90),
  ('no_longer_interested', 'helped_elsewhere', 'Got help somewhere else', 'Recibió ayuda en otro lugar', 10),
  ('no_longer_interested', 'need_resolved', 'The need was resolved', 'La necesidad se resolvió', 20),
  ('no_longer_interested', 'moved', 'Moved away', 'Se mudó', 30),
  ('no_longer_interested', 'decided_not_to', 'Decided not to go ahead', 'Decidió no seguir adelante', 40),
  ('no_longer_interested', 'other', 'Other reason', 'Otro motivo', 90),
  ('referred_elsewhere', 'better_fit', 'Another program is a better fit', 'Otro programa le conviene más', 10),
  ('referred_elsewhere', 'out_of_area', 'Outside our service area', 'Fuera de nuestra área de servicio', 20),
  ('referred_elsewhere', 'no_capacity', 'We have no capacity', 'No tenemos cupo', 30),
  ('referred_elsewhere', 'client_request', 'The person asked to go elsewhere', 'La persona pidió ir a otro lugar', 40),
  ('referred_elsewhere', 'other', 'Other reason', 'Otro motivo', 90);
