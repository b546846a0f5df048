import { Center, Loader } from '@mantine/core';
import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { paths } from '@/lib/paths';
import { useAuth } from './auth-provider';

/** Routes below this need a session; without one, go to sign-in and remember the page. */
export function RequireAuth() {
  const { session, loading } = useAuth();
  const location = useLocation();
  if (loading) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (!session) {
    return <Navigate to={paths.signIn.getHref(location.pathname + location.search)} replace />;
  }
  return <Outlet />;
}
