import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { isSessionError } from './errors';
import { notifyError } from './notify';
import { sessionExpired } from './session-expiry';

function shouldRetry(failureCount: number, error: unknown) {
  const e = error as { code?: string; status?: number } | null;
  // Postgres/PostgREST refusals will not succeed on a retry; network blips may.
  if (e?.code && /^(?:[0-9A-Z]{5}|PGRST\d+)$/.test(e.code)) return false;
  if (e?.status && e.status >= 400 && e.status < 500) return false;
  return failureCount < 2;
}

export function createQueryClient() {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (isSessionError(error)) return sessionExpired();
        // Screens show their own load errors; only a failed background refresh of data
        // already on screen deserves a toast (the screen keeps the last good data).
        if (query.state.data !== undefined) notifyError(error, 'Could not refresh');
      },
    }),
    mutationCache: new MutationCache({
      onError: (error) => {
        if (isSessionError(error)) sessionExpired();
      },
    }),
    defaultOptions: {
      queries: { staleTime: 30_000, retry: shouldRetry, refetchOnWindowFocus: true },
      mutations: { retry: false },
    },
  });
}

export const queryClient = createQueryClient();
