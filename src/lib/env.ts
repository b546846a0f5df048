/**
 * The SPA's configuration, read once at start-up. A missing or malformed value
 * stops the app with a clear message instead of failing later on a request.
 * Local defaults live in `.env.development`; production builds set both.
 * Checked by hand rather than with zod: this runs in the first load of every
 * page, the seekers' small entry included, and two checks do not need a
 * schema library.
 */
function readEnv() {
  const url = import.meta.env.VITE_SUPABASE_URL as unknown;
  const key = import.meta.env.VITE_SUPABASE_ANON_KEY as unknown;
  const problems: string[] = [];
  let validUrl = false;
  try {
    validUrl = typeof url === 'string' && /^https?:$/.test(new URL(url).protocol);
  } catch {
    // not a URL
  }
  if (!validUrl) problems.push('VITE_SUPABASE_URL: VITE_SUPABASE_URL must be the URL of the Supabase API');
  if (typeof key !== 'string' || key.length < 20) {
    problems.push('VITE_SUPABASE_ANON_KEY: VITE_SUPABASE_ANON_KEY must be the project anon key');
  }
  if (problems.length) throw new Error(`Invalid app configuration:\n${problems.join('\n')}`);
  return { supabaseUrl: url as string, supabaseAnonKey: key as string };
}

export const env = readEnv();
