import { useState } from 'react';
import { Button, Group, Paper, SimpleGrid, Text, Title } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { notifySuccess } from '@/lib/notify';
import type { Seeker } from '../api/get-seeker';
import { useUpdateSeeker } from '../api/update-seeker';
import { PortalAccess } from './portal-access';
import { CONTACT_LABELS, LANGUAGE_LABELS, SeekerForm } from './seeker-form';

function Item({ label, value }: { label: string; value: string | null | undefined }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text size="sm">{value || '—'}</Text>
    </div>
  );
}

/** A person's details, editable by staff who can see them. */
export function PersonalInfo({ seeker }: { seeker: Seeker }) {
  const [editing, setEditing] = useState(false);
  const update = useUpdateSeeker(seeker.id);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="personal-info-title">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="personal-info-title">
          Personal information
        </Title>
        {!editing && (
          <Button
            variant="light"
            size="xs"
            leftSection={<IconPencil size={14} aria-hidden />}
            onClick={() => setEditing(true)}
          >
            Edit details
          </Button>
        )}
      </Group>
      {editing ? (
        <SeekerForm
          submitLabel="Save details"
          defaultValues={{
            first_name: seeker.first_name,
            last_name: seeker.last_name,
            email: seeker.email ?? '',
            phone: seeker.phone ?? '',
            address: seeker.address ?? '',
            zip: seeker.zip ?? '',
            preferred_contact: seeker.preferred_contact,
            preferred_language: seeker.preferred_language,
          }}
          onCancel={() => setEditing(false)}
          onSubmit={async (values) => {
            await update.mutateAsync(values);
            notifySuccess('Details saved.');
            setEditing(false);
          }}
        />
      ) : (
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }} spacing="sm">
          <Item label="Email" value={seeker.email} />
          <Item label="Phone" value={seeker.phone} />
          <Item label="Address" value={seeker.address} />
          <Item label="ZIP code" value={seeker.zip} />
          <Item label="Preferred contact" value={CONTACT_LABELS[seeker.preferred_contact]} />
          <Item label="Preferred language" value={LANGUAGE_LABELS[seeker.preferred_language]} />
        </SimpleGrid>
      )}
      {!editing && <PortalAccess seeker={seeker} />}
    </Paper>
  );
}
