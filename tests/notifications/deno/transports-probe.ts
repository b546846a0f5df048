// Run by tests/notifications/transports.test.ts under Deno (as the edge
// runtime runs the sender): sends through the transports chosen from the
// environment it is given and prints one JSON line per attempt.

// Imported by URL so the Node typecheck of tests/ does not follow it into
// Deno-only `npm:` specifiers.
type Sent = { providerMessageId: string };
type Transports = {
  NO_SMS_PROVIDER: string;
  PermanentSendError: new (...args: unknown[]) => Error;
  emailTransportFromEnv(env: (k: string) => string | undefined): {
    name: string;
    send(e: Record<string, string>): Promise<Sent>;
    close(): Promise<void>;
  } | null;
  smsProviderFromEnv(env: (k: string) => string | undefined): {
    name: string;
    send(to: string, body: string, key: string): Promise<Sent>;
  } | null;
};
const transportsUrl = new URL('../../../supabase/functions/_shared/transports.ts', import.meta.url).href;
const { NO_SMS_PROVIDER, PermanentSendError, emailTransportFromEnv, smsProviderFromEnv } = (await import(
  transportsUrl
)) as Transports;

// (typed without Deno's lib so the Node typecheck of tests/ accepts this file)
const deno = (globalThis as unknown as { Deno: { env: { get(k: string): string | undefined } } }).Deno;
const env = (k: string) => deno.env.get(k);
const email = emailTransportFromEnv(env);
const sms = smsProviderFromEnv(env);
const out: unknown[] = [{ transport: email?.name ?? null, sms: sms?.name ?? null }];
for (const to of (env('PROBE_TO') ?? '').split(',').filter(Boolean)) {
  try {
    const res = await email!.send({
      to,
      subject: 'Probe',
      text: 'plain',
      html: '<p>html</p>',
      idempotencyKey: `notification-${to}`,
      language: 'es',
    });
    out.push({ to, ok: true, id: res.providerMessageId });
  } catch (err) {
    out.push({ to, ok: false, permanent: err instanceof PermanentSendError, message: (err as Error).message });
  }
}
if (!sms) out.push({ sms: NO_SMS_PROVIDER });
else out.push({ sms: (await sms.send('+15125550142', 'hello', 'notification-sms')).providerMessageId });
await email?.close();
console.log(JSON.stringify(out));
