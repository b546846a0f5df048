// sms-inbound: the texts people send to our number (Twilio's incoming-message
// webhook; set it on the number, or locally in supabase/.env as SMS_INBOUND_URL).
//
// POST (form) From, Body, signed with X-Twilio-Signature. STOP (and its
// synonyms) opts the number out of our texts, START opts it back in, HELP says
// who we are; the answer is TwiML, so Twilio texts the reply back, in the
// language of the seeker with that number. Anything else gets an empty
// <Response/>: nobody reads replies, and the opt-out line says so.
import { createClient } from 'npm:@supabase/supabase-js@2.119.0';
import { readTwilioWebhook } from '../_shared/twilio-webhook.ts';

const env = (k: string) => Deno.env.get(k);
const supabase = createClient(env('SUPABASE_URL')!, env('SUPABASE_SERVICE_ROLE_KEY')!, {
  auth: { persistSession: false, autoRefreshToken: false },
});

const REPLIES: Record<'en' | 'es', Record<string, string>> = {
  en: {
    opted_out: 'You will get no more texts from Closed Loop Referrals. Reply START to get them again.',
    opted_in: 'You will get texts about your referrals again. Reply STOP to opt out.',
    help: 'Closed Loop Referrals: texts about your referrals. Sign in at your referrals page to see them. Reply STOP to opt out.',
  },
  es: {
    opted_out: 'Ya no recibira mensajes de Closed Loop Referrals. Responda START para recibirlos de nuevo.',
    opted_in: 'Recibira de nuevo mensajes sobre sus referidos. Responda STOP para no recibir mas mensajes.',
    help: 'Closed Loop Referrals: mensajes sobre sus referidos. Entre a la pagina de sus referidos para verlos. Responda STOP para no recibir mas mensajes.',
  },
};

const xml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const twiml = (message?: string) =>
  new Response(
    `<?xml version="1.0" encoding="UTF-8"?><Response>${message ? `<Message>${xml(message)}</Message>` : ''}</Response>`,
    { status: 200, headers: { 'Content-Type': 'text/xml' } },
  );

Deno.serve(async (req: Request) => {
  const read = await readTwilioWebhook(req, 'sms-inbound', env);
  if (!read.ok) return Response.json({ error: read.error }, { status: read.status });
  const from = read.params.get('From') ?? '';
  const body = read.params.get('Body') ?? '';
  if (!/^\+[1-9][0-9]{7,14}$/.test(from))
    return Response.json({ error: 'From must be an E.164 number' }, { status: 400 });
  const { data, error } = await supabase.rpc('record_inbound_text', { p_from: from, p_body: body.slice(0, 1600) });
  if (error) {
    console.error(`could not record a reply: ${error.message}`);
    return Response.json({ error: 'Not recorded; try again' }, { status: 500 });
  }
  const result = data as { action: string; language: 'en' | 'es' | null };
  return twiml(REPLIES[result.language === 'es' ? 'es' : 'en'][result.action]);
});
