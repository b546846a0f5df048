import { lazy, Suspense, type ReactNode } from 'react';
import { MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { AuthProvider } from '@/features/auth';
import { queryClient } from '@/lib/query-client';
import { cssVariablesResolver, theme } from './theme';

// Toasts are never needed for the first paint; their code loads right after it.
const Notifications = lazy(async () => ({ default: (await import('@mantine/notifications')).Notifications }));

export function AppProvider({ children }: { children: ReactNode }) {
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
      <Suspense fallback={null}>
        <Notifications position="bottom-right" limit={4} />
      </Suspense>
      <QueryClientProvider client={queryClient}>
        <AuthProvider>{children}</AuthProvider>
      </QueryClientProvider>
    </MantineProvider>
  );
}
