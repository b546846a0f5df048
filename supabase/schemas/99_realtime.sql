-- =============================================================================
-- Realtime: the tables dashboards listen to. REPLICA IDENTITY FULL (set
-- beside each table) makes updates carry the old row (status from -> to).
-- =============================================================================

do $$
declare
  t text;
begin
  foreach t in array array['referrals', 'referral_notes', 'referral_events', 'goals', 'seekers', 'sites', 'programs']
  loop
    if not exists (
      select 1 from pg_publication_tables
      where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = t
    ) then
      execute format('alter publication supabase_realtime add table public.%I', t);
    end if;
  end loop;
end
$$;
