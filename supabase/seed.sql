-- =============================================================================
-- The seeded world (docs/seeded-world.md). Every password is password123.
-- Re-runnable on an empty database (after `truncate` of public and auth.users).
--
-- Fixed, readable ids:
--   users     10000000-0000-4000-8000-0000000000NN   (01 Helen … 09 Sam)
--   sites     20000000-0000-4000-8000-0000000000NN
--   programs  30000000-0000-4000-8000-0000000000NN
--   seekers   40000000-0000-4000-8000-0000000000NN
--   referrals 50000000-0000-4000-8000-0000000000NN   (R1 … R4)
--   goals     60000000-0000-4000-8000-0000000000NN
--   notes     70000000-0000-4000-8000-0000000000NN
-- =============================================================================

-- Users, created the way a Supabase project creates them (the profiles
-- trigger names them from raw_user_meta_data).
insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
  confirmation_token, recovery_token, email_change_token_new, email_change,
  email_change_token_current, phone_change, phone_change_token, reauthentication_token
)
select
  '00000000-0000-0000-0000-000000000000', u.id::uuid, 'authenticated', 'authenticated', u.email,
  extensions.crypt('password123', extensions.gen_salt('bf')), now(),
  '{"provider":"email","providers":["email"]}'::jsonb,
  jsonb_build_object('first_name', u.first_name, 'last_name', u.last_name),
  now(), now(),
  '', '', '', '', '', '', '', ''
from (values
  ('10000000-0000-4000-8000-000000000001', 'helen@eastside.example', 'Helen', 'Hughes'),
  ('10000000-0000-4000-8000-000000000002', 'henry@eastside.example', 'Henry', 'Hale'),
  ('10000000-0000-4000-8000-000000000003', 'wendy@westside.example', 'Wendy', 'Wu'),
  ('10000000-0000-4000-8000-000000000004', 'walter@westside.example', 'Walter', 'Webb'),
  ('10000000-0000-4000-8000-000000000005', 'clara@harbor.example', 'Clara', 'Cruz'),
  ('10000000-0000-4000-8000-000000000006', 'cody@harbor.example', 'Cody', 'Chen'),
  ('10000000-0000-4000-8000-000000000007', 'carl@safehaven.example', 'Carl', 'Diaz'),
  ('10000000-0000-4000-8000-000000000008', 'dana@brightfutures.example', 'Dana', 'Dee'),
  ('10000000-0000-4000-8000-000000000009', 'sam@seeker.example', 'Sam', 'Seeker')
) as u (id, email, first_name, last_name);

insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select u.id::text, u.id,
       jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', true),
       'email', now(), now(), now()
from auth.users u
where u.id::text like '10000000-0000-4000-8000-%';

-- Sites and programs.
insert into public.sites (id, name, team_sharing, phone, email, address) values
  ('20000000-0000-4000-8000-000000000001', 'Eastside Community Clinic', true,
   '(512) 555-0111', 'frontdesk@eastside.example', '900 Chicon St, Austin, TX 78702'),
  ('20000000-0000-4000-8000-000000000002', 'Westside Family Center', false,
   '(512) 555-0112', 'hello@westside.example', '3300 W Anderson Ln, Austin, TX 78757');

insert into public.programs (id, name, description, address, zip, phone, email, website, service_categories, team_sharing,
                             hours, what_to_bring) values
  ('30000000-0000-4000-8000-000000000001', 'Harbor Food Pantry',
   'Free groceries every week: fresh produce, pantry staples and baby food. No documents needed.',
   '1100 E 7th St, Austin, TX', '78702', '(512) 555-0101', 'help@harbor.example', 'https://harbor.example',
   '{food}', true, 'Tue and Thu 10am-6pm, Sat 9am-1pm', 'A bag or box for your groceries.'),
  ('30000000-0000-4000-8000-000000000002', 'Safe Haven Housing',
   'Emergency shelter, rapid rehousing and help with rent for families at risk of losing their home.',
   '2200 Riverside Dr, Austin, TX', '78741', '(512) 555-0102', 'intake@safehaven.example', 'https://safehaven.example',
   '{housing}', false, 'Mon-Fri 8am-5pm; call first', 'A photo ID and any eviction or lease papers.'),
  ('30000000-0000-4000-8000-000000000003', 'Bright Futures Job Training',
   'Job readiness classes, résumé help and paid training placements in trades and health care.',
   '4500 S 1st St, Austin, TX', '78745', '(512) 555-0103', 'hello@brightfutures.example', 'https://brightfutures.example',
   '{work,education}', false, 'Mon-Thu 9am-4pm', 'A photo ID and your résumé if you have one.');

