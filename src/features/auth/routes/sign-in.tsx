import { useEffect, useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { Alert, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { safeNext } from '@/lib/paths';
import { errorMessage } from '@/lib/errors';
import { consumeExpired } from '@/lib/session-expiry';
import { useAuth } from '../components/auth-provider';
import { SignInForm } from '../components/sign-in-form';
import { useSendMagicLink } from '../api/send-magic-link';
import { useSignInWithPassword } from '../api/sign-in';

export function SignInRoute() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const navigate = useNavigate();
  const { session } = useAuth();
  const [expired] = useState(() => consumeExpired());
  const signIn = useSignInWithPassword();
  const magicLink = useSendMagicLink();
  const failure = signIn.error ?? magicLink.error;

  useEffect(() => {
    document.title = 'Sign in · Closed Loop Referrals';
  }, []);

  if (session) return <Navigate to={next} replace />;

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={420}>
        <Stack gap="lg">
          <div>
            <Title order={1} size="h2">
              Sign in
            </Title>
            <Text c="dimmed" size="sm">
              Closed Loop Referrals: follow every referral until the person gets help.
            </Text>
          </div>
          {expired && (
            <Alert color="yellow" role="status" title="Your session has expired">
              Sign in again to continue where you left off.
            </Alert>
          )}
          <SignInForm
            error={failure ? errorMessage(failure) : null}
            onPassword={async (v) => {
              await signIn.mutateAsync(v);
              navigate(next, { replace: true });
            }}
            onMagicLink={(v) => magicLink.mutateAsync({ email: v.email, next })}
          />
        </Stack>
      </Paper>
    </Center>
  );
}

export default SignInRoute;
