import { Alert, Text } from '@mantine/core';
import { formatDateTime } from '@/lib/format';
import { useSeekerDelivery, type SeekerDelivery } from '../api/get-seeker-delivery';

const REASONS: Record<string, string> = {
  'not sent: no SMS provider': 'text messages are not set up for this service yet',
  'not sent: no phone number': 'there is no phone number on file',
  'not sent: no email address': 'there is no email address on file',
  'not sent: opted out by text': 'they opted out by text (they replied STOP; a reply of START opts back in)',
  'not sent: not a valid phone number': 'the phone number on file cannot receive texts',
};

/** What the text provider reported after accepting a text. */
function textDelivery(name: string, status: string | null, code: string | null): string | null {
  const provider = code ? ` (provider code ${code})` : '';
  if (status === 'failed') return `The text to ${name} failed${provider}: check the phone number with them.`;
  if (status === 'undelivered')
    return `The text to ${name} was not delivered${provider}: the carrier did not deliver it.`;
  return null;
}

function describe(d: SeekerDelivery): { text: string; tone: 'info' | 'warning' | 'error' | 'ok' } | null {
  const name = d.firstName;
  if (d.preferredContact === 'none') {
    return { text: `${name} asked not to be contacted, so nobody is notified about this referral.`, tone: 'info' };
  }
  if (d.preferredContact === 'phone') {
    return {
      text: `${name} prefers phone calls, so no message was sent to them. Call them to share news.`,
      tone: 'info',
    };
  }
  const job = d.latest;
  if (d.preferredContact === 'text' && d.textOptedOut && (!job || job.state !== 'sent')) {
    return {
      text: `${name} opted out by text (they replied STOP), so no text is sent to them. They can reply START to opt back in.`,
      tone: 'warning',
    };
  }
  if (!job) return null;
  const how = job.channel === 'sms' ? 'text message' : 'email';
  switch (job.state) {
    case 'not_sent':
      return {
        text: `${name} was not notified of the latest change: ${REASONS[job.last_error ?? ''] ?? job.last_error ?? 'not sent'}.`,
        tone: 'warning',
      };
    case 'dead':
      return { text: `The ${how} to ${name} could not be delivered. An administrator can retry it.`, tone: 'error' };
    case 'pending':
    case 'sending':
      return job.tries > 0
        ? { text: `Still trying to reach ${name} by ${how}.`, tone: 'warning' }
        : { text: `Notifying ${name} by ${how}…`, tone: 'ok' };
    case 'sent': {
      const failed = textDelivery(name, job.delivery_status, job.delivery_error_code);
      if (failed) return { text: failed, tone: 'error' };
      const when = formatDateTime(job.sent_at ?? job.created_at);
      if (job.delivery_status === 'delivered')
        return { text: `${name} was notified by ${how} on ${when} (delivered).`, tone: 'ok' };
      return { text: `${name} was notified by ${how} on ${when}.`, tone: 'ok' };
    }
  }
}

/**
 * Whether the seeker heard about this referral's latest news: delivery is
 * shown, not assumed (e.g. "Rita was not notified: text messages are not set up").
 */
export function SeekerDeliveryNotice({ referralId }: { referralId: string }) {
  const delivery = useSeekerDelivery(referralId);
  const d = delivery.data ? describe(delivery.data) : null;
  if (!d) return null;
  if (d.tone === 'ok') {
    return (
      <Text size="sm" role="status">
        {d.text}
      </Text>
    );
  }
  return (
    <Alert
      color={d.tone === 'error' ? 'red' : d.tone === 'warning' ? 'orange' : 'blue'}
      role="status"
      title="Seeker notification"
    >
      {d.text}
    </Alert>
  );
}