-- Memberships (joined_at decides the organisation shown in history).
insert into public.site_members (site_id, user_id, joined_at) values
  ('20000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', '2024-02-01T09:00:00Z'),
  ('20000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000002', '2024-03-01T09:00:00Z'),
  ('20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000003', '2024-02-15T09:00:00Z'),
  ('20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000004', '2024-04-01T09:00:00Z'),
  ('20000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000008', '2025-03-01T00:00:00Z');

insert into public.program_members (program_id, user_id, joined_at) values
  ('30000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000005', '2024-01-15T09:00:00Z'),
  ('30000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000006', '2024-05-01T09:00:00Z'),
  ('30000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000007', '2024-01-20T09:00:00Z'),
  ('30000000-0000-4000-8000-000000000003', '10000000-0000-4000-8000-000000000008', '2024-01-10T00:00:00Z');

-- Seekers. Sam has an account; Rita and Omar do not.
insert into public.seekers (id, first_name, last_name, email, phone, zip, preferred_contact, preferred_language,
                            user_id, created_by, created_from_site_id, created_from_program_id) values
  ('40000000-0000-4000-8000-000000000001', 'Sam', 'Seeker', 'sam@seeker.example', '(512) 555-0199', '78702', 'email', 'en',
   '10000000-0000-4000-8000-000000000009', '10000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001', null),
  ('40000000-0000-4000-8000-000000000002', 'Rita', 'Rivera', 'rita@seeker.example', null, '78741', 'email', 'es',
   null, '10000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000002', null),
  ('40000000-0000-4000-8000-000000000003', 'Omar', 'Ortiz', null, '(512) 555-0177', '78745', 'phone', 'en',
   null, '10000000-0000-4000-8000-000000000005', null, '30000000-0000-4000-8000-000000000001');

-- Sam's goals (his care plan).
insert into public.goals (id, seeker_id, title, description, created_by) values
  ('60000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000001', 'Steady food for the month',
   'Enough groceries for Sam and his daughter until his first pay cheque.', '10000000-0000-4000-8000-000000000001'),
  ('60000000-0000-4000-8000-000000000002', '40000000-0000-4000-8000-000000000001', 'Find full-time work',
   'A job with regular hours near a bus line.', '10000000-0000-4000-8000-000000000001');

-- Referrals R1-R4, each made by its referrer: history is written by the
-- triggers as that person, exactly as through the API.
do $$
declare
  v_claims text := current_setting('request.jwt.claims', true);
