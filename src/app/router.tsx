import { Center, Loader } from '@mantine/core';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router-dom';
import { RequireAuth } from '@/features/auth';
import { paths } from '@/lib/paths';
import { RouteError } from './routes/route-error';

function FirstLoad() {
  return (
    <Center h="100vh">
      <Loader aria-label="Loading" />
    </Center>
  );
}

/**
 * Each screen is its own chunk, loaded when first visited. The pages seekers
 * open (/portal, /r/<token>) are not here: they are their own entry
 * (seeker.html, src/seeker.tsx), which hosting serves for those paths.
 */
const router = createBrowserRouter([
  {
    path: paths.signIn.path,
    lazy: async () => ({ Component: (await import('@/features/auth/routes/sign-in')).default }),
    errorElement: <RouteError />,
    HydrateFallback: FirstLoad,
  },
  {
    element: <RequireAuth />,
    errorElement: <RouteError />,
    HydrateFallback: FirstLoad,
    children: [
      {
        // printed on paper: outside the signed-in frame
        path: paths.referralSummary.path,
        lazy: async () => ({ Component: (await import('@/features/referrals/routes/referral-summary')).default }),
      },
      {
        // The signed-in frame is its own chunk too, fetched alongside the first screen.
        lazy: async () => ({ Component: (await import('./layout/app-layout')).AppLayout }),
        children: [
          { path: paths.home.path, element: <Navigate to={paths.worklist.getHref()} replace /> },
          {
            path: paths.worklist.path,
            lazy: async () => ({ Component: (await import('@/features/referrals/routes/worklist')).default }),
          },
          {
            path: paths.people.path,
            lazy: async () => ({ Component: (await import('@/features/seekers/routes/people')).default }),
          },
          {
            path: paths.seeker.path,
            lazy: async () => ({ Component: (await import('@/features/seekers/routes/seeker-profile')).default }),
          },
          {
            path: paths.startReferral.path,
            lazy: async () => ({
              Component: (await import('@/features/start-referral/routes/start-referral')).default,
            }),
          },
          {
            path: paths.myReferrals.path,
            lazy: async () => ({ Component: (await import('@/features/referrals/routes/my-referrals')).default }),
          },
          {
            path: paths.inbound.path,
            lazy: async () => ({ Component: (await import('@/features/referrals/routes/inbound')).default }),
          },
          {
            path: paths.directoryReports.path,
            lazy: async () => ({ Component: (await import('@/features/directory/routes/reports')).default }),
          },
          {
            path: paths.reports.path,
            lazy: async () => ({ Component: (await import('@/features/reports/routes/reports')).default }),
          },
          {
            path: '*',
            lazy: async () => ({ Component: (await import('./routes/not-found')).default }),
          },
        ],
      },
    ],
  },
]);

export function AppRouter() {
  return <RouterProvider router={router} />;
}
