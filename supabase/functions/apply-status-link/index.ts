// apply-status-link: what the app's one-click page (/r/<token>) calls.
//
//   POST { token, action: "inspect" }  → what the link would do; changes nothing
//   POST { token, action: "apply", reason?, reason_text? }
//                                      → applies it once, as its recipient, with
//                                        the reason chosen on the page (a code of
//                                        public.status_reasons; required from staff
//                                        for a status that needs one: the answer
//                                        is then still "ready", with error
//                                        reason_required / unknown_reason)
//
// A text carries one link whose token names no status (<id>.<signature>):
// inspecting it also answers `choices`, the statuses the person may choose,
// each with the status token the page then inspects and applies as above.
//
// The answer's `state` is ready | applied | used | expired | superseded |
// address_changed (sent to an address that is no longer the recipient's) |
// no_access (a staff recipient no longer on the referral) | invalid; these
// last three reveal nothing about the referral. The
// token itself is the credential (signed, single use, 14 days), so no
// signed-in user is needed (verify_jwt = false in config.toml); the database
// functions that check it are executable by the service role only, which is
// why this function uses the service-role key.
import { createClient } from 'npm:@supabase/supabase-js@2.119.0';

const supabase = createClient(Deno.env.get('SUPABASE_URL')!, Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')!, {
  auth: { persistSession: false, autoRefreshToken: false },
});

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'authorization, x-client-info, apikey, content-type',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
};

function reply(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { ...CORS, 'Cache-Control': 'no-store' } });
}

Deno.serve(async (req: Request) => {
  if (req.method === 'OPTIONS') return new Response(null, { status: 204, headers: CORS });
  if (req.method !== 'POST') return reply({ error: 'Use POST' }, 405);
  let body: { token?: unknown; action?: unknown; reason?: unknown; reason_text?: unknown };
  try {
    body = await req.json();
  } catch {
    return reply({ error: 'Send JSON: { token, action }' }, 400);
  }
  const token = typeof body.token === 'string' ? body.token.slice(0, 200) : '';
  const action = body.action === 'apply' ? 'apply' : body.action === 'inspect' ? 'inspect' : null;
  if (!action) return reply({ error: 'action must be "inspect" or "apply"' }, 400);
  const reason = body.reason ?? null;
  const reasonText = body.reason_text ?? null;
  if (reason !== null && (typeof reason !== 'string' || !/^[a-z][a-z0-9_]{0,39}$/.test(reason))) {
    return reply({ error: 'reason must be the code of one of the listed reasons' }, 400);
  }
  if (reasonText !== null && (typeof reasonText !== 'string' || reasonText.length > 500)) {
    return reply({ error: 'reason_text must be text of at most 500 characters' }, 400);
  }

  const choice = /^[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/.test(token);
  const { data, error } =
    action === 'apply'
      ? await supabase.rpc('apply_one_click_link', {
          p_token: token,
          p_status_reason: reason,
          p_status_reason_text: reasonText,
        })
      : await supabase.rpc(choice ? 'inspect_one_click_choice' : 'inspect_one_click_link', { p_token: token });
  if (error) {
    console.error(`${action} failed: ${error.message}`);
    return reply({ error: 'The status could not be updated. Please try again.' }, 500);
  }
  return reply(data);
});
