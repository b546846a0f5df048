import { useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Anchor, Button, Group, Modal, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { errorMessage } from '@/lib/errors';
import { notifyError, notifySuccess } from '@/lib/notify';
import { paths } from '@/lib/paths';
import { useMyPrograms, useUpdateProgram, type MyProgram } from '../api/my-programs';
import { useReports } from '../api/reports';
import { CAPACITY_FRESH_DAYS, agoText, daysSince } from '../capacity';
import { CapacityMenu } from './capacity-menu';
import { FreshnessText } from './capacity-badge';
import { EditListingForm } from './edit-listing';

/**
 * Inbound dashboard: for each program I claim for, its capacity (two clicks),
 * when its listing was last checked (confirm or edit it), and its open reports.
 */
export function ProgramPanel({ programIds, userId }: { programIds: string[]; userId: string | undefined }) {
  const programs = useMyPrograms(programIds);
  const reports = useReports('inbound', userId);
  const update = useUpdateProgram();
  const [editing, setEditing] = useState<MyProgram | null>(null);

  if (programs.isPending) return <Skeleton h={80} aria-label="Loading your programs" />;
  if (programs.isError) {
    return (
      <Alert color="red" role="alert" title="Your programs could not be loaded">
        {errorMessage(programs.error)}
      </Alert>
    );
  }
  const openReports = (id: string) =>
    (reports.data ?? []).filter((r) => r.program_id === id && r.status === 'open').length;

  return (
    <Paper withBorder p="sm" component="section" aria-labelledby="your-programs">
      <Title order={2} size="h4" id="your-programs" mb="xs">
        Your programs in the directory
      </Title>
      <Stack gap="sm">
        {programs.data.map((p) => {
          const capacityAge = daysSince(p.capacity_updated_at);
          const n = openReports(p.id);
          return (
            <Group key={p.id} justify="space-between" align="flex-start" wrap="wrap" gap="sm">
              <Stack gap={2} style={{ flex: 1, minWidth: 220 }}>
                <Text fw={600}>{p.name}</Text>
                <Text size="xs" c="dimmed">
                  {capacityAge === null
                    ? 'Capacity never set: helpers see it as unknown.'
                    : capacityAge > CAPACITY_FRESH_DAYS
                      ? `Capacity set ${agoText(p.capacity_updated_at)}: helpers now see it as unknown. Set it again.`
                      : `Capacity updated ${agoText(p.capacity_updated_at)}.`}
                </Text>
                <FreshnessText verifiedAt={p.verified_at} />
                {n > 0 && (
                  <Anchor component={Link} to={paths.directoryReports.getHref()} size="sm" c="red">
                    {n === 1 ? '1 open report of wrong information' : `${n} open reports of wrong information`}
                  </Anchor>
                )}
              </Stack>
              <Group gap="xs">
                <CapacityMenu program={p} />
                <Button
                  variant="default"
                  loading={update.isPending && update.variables?.patch.verified_at !== undefined}
                  onClick={() =>
                    update.mutate(
                      { id: p.id, patch: { verified_at: new Date().toISOString() } },
                      {
                        onSuccess: () => notifySuccess(`${p.name}: information checked today.`, 'Thank you'),
                        onError: (e) => notifyError(e, 'Not saved'),
                      },
                    )
                  }
                  aria-label={`Our information for ${p.name} is correct`}
                >
                  Information is correct
                </Button>
                <Button variant="default" onClick={() => setEditing(p)} aria-label={`Edit the listing of ${p.name}`}>
                  Edit listing
                </Button>
              </Group>
            </Group>
          );
        })}
      </Stack>
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={`Edit listing: ${editing?.name ?? ''}`}
        size="lg"
      >
        {editing && (
          <EditListingForm
            program={editing}
            onCancel={() => setEditing(null)}
            onSubmit={async (patch) => {
              await update.mutateAsync({ id: editing.id, patch });
              notifySuccess(`${editing.name}: listing saved and marked as checked today.`, 'Listing saved');
              setEditing(null);
            }}
          />
        )}
      </Modal>
    </Paper>
  );
}
