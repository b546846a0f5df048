import { useEffect, useRef, useState } from 'react';
import { Alert, Center, Loader, Stack, Text, Title } from '@mantine/core';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { useAuth } from '@/features/auth';
import { useStatusReasons } from '@/features/referrals';
import { seekerI18n, setSeekerLanguage, type Language } from '@/i18n';
import { supabase } from '@/lib/supabase';
import { useMySeeker, type MySeeker } from '../api/get-my-seeker';
import { useMyReferrals } from '../api/get-my-referrals';
import { useUpdateMyReferralStatus, type SeekerStatus } from '../api/update-status';
import { useUpdateMyPreferences } from '../api/update-preferences';
import { PortalShell } from '../components/portal-shell';
import { PortalSignIn } from '../components/portal-sign-in';
import { ReferralCard } from '../components/referral-card';
import { PreferencesForm } from '../components/preferences-form';

function Loading() {
  const { t } = useTranslation();
  return (
    <Center py="xl" aria-busy="true">
      <Loader aria-label={t('loading')} />
    </Center>
  );
}

function MyReferrals({ seeker }: { seeker: MySeeker }) {
  const { t } = useTranslation('portal');
  const referrals = useMyReferrals(seeker.id);
  const update = useUpdateMyReferralStatus(seeker.id);
  const reasons = useStatusReasons();

  if (referrals.isPending) return <Loading />;
  if (referrals.isError) {
    return (
      <Alert color="red" role="alert">
        {t('loadFailed')}
      </Alert>
    );
  }
  if (referrals.data.length === 0) return <Text>{t('noReferrals')}</Text>;
  return (
    <Stack gap="md">
      {update.isError && (
        <Alert color="red" role="alert">
          {t('updateFailed')}
        </Alert>
      )}
      {referrals.data.map((r) => (
        <ReferralCard
          key={r.id}
          referral={r}
          reasons={reasons.data}
          pendingStatus={update.isPending && update.variables?.id === r.id ? update.variables.status : undefined}
          onStatus={async (status, statusReason) => {
            await update.mutateAsync({ id: r.id, status: status as SeekerStatus, statusReason });
          }}
        />
      ))}
    </Stack>
  );
}

function SignedIn({ userId }: { userId: string }) {
  const { t } = useTranslation('portal');
  const seeker = useMySeeker(userId);
  const prefs = useUpdateMyPreferences(userId);
  // The outcome of the last save, translated when shown (a language switch re-words it).
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
        <Alert color="red" role="alert">
          {t('loadFailed')}
        </Alert>
      ) : !seeker.data ? (
        <Alert color="blue" title={t('common:appName')}>
          {t('noSeeker')}
        </Alert>
      ) : (
        <Stack gap="lg">
          <div>
            <Title order={1} size="h2">
              {t('greeting', { name: seeker.data.first_name })}
            </Title>
            <Text mt="xs">{t('intro')}</Text>
          </div>
          <MyReferrals seeker={seeker.data} />
          <PreferencesForm key={failures} seeker={seeker.data} onChange={save} message={message} />
        </Stack>
      )}
    </PortalShell>
  );
}

function Portal() {
  const { session, loading } = useAuth();
  if (loading) {
    return (
      <PortalShell onLanguage={setSeekerLanguage}>
        <Loading />
      </PortalShell>
    );
  }
  if (!session) {
    return (
      <PortalShell onLanguage={setSeekerLanguage}>
        <PortalSignIn />
      </PortalShell>
    );
  }
  return <SignedIn userId={session.user.id} />;
}

/** /portal: the seeker's own page. Signs in by magic link only; English and Spanish. */
export default function PortalRoute() {
  return (
    <I18nextProvider i18n={seekerI18n}>
      <Portal />
    </I18nextProvider>
  );
}
