import { createClient } from '@supabase/supabase-js';
import type { Database } from './database.types';
import { env } from './env';

/**
 * The one Supabase client of the app. Row-level security decides what each
 * signed-in person sees; the client only ever holds the anon key and the
 * user's own session.
 */
export const supabase = createClient<Database>(env.supabaseUrl, env.supabaseAnonKey, {
  auth: { persistSession: true, autoRefreshToken: true, detectSessionInUrl: true },
});

/** Row, insert, update and enum types, generated from the database (`npm run db:types`). */
export type { Enums, Tables, TablesInsert, TablesUpdate } from './database.types';
/** The rows a supabase-js query returns, embeds included: `QueryData<typeof query>`. */
export type { QueryData } from '@supabase/supabase-js';