begin
  -- The seeded history is old news: enqueue no notifications for it.
  perform set_config('app.suppress_notifications', 'on', true);
  -- R1: Helen (Eastside) refers Sam to Harbor Food Pantry, part of his food goal.
  perform set_config('request.jwt.claims', '{"sub":"10000000-0000-4000-8000-000000000001","role":"authenticated"}', true);
  insert into public.referrals (id, seeker_id, program_id, referred_by, from_site_id, comment, goal_id, created_at) values
    ('50000000-0000-4000-8000-000000000001', '40000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001',
     '10000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001',
     'Sam and his daughter need groceries this week; he can come by after 3pm.',
     '60000000-0000-4000-8000-000000000001', now() - interval '6 days');
  insert into public.referral_notes (id, referral_id, author_id, body, created_at) values
    ('70000000-0000-4000-8000-000000000001', '50000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001',
     'Sam has no car; the pantry is on the 4 bus line.', now() - interval '6 days' + interval '10 minutes');

  -- R2: Wendy (Westside) refers Rita to Safe Haven Housing; Carl marks it pending.
  perform set_config('request.jwt.claims', '{"sub":"10000000-0000-4000-8000-000000000003","role":"authenticated"}', true);
  insert into public.referrals (id, seeker_id, program_id, referred_by, from_site_id, comment, created_at) values
    ('50000000-0000-4000-8000-000000000002', '40000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000002',
     '10000000-0000-4000-8000-000000000003', '20000000-0000-4000-8000-000000000002',
     'Rita''s lease ends at the end of the month. She prefers to be contacted in Spanish.',
     now() - interval '5 days');
  perform set_config('request.jwt.claims', '{"sub":"10000000-0000-4000-8000-000000000007","role":"authenticated"}', true);
  update public.referrals set status = 'pending' where id = '50000000-0000-4000-8000-000000000002';
  insert into public.referral_notes (id, referral_id, author_id, body) values
    ('70000000-0000-4000-8000-000000000002', '50000000-0000-4000-8000-000000000002', '10000000-0000-4000-8000-000000000007',
     'Intake call booked for Tuesday; waiting on proof of income.');

  -- R3: Clara (Harbor Food Pantry) refers Omar to Bright Futures Job Training.
  perform set_config('request.jwt.claims', '{"sub":"10000000-0000-4000-8000-000000000005","role":"authenticated"}', true);
  insert into public.referrals (id, seeker_id, program_id, referred_by, from_program_id, comment, created_at) values
    ('50000000-0000-4000-8000-000000000003', '40000000-0000-4000-8000-000000000003', '30000000-0000-4000-8000-000000000003',
     '10000000-0000-4000-8000-000000000005', '30000000-0000-4000-8000-000000000001',
     'Omar is looking for warehouse or forklift training. Best reached by phone in the morning.',
     now() - interval '3 days');

  -- R4: Carl (Safe Haven Housing) refers Sam to Bright Futures; Dana marks him eligible.
  perform set_config('request.jwt.claims', '{"sub":"10000000-0000-4000-8000-000000000007","role":"authenticated"}', true);
  insert into public.referrals (id, seeker_id, program_id, referred_by, from_program_id, comment, created_at) values
    ('50000000-0000-4000-8000-000000000004', '40000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000003',
     '10000000-0000-4000-8000-000000000007', '30000000-0000-4000-8000-000000000002',
     'Sam wants steady work so he can keep up with rent.',
     now() - interval '2 days');
  perform set_config('request.jwt.claims', '{"sub":"10000000-0000-4000-8000-000000000008","role":"authenticated"}', true);
  update public.referrals set status = 'eligible', goal_id = '60000000-0000-4000-8000-000000000002'
    where id = '50000000-0000-4000-8000-000000000004';
  insert into public.referral_notes (id, referral_id, author_id, body) values
    ('70000000-0000-4000-8000-000000000003', '50000000-0000-4000-8000-000000000004', '10000000-0000-4000-8000-000000000008',
     'Sam qualifies for the spring forklift cohort; orientation on the 3rd.');

  perform set_config('request.jwt.claims', coalesce(v_claims, ''), true);
  perform set_config('app.suppress_notifications', '', true);
end
$$;

-- Where the database reaches the send-notifications function, and with which
-- key (private.request_notification_sender reads them from Vault). These are
-- a Supabase CLI project's local values: `api.supabase.internal:8000` is the
-- API gateway as the local database reaches it, and the key is the CLI's
-- public demo service_role key. Hosted projects store their own once
-- (supabase/functions/send-notifications/README.md).
select vault.create_secret('http://api.supabase.internal:8000', 'notifications_project_url',
                           'API URL as the database reaches it (send-notifications)')
 where not exists (select 1 from vault.secrets where name = 'notifications_project_url');
select vault.create_secret(
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU',
  'notifications_service_role_key', 'service_role key for send-notifications')
 where not exists (select 1 from vault.secrets where name = 'notifications_service_role_key');
