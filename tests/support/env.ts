/**
 * Where the test stack runs: the same derivation the global setup uses, from
 * TEST_STACK_BASE_PORT (default 25321: below the ephemeral port range, so an
 * outgoing connection can never hold one of its ports), so tests never touch
 * `npm run dev`.
 */
import { KEYS, portsFrom, dbUrl } from '../../stack/config.ts';

export const TEST_BASE_PORT = Number(process.env.TEST_STACK_BASE_PORT ?? 25321);
const ports = portsFrom(TEST_BASE_PORT);

export const env = {
  ports,
  apiUrl: `http://127.0.0.1:${ports.api}`,
  restUrl: `http://127.0.0.1:${ports.api}/rest/v1`,
  authUrl: `http://127.0.0.1:${ports.api}/auth/v1`,
  functionsUrl: `http://127.0.0.1:${ports.api}/functions/v1`,
  mailUrl: `http://127.0.0.1:${ports.mailWeb}`,
  /** The SMS catcher: Twilio's API, its page and /api/sms. */
  smsUrl: `http://127.0.0.1:${ports.sms}`,
  /** The built app served for end-to-end tests (auth.site_url of the test stack). */
  appUrl: `http://127.0.0.1:${TEST_BASE_PORT + 20}`,
  /** Test-only control endpoint of the global setup (restart services). */
  controlUrl: `http://127.0.0.1:${TEST_BASE_PORT + 19}`,
  dbUrl: dbUrl(ports.db),
  anonKey: KEYS.anonKey,
  serviceRoleKey: KEYS.serviceRoleKey,
  jwtSecret: KEYS.jwtSecret,
  password: 'password123',
};
