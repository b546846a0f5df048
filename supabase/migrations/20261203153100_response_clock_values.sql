-- =============================================================================
-- New enum values for response clocks and assignment (their own migration:
-- a value added by ALTER TYPE cannot be used in the transaction that adds it).
--   referral_event_type: assigned
--   notification_event:  reminder, escalation, assigned
-- =============================================================================

alter type public.referral_event_type add value if not exists 'assigned';
comment on type public.referral_event_type is 'What happened to a referral, as recorded in its history (assigned: given to a claimer, or taken back).';

alter type public.notification_event add value if not exists 'reminder';
alter type public.notification_event add value if not exists 'escalation';
alter type public.notification_event add value if not exists 'assigned';
comment on type public.notification_event is 'What the notification is about: a referral made or its status changed, or (contact_changed) a seeker''s email, phone or preferred contact changed, told to the previous address; reminder: a referral passed its response time unanswered (to the program); escalation: it is still unanswered at twice that time (to the referrer); assigned: it was assigned to the recipient.';
