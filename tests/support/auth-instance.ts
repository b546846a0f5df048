/**
 * A second Auth instance on the test database, in this process, with other
 * settings than config.toml (sign-up on, confirmations on, small rate
 * limits…), optionally behind a gateway of its own; supabase-js's AuthClient
 * talks to it as it would to the stack's.
 */
import { createServer } from 'node:net';
import { AuthClient } from '@supabase/supabase-js';
import { type SupabaseConfig, loadSupabaseConfig } from '../../stack/config.ts';
import { start } from '../../stack/auth/index.ts';
import { startGateway } from '../../stack/gateway.ts';
import { env } from './env.ts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Rate limits no suite reaches (the stack's own instance gets the same through its environment). */
export const UNLIMITED: SupabaseConfig['auth']['rateLimit'] = {
  emailSent: 1_000_000,
  anonymousUsers: 1_000_000,
  tokenRefresh: 1_000_000,
  signInSignUps: 1_000_000,
  tokenVerifications: 1_000_000,
};

export interface AuthInstance {
  /** `<api url>/auth/v1` of the instance (or of its gateway). */
  authUrl: string;
  /** An AuthClient with the anon key, no stored session. */
  client(opts?: { flowType?: 'implicit' | 'pkce'; headers?: Record<string, string> }): InstanceType<typeof AuthClient>;
  close(): Promise<void>;
}

/**
 * Starts Auth with config.toml changed by `change` (rate limits raised unless
 * `change` sets them). With `gateway: true` a gateway of its own sits in
 * front, as the stack's does, and `authUrl` goes through it.
 */
export async function startAuthInstance(
  change: (config: SupabaseConfig) => void,
  opts: { gateway?: boolean } = {},
): Promise<AuthInstance> {
  const config = structuredClone(loadSupabaseConfig());
  config.auth.rateLimit = { ...UNLIMITED };
  change(config);
  const port = await freePort();
  const apiPort = opts.gateway ? await freePort() : port;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const ctx = {
    ports: { ...env.ports, auth: port, api: apiPort },
    dataDir: '',
    apiUrl,
    siteUrl: env.appUrl,
    dbUrl: env.dbUrl,
    dev: false,
  };
  const service = await start(ctx, { config });
  const gateway = opts.gateway ? await startGateway(ctx) : undefined;
  const authUrl = `${apiUrl}/auth/v1`;
  return {
    authUrl,
    client: ({ flowType = 'implicit', headers = {} } = {}) =>
      new AuthClient({
        url: authUrl,
        headers: { apikey: env.anonKey, Authorization: `Bearer ${env.anonKey}`, ...headers },
        persistSession: false,
        autoRefreshToken: false,
        detectSessionInUrl: false,
        flowType,
      }),
    async close() {
      await gateway?.close();
      await service.close();
    },
  };
}
