import { Alert, Button, Group, Text } from '@mantine/core';
import { IconDeviceMobile, IconMailForward } from '@tabler/icons-react';
import { errorMessage } from '@/lib/errors';
import { notifySuccess } from '@/lib/notify';
import type { Seeker } from '../api/get-seeker';
import { useInviteSeeker } from '../api/invite-seeker';

/**
 * Whether the seeker can sign in to the portal, and the invitation that gives
 * them an account (self sign-up is off). The invitation goes to the email
 * address on their record.
 */
export function PortalAccess({ seeker }: { seeker: Seeker }) {
  const invite = useInviteSeeker(seeker.id);
  const linked = !!seeker.user_id;
  // no email but a phone: a phone account, signed in with a texted code
  const byPhone = !seeker.email && !!seeker.phone;
  return (
    <Group justify="space-between" mt="md" wrap="wrap" gap="xs">
      <Text size="sm">
        {linked && byPhone
          ? `${seeker.first_name} has a portal account: they sign in at /portal with a code texted to their phone.`
          : linked
            ? `${seeker.first_name} is invited to the portal: once they accept, they sign in there with an emailed link.`
            : seeker.email || byPhone
              ? `${seeker.first_name} has no portal account yet.`
              : `Add an email address or phone number to invite ${seeker.first_name} to the portal.`}
      </Text>
      {byPhone && !linked && (
        <Button
          variant="light"
          size="xs"
          leftSection={<IconDeviceMobile size={14} aria-hidden />}
          loading={invite.isPending}
          onClick={() =>
            invite.mutate(undefined, {
              onSuccess: () =>
                notifySuccess(
                  `${seeker.first_name} can now sign in at /portal with ${seeker.phone}: we text them a code. Let them know.`,
                ),
            })
          }
        >
          Give a portal account (sign-in by text)
        </Button>
      )}
      {seeker.email && (
        <Button
          variant="light"
          size="xs"
          leftSection={<IconMailForward size={14} aria-hidden />}
          loading={invite.isPending}
          onClick={() =>
            invite.mutate(undefined, {
              onSuccess: () => notifySuccess(`Invitation sent to ${seeker.email}.`),
            })
          }
        >
          {linked ? 'Send the portal invitation again' : 'Invite to the portal'}
        </Button>
      )}
      {invite.isError && (
        <Alert color="red" role="alert" w="100%">
          {errorMessage(invite.error)}
        </Alert>
      )}
    </Group>
  );
}
