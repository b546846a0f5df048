/** The app's configuration is checked at start-up, with a message that says what to set. */
import { afterEach, describe, expect, it, vi } from 'vitest';

async function load() {
  vi.resetModules();
  return (await import('@/lib/env')).env;
}

afterEach(() => vi.unstubAllEnvs());

describe('env', () => {
  it('reads the Supabase URL and anon key', async () => {
    vi.stubEnv('VITE_SUPABASE_URL', 'https://abc.supabase.co');
    vi.stubEnv('VITE_SUPABASE_ANON_KEY', 'an-anon-key-of-enough-length');
    expect(await load()).toEqual({
      supabaseUrl: 'https://abc.supabase.co',
      supabaseAnonKey: 'an-anon-key-of-enough-length',
    });
  });

  it('refuses a missing or malformed value, naming each', async () => {
    vi.stubEnv('VITE_SUPABASE_URL', 'abc.supabase.co');
    vi.stubEnv('VITE_SUPABASE_ANON_KEY', 'short');
    await expect(load()).rejects.toThrow(
      /VITE_SUPABASE_URL must be the URL of the Supabase API\nVITE_SUPABASE_ANON_KEY: VITE_SUPABASE_ANON_KEY must be the project anon key/,
    );
    vi.stubEnv('VITE_SUPABASE_URL', 'ftp://abc.supabase.co');
    vi.stubEnv('VITE_SUPABASE_ANON_KEY', 'an-anon-key-of-enough-length');
    await expect(load()).rejects.toThrow(/VITE_SUPABASE_URL must be the URL/);
  });
});
