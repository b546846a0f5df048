/**
 * The signed-in portal, loaded only when someone is signed in: the seeker's
 * referrals (live), one-tap status updates and preferences, through the app's
 * Supabase client and TanStack Query (a client of the portal's own: the staff
 * one reports errors with toasts the portal does not load).
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Notice, Spinner } from '@/components/seeker-ui';
import { setSeekerLanguage, useT, type Language } from '@/i18n';
import { supabase } from '@/lib/supabase';
import { useMySeeker, type MySeeker } from '../api/get-my-seeker';
import { useMyReferrals } from '../api/get-my-referrals';
import { useMyStatusReasons } from '../api/get-status-reasons';
import { useUpdateMyReferralStatus, type SeekerStatus } from '../api/update-status';
import { useUpdateMyPreferences } from '../api/update-preferences';
import { PortalShell } from './portal-shell';
import { ReferralCard } from './referral-card';
import { PreferencesForm } from './preferences-form';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { staleTime: 30_000, retry: 1, refetchOnWindowFocus: true },
    mutations: { retry: false },
  },
});

function Loading() {
  const { t } = useT();
  return <Spinner label={t('loading')} />;
}

/** The referrals, then `after` (the preferences): nothing below the list shows before it, so nothing moves down. */
function MyReferrals({ seeker, after }: { seeker: MySeeker; after: ReactNode }) {
  const { t } = useT('portal');
  const referrals = useMyReferrals(seeker.id);
  const update = useUpdateMyReferralStatus(seeker.id);
  const reasons = useMyStatusReasons();

  if (referrals.isPending) return <Loading />;
  if (referrals.isError) {
    return (
      <>
        <Notice tone="red" role="alert">
          {t('loadFailed')}
        </Notice>
        {after}
      </>
    );
  }
  if (referrals.data.length === 0) {
    return (
      <>
        <p>{t('noReferrals')}</p>
        {after}
      </>
    );
  }
  return (
    <>
      <div className="stack">
        {update.isError && (
          <Notice tone="red" role="alert">
            {t('updateFailed')}
          </Notice>
        )}
        {referrals.data.map((r) => (
          <ReferralCard
            key={r.id}
            referral={r}
            reasons={reasons.data}
            pendingStatus={update.isPending && update.variables?.id === r.id ? update.variables.status : undefined}
            onStatus={async (status, statusReason) => {
              // the card says it was saved (with Undo) in its own live region
              await update.mutateAsync({ id: r.id, status: status as SeekerStatus, statusReason });
            }}
          />
        ))}
      </div>
      {after}
    </>
  );
}

function SignedInPortal({ userId }: { userId: string }) {
  const { t } = useT('portal');
  const seeker = useMySeeker(userId);
  const prefs = useUpdateMyPreferences(userId);
  // The outcome of the last save, worded when shown (a language switch re-words it).
  const [message, setMessage] = useState<{ key: 'saved' | 'saveFailed'; error: boolean } | null>(null);
  // Bumped when saving fails: the form starts again from the saved values.
  const [failures, setFailures] = useState(0);
  const adopted = useRef<string | null>(null);

  // Speak the seeker's own language once we know it.
  useEffect(() => {
    if (seeker.data && adopted.current !== seeker.data.id) {
      adopted.current = seeker.data.id;
      setSeekerLanguage(seeker.data.preferred_language);
    }
  }, [seeker.data]);

  const save = (changes: Partial<Pick<MySeeker, 'preferred_contact' | 'preferred_language'>>) => {
    if (!seeker.data) return;
    if (changes.preferred_language) setSeekerLanguage(changes.preferred_language);
    prefs.mutate(
      { seekerId: seeker.data.id, changes },
      {
        onSuccess: () => setMessage({ key: 'saved', error: false }),
        onError: () => {
          setMessage({ key: 'saveFailed', error: true });
          setFailures((n) => n + 1);
        },
      },
    );
  };

  const changeLanguage = (lang: Language) => {
    if (seeker.data) save({ preferred_language: lang });
    else setSeekerLanguage(lang);
  };

  return (
    <PortalShell onLanguage={changeLanguage} onSignOut={() => void supabase.auth.signOut()}>
      {seeker.isPending ? (
        <Loading />
      ) : seeker.isError ? (
        <Notice tone="red" role="alert">
          {t('loadFailed')}
        </Notice>
      ) : !seeker.data ? (
        <Notice tone="blue" title={t('common:appName')}>
          {t('noSeeker')}
        </Notice>
      ) : (
        <div className="stack gap-lg">
          <div>
            <h1 className="h1">{t('greeting', { name: seeker.data.first_name })}</h1>
            <p className="mt-xs">{t('intro')}</p>
          </div>
          <MyReferrals
            seeker={seeker.data}
            after={<PreferencesForm key={failures} seeker={seeker.data} onChange={save} message={message} />}
          />
        </div>
      )}
    </PortalShell>
  );
}

export default function SignedIn({ userId }: { userId: string }) {
  // Nothing cached for one person may be shown to the next.
  useEffect(() => () => queryClient.clear(), []);
  return (
    <QueryClientProvider client={queryClient}>
      <SignedInPortal userId={userId} />
    </QueryClientProvider>
  );
}
