import { useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Anchor,
  Button,
  Divider,
  Drawer,
  Group,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { IconPrinter } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { paths } from '@/lib/paths';
import { useUserId } from '@/features/auth';
import { useGoals } from '@/features/goals';
import { SeekerDeliveryNotice } from '@/features/notifications';
import { errorMessage } from '@/lib/errors';
import { formatDateTime, fullName } from '@/lib/format';
import { notifySuccess } from '@/lib/notify';
import { useLiveQueries } from '@/lib/realtime';
import { applyReferralChange } from '../api/cache';
import { useCreateNote } from '../api/create-note';
import { useDeleteNote } from '../api/delete-note';
import { useReferral } from '../api/get-referral';
import { useReferralEvents } from '../api/get-referral-events';
import { useReferralNotes } from '../api/get-referral-notes';
import { referralKeys } from '../api/keys';
import { referredByLabel } from '../api/select';
import { useUpdateReferralGoal } from '../api/update-referral-goal';
import { useReferralForwards } from '../api/forward-referral';
import { reasonLabel, useStatusReasons } from '../api/get-status-reasons';
import { needsReason } from '../status';
import { useMarkSeen } from '../api/mark-seen';
import { useProgramNote } from '../api/program-note';
import { PersonContact } from './person-contact';
import { GoalControl } from './goal-control';
import { HistoryTimeline } from './history-timeline';
import { NotesList } from './notes-list';
import { useClaimsFor } from './referral-status-cell';
import { formatDue } from '../response-clock';
import { AssignmentControl } from './assignment-control';
import { ResponseBadge } from './response-badge';
import { StatusBadge } from './status-badge';
import { StatusChanger } from './status-changer';

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

function ReferralDetails({ referralId }: { referralId: string }) {
  const userId = useUserId();
  const queryClient = useQueryClient();
  const referral = useReferral(referralId);
  const events = useReferralEvents(referralId);
  const notes = useReferralNotes(referralId);
  const goals = useGoals(referral.data?.seeker_id);
  const updateGoal = useUpdateReferralGoal();
  const createNote = useCreateNote(referralId);
  const deleteNote = useDeleteNote(referralId);
  const reasons = useStatusReasons();
  const canForward = useClaimsFor(referral.data?.program_id);
  const forwards = useReferralForwards(
    referralId,
    !!referral.data && (referral.data.status === 'referred_elsewhere' || !!referral.data.forwarded_from),
  );
  const programNote = useProgramNote(referralId, referral.isSuccess);
  useMarkSeen(referralId, referral.isSuccess);

  useLiveQueries(
    `referral:${referralId}`,
    [
      { table: 'referrals', filter: `id=eq.${referralId}` },
      { table: 'referral_notes', filter: `referral_id=eq.${referralId}` },
      { table: 'referral_events', filter: `referral_id=eq.${referralId}` },
    ],
    [referralKeys.detail(referralId)],
    { onChange: (payload) => applyReferralChange(queryClient, payload) },
  );

  if (referral.isPending) {
    return (
      <Stack aria-busy="true" aria-label="Loading referral">
        <Skeleton h={28} w="60%" />
        <Skeleton h={60} />
        <Skeleton h={120} />
      </Stack>
    );
  }
  if (referral.isError) {
    return (
      <Alert color="red" role="alert" title="This referral could not be opened">
        {errorMessage(referral.error)}
      </Alert>
    );
  }
  const r = referral.data;
  // Notes are for staff; a notes error means this person is not staff on this referral.
  const isStaff = !notes.isError;

  return (
    <Stack gap="md">
      <div>
        <Title order={2} size="h3">
          {r.program?.name ?? 'Program'}
        </Title>
        <Text size="sm">
          Referral for{' '}
          {r.seeker ? (
            <Anchor component={Link} to={paths.seeker.getHref(r.seeker.id)}>
              {fullName(r.seeker)}
            </Anchor>
          ) : (
            'this person'
          )}
        </Text>
      </div>

      {r.seeker && (
        <Paper withBorder p="sm" component="section" aria-label={`How to reach ${fullName(r.seeker)}`}>
          <Group justify="space-between" align="flex-start" wrap="wrap">
            <PersonContact person={r.seeker} />
            <Button
              component={Link}
              to={paths.referralSummary.getHref(r.id)}
              target="_blank"
              variant="default"
              size="xs"
              leftSection={<IconPrinter size={14} aria-hidden />}
            >
              Printable summary
            </Button>
          </Group>
        </Paper>
      )}

      <Group align="flex-start" gap="sm" wrap="wrap">
        <div style={{ flex: 1, minWidth: 220 }}>
          <StatusChanger
            referral={r}
            description={`${fullName(r.seeker) || 'this person'}'s referral to ${r.program?.name ?? 'this program'}`}
            canForward={canForward}
          />
        </div>
        <StatusBadge status={r.status} />
      </Group>
      {r.status_reason && needsReason(r.status) && (
        <Field label="Reason">
          <Text size="sm">{reasonLabel(reasons.data, r.status, r.status_reason)}</Text>
          {r.status_reason_text && (
            <Text size="sm" c="dimmed" style={{ whiteSpace: 'pre-wrap' }}>
              {r.status_reason_text}
            </Text>
          )}
        </Field>
      )}
      {forwards.data && forwards.data.length > 0 && (
        <Stack gap={4} aria-label="Forwarding">
          {forwards.data.map((f) => (
            <Text size="sm" key={`${f.direction}-${f.program_id}`}>
              {f.direction === 'to' ? 'Forwarded to ' : 'Forwarded from '}
              {f.referral_id ? (
                <Anchor component={Link} to={`?referral=${f.referral_id}`}>
                  {f.program_name}
                </Anchor>
              ) : (
                <strong>{f.program_name}</strong>
              )}{' '}
              on {formatDateTime(f.created_at)}
            </Text>
          ))}
        </Stack>
      )}

      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
        <Field label="Referred by">{referredByLabel(r)}</Field>
        <Field label="Made">{formatDateTime(r.created_at)}</Field>
        <Field label="Last updated">{formatDateTime(r.updated_at)}</Field>
        <Field label="Goal">{r.goal?.title ?? 'Not in a goal'}</Field>
        <Field label="Program's answer">
          {r.responded_at ? (
            `Answered ${formatDateTime(r.responded_at)}`
          ) : (
            <Group gap={6}>
              {`Due ${formatDue(r)}`}
              <ResponseBadge referral={r} />
            </Group>
          )}
        </Field>
        <Field label="Assigned to">{r.assigned_to_name || 'Nobody'}</Field>
      </SimpleGrid>
      {isStaff && userId && <AssignmentControl referral={r} userId={userId} />}
      <Field label="Message to the program and the client">
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {r.comment || 'No message was left with this referral.'}
        </Text>
      </Field>
      {programNote.data && (
        <Field label="Note for the program only (the client never sees it)">
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
            {programNote.data.body}
          </Text>
        </Field>
      )}
      {isStaff && <SeekerDeliveryNotice referralId={r.id} />}

      {isStaff && (
        <GoalControl
          goals={goals.data}
          loading={goals.isPending}
          value={r.goal_id}
          onChange={async (goalId) => {
            await updateGoal.mutateAsync({ id: r.id, goalId, version: r.version });
            const title = goals.data?.find((g) => g.id === goalId)?.title;
            notifySuccess(goalId ? `Added to the goal "${title}".` : 'Removed from the goal.');
          }}
        />
      )}

      <Divider />
      {isStaff && (
        <>
          <NotesList
            notes={notes.data?.map((n) => ({
              id: n.id,
              body: n.body,
              authorName: n.author_organization
                ? `${n.author_display_name} · ${n.author_organization}`
                : n.author_display_name,
              createdAt: n.created_at,
              isMine: n.author_id === userId,
            }))}
            loading={notes.isPending}
            onAdd={async (body) => {
              await createNote.mutateAsync(body);
              notifySuccess('Note added.');
            }}
            onDelete={async (id) => {
              await deleteNote.mutateAsync(id);
              notifySuccess('Note deleted.');
            }}
          />
          <Divider />
        </>
      )}
      <HistoryTimeline
        reasonLabel={(status, code) => reasonLabel(reasons.data, status, code)}
        events={events.data}
        loading={events.isPending}
        error={events.isError ? errorMessage(events.error) : null}
      />
    </Stack>
  );
}

/** A referral opened from any list: status, details, goal, notes and history. */
export function ReferralDrawer({ referralId, onClose }: { referralId: string | null; onClose: () => void }) {
  return (
    <Drawer
      opened={!!referralId}
      onClose={onClose}
      position="right"
      size="lg"
      title="Referral"
      closeButtonProps={{ 'aria-label': 'Close referral' }}
    >
      {referralId && <ReferralDetails referralId={referralId} />}
    </Drawer>
  );
}
