import { useState } from 'react';
import { Alert, Button, Group, Loader, Modal, Radio, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useProgramSearch } from '@/features/start-referral';
import { errorMessage } from '@/lib/errors';
import { useForwardReferral } from '../api/forward-referral';
import { COMMENT_MAX } from '../limits';
import type { ChangeableReferral } from './status-changer';

type Props = {
  referral: ChangeableReferral;
  reason: string;
  reasonText: string;
  seekerZip: string | null;
  onClose: (result: { programName: string } | null) => void;
};

/**
 * Forwarding: the program search in a dialog, the comment carried over, and
 * one database call that marks the referral "Referred elsewhere" with its
 * reason and makes the new referral (public.forward_referral).
 */
export function ForwardDialog({ referral, reason, reasonText, seekerZip, onClose }: Props) {
  const [zip, setZip] = useState(seekerZip ?? '');
  const [queryInput, setQueryInput] = useState('');
  const [query] = useDebouncedValue(queryInput.trim(), 300);
  const [programId, setProgramId] = useState('');
  const [comment, setComment] = useState(referral.comment);
  const [error, setError] = useState<string | null>(null);
  const search = useProgramSearch({ zip: zip.trim(), query: query || undefined });
  const forward = useForwardReferral();
  const results = (search.data ?? []).filter((p) => p.id !== referral.program_id);
  const chosen = results.find((p) => p.id === programId);
  const zipValid = /^[0-9]{5}$/.test(zip.trim());

  return (
    <Modal opened onClose={() => onClose(null)} title="Forward to another program" size="lg">
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!chosen) return setError('Choose the program to forward the referral to.');
          if (comment.length > COMMENT_MAX) return setError(`Keep the message to ${COMMENT_MAX} characters.`);
          forward.mutate(
            {
              id: referral.id,
              version: referral.version,
              programId: chosen.id,
              statusReason: reason,
              statusReasonText: reasonText,
              comment,
            },
            {
              onSuccess: () => onClose({ programName: chosen.name }),
              onError: (err) => setError(errorMessage(err)),
            },
          );
        }}
      >
        <Stack gap="sm">
          <Text size="sm">
            This referral becomes “Referred elsewhere” and a new referral of the same person goes to the program you
            choose, from your program. The person and whoever referred them get one email about it.
          </Text>
          <Group gap="sm" align="flex-end" wrap="wrap">
            <TextInput
              label="ZIP code"
              inputMode="numeric"
              maxLength={5}
              value={zip}
              onChange={(e) => setZip(e.currentTarget.value)}
              error={zip && !zipValid ? 'Five digits' : undefined}
              w={120}
            />
            <TextInput
              label="Search programs"
              type="search"
              placeholder="Name or service"
              value={queryInput}
              onChange={(e) => setQueryInput(e.currentTarget.value)}
              style={{ flex: 1, minWidth: 180 }}
            />
          </Group>
          {!zipValid ? (
            <Text size="sm" c="dimmed">
              Enter a ZIP code to list the programs near it.
            </Text>
          ) : search.isPending ? (
            <Group gap="xs" aria-busy="true">
              <Loader size="xs" aria-label="Searching programs" />
              <Text size="sm">Searching…</Text>
            </Group>
          ) : search.isError ? (
            <Alert color="red" role="alert">
              {errorMessage(search.error)}
            </Alert>
          ) : results.length === 0 ? (
            <Text size="sm">No other program matches. Try another search or ZIP code.</Text>
          ) : (
            <Radio.Group label="Program" value={programId} onChange={setProgramId} required>
              <Stack gap={6} mt={4} mah={260} style={{ overflowY: 'auto' }}>
                {results.map((p) => (
                  <Radio
                    key={p.id}
                    value={p.id}
                    label={p.name}
                    description={[p.address, p.distance_miles != null ? `${p.distance_miles.toFixed(1)} mi` : null]
                      .filter(Boolean)
                      .join(' · ')}
                  />
                ))}
              </Stack>
            </Radio.Group>
          )}
          <Textarea
            label="Message to the program"
            description="Carried over from this referral; the person referred reads it too."
            autosize
            minRows={2}
            maxRows={6}
            maxLength={COMMENT_MAX}
            value={comment}
            onChange={(e) => setComment(e.currentTarget.value)}
          />
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="subtle" onClick={() => onClose(null)}>
              Cancel
            </Button>
            <Button type="submit" loading={forward.isPending} disabled={!chosen}>
              {chosen ? `Forward to ${chosen.name}` : 'Forward'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
