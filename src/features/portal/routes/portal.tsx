import { lazy, Suspense } from 'react';
import { Spinner } from '@/components/seeker-ui';
import { setSeekerLanguage, useT } from '@/i18n';
import { portalClient, usePortalSession } from '../api/session';
import { PortalShell } from '../components/portal-shell';
import { PortalSignIn } from '../components/portal-sign-in';

// The signed-in portal (Supabase client, TanStack Query, Realtime) loads only for someone signed in.
const SignedIn = lazy(() => import('../components/signed-in'));

/** Someone may be signed in: the frame they will see (with Sign out), and a spinner until we know. */
function Checking() {
  const { t } = useT();
  const signOut = () => void portalClient().then((supabase) => supabase.auth.signOut());
  return (
    <PortalShell onLanguage={setSeekerLanguage} onSignOut={signOut}>
      <Spinner label={t('loading')} />
    </PortalShell>
  );
}

/**
 * /portal: the seeker's own page. Signs in by magic link or texted code;
 * English and Spanish. Signed out, it is the sign-in card at once (the same
 * as seeker.html's static shell); with a session, the signed-in portal.
 */
export function PortalPage() {
  const session = usePortalSession();
  if (session.status === 'checking') return <Checking />;
  if (session.status === 'signed-out') {
    return (
      <PortalShell onLanguage={setSeekerLanguage}>
        <PortalSignIn />
      </PortalShell>
    );
  }
  return (
    <Suspense fallback={<Checking />}>
      <SignedIn userId={session.userId} />
    </Suspense>
  );
}
