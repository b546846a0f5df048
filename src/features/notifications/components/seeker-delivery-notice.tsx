import { Alert, Text } from '@mantine/core';
import { formatDateTime } from '@/lib/format';
import { useSeekerDelivery, type SeekerDelivery } from '../api/get-seeker-delivery';

const REASONS: Record<string, string> = {
  'not sent: no SMS provider': 'text messages are not set up for this service yet',
  'not sent: no phone number': 'there is no phone number on file',
  'not sent: no email address': 'there is no email address on file',
};

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
    case 'sent':
      return {
        text: `${name} was notified by ${how} on ${formatDateTime(job.sent_at ?? job.created_at)}.`,
        tone: 'ok',
      };
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
