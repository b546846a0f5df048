// zod/mini: the same schemas, tree-shakable, so validating at start-up costs the first load little.
import * as z from 'zod/mini';

/**
 * The SPA's configuration, read once at start-up. A missing or malformed value
 * stops the app with a clear message instead of failing later on a request.
 * Local defaults live in `.env.development`; production builds set both.
 */
const EnvSchema = z.object({
  VITE_SUPABASE_URL: z.url({ error: 'VITE_SUPABASE_URL must be the URL of the Supabase API' }),
  VITE_SUPABASE_ANON_KEY: z
    .string()
    .check(z.minLength(20, { error: 'VITE_SUPABASE_ANON_KEY must be the project anon key' })),
});

function readEnv() {
  const parsed = EnvSchema.safeParse(import.meta.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid app configuration:\n${problems}`);
  }
  return { supabaseUrl: parsed.data.VITE_SUPABASE_URL, supabaseAnonKey: parsed.data.VITE_SUPABASE_ANON_KEY };
}

export const env = readEnv();
