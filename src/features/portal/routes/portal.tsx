import { lazy, Suspense } from 'react';
import { Spinner } from '@/components/seeker-ui';
import { setSeekerLanguage, useT } from '@/i18n';
import { usePortalSession } from '../api/session';
import { PortalShell } from '../components/portal-shell';
import { PortalSignIn } from '../components/portal-sign-in';

// The signed-in portal (Supabase client, TanStack Query, Realtime) loads only for someone signed in.
const SignedIn = lazy(() => import('../components/signed-in'));

function Checking() {
  const { t } = useT();
  return (
    <PortalShell onLanguage={setSeekerLanguage}>
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
