// A minimal function that proves the runtime works: it answers with the
// caller's role and user id, read from the JWT the runtime already verified.
// Also used by the stack's contract tests.
import { createClient } from 'npm:@supabase/supabase-js@2.119.0';

Deno.serve(async (req: Request) => {
  const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_ANON_KEY')!, {
    global: { headers: { Authorization: req.headers.get('Authorization') ?? '' } },
    auth: { persistSession: false },
  });
  const token = (req.headers.get('Authorization') ?? '').replace(/^Bearer\s+/i, '');
  const claims = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));
  const body = req.method === 'POST' ? await req.json().catch(() => null) : null;
  return Response.json({
    message: `Hello ${body?.name ?? 'there'}`,
    role: claims.role,
    sub: claims.sub ?? null,
    restReachable: typeof supabase.from === 'function',
  });
});
