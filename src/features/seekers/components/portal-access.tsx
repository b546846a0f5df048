import { Alert, Button, Group, Text } from '@mantine/core';
import { IconMailForward } from '@tabler/icons-react';
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
  return (
    <Group justify="space-between" mt="md" wrap="wrap" gap="xs">
      <Text size="sm">
        {linked
          ? `${seeker.first_name} is invited to the portal: once they accept, they sign in there with an emailed link.`
          : seeker.email
            ? `${seeker.first_name} has no portal account yet.`
            : `Add an email address to invite ${seeker.first_name} to the portal.`}
      </Text>
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
