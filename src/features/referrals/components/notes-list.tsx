import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import {
  ActionIcon,
  Alert,
  Button,
  Group,
  Modal,
  Paper,
  Skeleton,
  Stack,
  Text,
  Textarea,
  Title,
  Tooltip,
} from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { errorMessage } from '@/lib/errors';
import { formatDateTime } from '@/lib/format';
import { NOTE_MAX } from '../limits';

export type NoteView = { id: string; body: string; authorName: string; createdAt: string; isMine: boolean };

const NoteSchema = z.object({
  body: z.string().trim().min(1, 'Write the note first').max(NOTE_MAX, `Keep the note under ${NOTE_MAX} characters`),
});

export type NotesListProps = {
  notes: NoteView[] | undefined;
  loading?: boolean;
  loadError?: string | null;
  onAdd: (body: string) => Promise<unknown>;
  onDelete: (id: string) => Promise<unknown>;
  /** Staff only: seekers never see notes, so this is false for anyone who cannot add. */
  canAdd?: boolean;
};

/**
 * Staff notes on a referral. Notes cannot be edited; the author may delete their
 * own after confirming (the history keeps that a note was deleted).
 */
export function NotesList({ notes, loading, loadError, onAdd, onDelete, canAdd = true }: NotesListProps) {
  const [adding, setAdding] = useState(false);
  const [addError, setAddError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<NoteView | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const form = useForm({ resolver: zodResolver(NoteSchema), defaultValues: { body: '' } });

  const submit = form.handleSubmit(async ({ body }) => {
    setAddError(null);
    try {
      await onAdd(body);
      form.reset({ body: '' });
      setAdding(false);
    } catch (e) {
      setAddError(errorMessage(e));
    }
  });

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={3} size="h5">
          Notes
        </Title>
        {canAdd && !adding && (
          <Button size="xs" variant="light" onClick={() => setAdding(true)}>
            Add Note
          </Button>
        )}
      </Group>

      {adding && (
        <form onSubmit={submit} noValidate>
          <Stack gap="xs">
            <Textarea
              label="New note"
              description="Notes are seen by staff who can see this referral. They cannot be edited later."
              minRows={3}
              data-autofocus
              autoFocus
              {...form.register('body')}
              error={form.formState.errors.body?.message}
            />
            {addError && (
              <Alert color="red" role="alert" p="xs">
                {addError}
              </Alert>
            )}
            <Group gap="xs" justify="flex-end">
              <Button
                variant="default"
                size="xs"
                onClick={() => {
                  setAdding(false);
                  setAddError(null);
                  form.reset({ body: '' });
                }}
              >
                Cancel
              </Button>
              <Button type="submit" size="xs" loading={form.formState.isSubmitting}>
                Save note
              </Button>
            </Group>
          </Stack>
        </form>
      )}

      {loading ? (
        <Stack gap="xs" aria-busy="true" aria-label="Loading notes">
          <Skeleton h={48} />
          <Skeleton h={48} />
        </Stack>
      ) : loadError ? (
        <Alert color="red" role="alert">
          {loadError}
        </Alert>
      ) : !notes || notes.length === 0 ? (
        <Text size="sm" c="dimmed">
          No notes yet.{canAdd ? ' Use Add Note to record a call, a visit or a next step.' : ''}
        </Text>
      ) : (
        <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Notes">
          {notes.map((n) => (
            <Paper key={n.id} withBorder p="xs" component="li">
              <Group justify="space-between" align="flex-start" wrap="nowrap">
                <div style={{ minWidth: 0 }}>
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                    {n.body}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {n.authorName} · {formatDateTime(n.createdAt)}
                  </Text>
                </div>
                {n.isMine && (
                  <Tooltip label="Delete note">
                    <ActionIcon
                      variant="subtle"
                      color="red.9"
                      aria-label={`Delete note "${n.body.slice(0, 40)}"`}
                      onClick={() => {
                        setDeleteError(null);
                        setConfirming(n);
                      }}
                    >
                      <IconTrash size={16} aria-hidden />
                    </ActionIcon>
                  </Tooltip>
                )}
              </Group>
            </Paper>
          ))}
        </Stack>
      )}

      <Modal opened={confirming !== null} onClose={() => setConfirming(null)} title="Delete this note?" centered>
        <Stack gap="sm">
          <Text size="sm">
            The note will be removed for everyone. The history will still show that a note was deleted.
          </Text>
          {confirming && (
            <Text size="sm" fs="italic" style={{ overflowWrap: 'anywhere' }}>
              “{confirming.body}”
            </Text>
          )}
          {deleteError && (
            <Alert color="red" role="alert" p="xs">
              {deleteError}
            </Alert>
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setConfirming(null)}>
              Keep note
            </Button>
            <Button
              color="red.9"
              loading={deleting}
              onClick={async () => {
                if (!confirming) return;
                setDeleting(true);
                try {
                  await onDelete(confirming.id);
                  setConfirming(null);
                } catch (e) {
                  setDeleteError(errorMessage(e));
                } finally {
                  setDeleting(false);
                }
              }}
            >
              Delete note
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
