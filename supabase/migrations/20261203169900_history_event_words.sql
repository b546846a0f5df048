-- The history's event type names both events added alongside each other (assigned, referred_not_accepting).
comment on type public.referral_event_type is 'What happened to a referral, as recorded in its history (assigned: given to a claimer, or taken back). referred_not_accepting: the referral was made while the program said it was not accepting referrals (the referrer confirmed it).';
