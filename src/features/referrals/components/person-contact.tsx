import { Anchor, Stack, Text } from '@mantine/core';
import { telHref, type ContactPreference } from '@/lib/contact';

export const BEST_WAY: Record<ContactPreference, string> = {
  email: 'Email',
  text: 'Text message',
  phone: 'Phone call',
  none: "Don't reach out",
};

export type PersonContactDetails = {
  email: string | null;
  phone: string | null;
  preferred_contact: ContactPreference;
};

/**
 * How to reach the person, where staff work: phone (tap to call), email
 * (mailto) and the best way. "Don't reach out" shows no details at all: the
 * person asked not to be contacted, so the screen does not offer the means
 * (data minimisation).
 */
export function PersonContact({
  person,
  compact,
}: {
  person: PersonContactDetails | null | undefined;
  compact?: boolean;
}) {
  if (!person) return null;
  const size = compact ? 'xs' : 'sm';
  if (person.preferred_contact === 'none') {
    return (
      <Text size={size} c="dimmed">
        Don't reach out
      </Text>
    );
  }
  return (
    <Stack gap={compact ? 0 : 2}>
      {person.phone ? (
        <Anchor href={telHref(person.phone)} size={size} style={{ whiteSpace: 'nowrap' }}>
          {compact ? person.phone : `Call ${person.phone}`}
        </Anchor>
      ) : (
        !compact && (
          <Text size={size} c="dimmed">
            No phone number
          </Text>
        )
      )}
      {person.email ? (
        <Anchor href={`mailto:${person.email}`} size={size} style={{ overflowWrap: 'anywhere' }}>
          {person.email}
        </Anchor>
      ) : (
        !compact && (
          <Text size={size} c="dimmed">
            No email address
          </Text>
        )
      )}
      <Text size={size}>
        Best way: <strong>{BEST_WAY[person.preferred_contact]}</strong>
      </Text>
    </Stack>
  );
}
