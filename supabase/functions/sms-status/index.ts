// sms-status: Twilio's status callbacks for the texts the sender sent.
//
// POST (form) MessageSid, MessageStatus (queued | sent | delivered |
// undelivered | failed | …), ErrorCode, signed with X-Twilio-Signature; the
// callback URL carries ?job=<notification job id>, so a callback that arrives
// before the sender recorded the message id still finds its job. The delivery
// state lands in notification_jobs (delivery_status, delivery_error_code),
// which staff see on the referral. No signed-in user calls this
// (verify_jwt = false): the signature is the credential. 204 when recorded or
// stale (a late "sent" after "delivered"), 4xx for anything malformed or unsigned.
import { createClient } from 'npm:@supabase/supabase-js@2.119.0';
import { readTwilioWebhook } from '../_shared/twilio-webhook.ts';

const env = (k: string) => Deno.env.get(k);
const supabase = createClient(env('SUPABASE_URL')!, env('SUPABASE_SERVICE_ROLE_KEY')!, {
  auth: { persistSession: false, autoRefreshToken: false },
});
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SID = /^(SM|MM)[0-9a-f]{32}$/i;

Deno.serve(async (req: Request) => {
  const read = await readTwilioWebhook(req, 'sms-status', env);
  if (!read.ok) return Response.json({ error: read.error }, { status: read.status });
  const job = new URL(req.url).searchParams.get('job') ?? '';
  const sid = read.params.get('MessageSid') ?? '';
  const status = (read.params.get('MessageStatus') ?? read.params.get('SmsStatus') ?? '').toLowerCase();
  const code = read.params.get('ErrorCode') ?? '';
  if (!UUID.test(job)) return Response.json({ error: 'The callback URL names no job' }, { status: 400 });
  if (!SID.test(sid)) return Response.json({ error: 'MessageSid is missing or malformed' }, { status: 400 });
  if (!/^[a-z_]{1,20}$/.test(status)) return Response.json({ error: 'MessageStatus is missing' }, { status: 400 });
  if (!/^[0-9]{0,10}$/.test(code)) return Response.json({ error: 'ErrorCode must be a number' }, { status: 400 });
  const { error } = await supabase.rpc('record_text_delivery', {
    p_job_id: job,
    p_message_sid: sid,
    p_status: status,
    p_error_code: code || undefined,
  });
  if (error) {
    if (error.code === '22023') return Response.json({ error: 'Unknown MessageStatus' }, { status: 400 });
    console.error(`could not record delivery: ${error.message}`);
    return Response.json({ error: 'Not recorded; try again' }, { status: 500 });
  }
  return new Response(null, { status: 204 });
});
