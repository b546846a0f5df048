import { useEffect, useId, useRef, useState } from 'react';
import { Anchor, Button, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { ConflictError, errorMessage } from '@/lib/errors';
import { UNDO_MS } from '@/lib/status-reasons';
import { useUpdateReferralStatus } from '../api/update-referral-status';
import { reasonLabel, reasonsFor, useStatusReasons } from '../api/get-status-reasons';
import { needsReason, statusLabel, type ReferralStatus } from '../status';
import { ForwardDialog } from './forward-dialog';
import { StatusControl } from './status-control';

export { UNDO_MS };

export const REASON_TEXT_MAX = 500;

/**
 * The rule the database keeps (a reason with the six statuses that carry one,
 * its words at most 500 characters), in the words the status controls show:
 * null when the change may be saved. The single change and the bulk change
 * both check it.
 */
export function reasonProblem(status: ReferralStatus, reason: string, reasonText: string): string | null {
  if (needsReason(status) && !reason) return `Choose a reason for "${statusLabel(status)}".`;
  if (reasonText.length > REASON_TEXT_MAX) return `Keep the details to ${REASON_TEXT_MAX} characters.`;
  return null;
}

export type ChangeableReferral = {
  id: string;
  status: ReferralStatus;
  version: number;
  status_reason: string | null;
  status_reason_text: string | null;
  seeker_id: string;
  program_id: string;
  comment: string;
};

type Saved = {
  to: ReferralStatus;
  version: number;
  previous: { status: ReferralStatus; reason: string | null; text: string | null };
  forwardedTo?: string;
};

export type StatusChangerProps = {
  referral: ChangeableReferral;
  /** "Sam Seeker's referral to Harbor Food Pantry": names the controls in a table row. */
  description: string;
  /** In a table cell: the status box without its visible label. */
  compact?: boolean;
  /** A claimer of the receiving program: "Referred elsewhere" can send the person on to another program. */
  canForward?: boolean;
  /** Where the person lives, to start the program search of forwarding. */
  seekerZip?: string | null;
};

/**
 * Changes a referral's status without surprises. Choosing a status saves
 * nothing: the change is saved by Save (or Enter in the reason's words), and
 * Cancel or Escape drops it. A status that carries a reason asks for it in the
 * same step (the database refuses staff without one). After saving, Undo stays
 * for a few seconds; the emails about a change wait in the outbox for longer,
 * so an undone change sends nothing. Keyboard focus stays on the status box.
 */
export function StatusChanger({ referral, description, compact, canForward, seekerZip }: StatusChangerProps) {
  const update = useUpdateReferralStatus();
  const reasons = useStatusReasons();
  const [draft, setDraft] = useState<ReferralStatus | null>(null);
  // The version the referral had when the status was chosen: Save carries it,
  // so a change that reaches this screen while the choice waits for Save (live,
  // or with a refetch) is never overwritten by a choice made without it.
  const [draftVersion, setDraftVersion] = useState<number | null>(null);
  const [reason, setReason] = useState('');
  const [reasonText, setReasonText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<Saved | null>(null);
  const [undone, setUndone] = useState<string | null>(null);
  const [forwarding, setForwarding] = useState(false);
  const selectRef = useRef<HTMLSelectElement>(null);
  const formId = useId();

  // the Undo goes after a few seconds
  useEffect(() => {
    if (!saved) return;
    const t = setTimeout(() => setSaved(null), UNDO_MS);
    return () => clearTimeout(t);
  }, [saved]);
  useEffect(() => {
    if (!undone) return;
    const t = setTimeout(() => setUndone(null), UNDO_MS);
    return () => clearTimeout(t);
  }, [undone]);

  // someone else changed it meanwhile: what was chosen here no longer applies
  const seenVersion = useRef(referral.version);
  useEffect(() => {
    if (referral.version !== seenVersion.current) {
      seenVersion.current = referral.version;
      if (saved && referral.version !== saved.version) setSaved(null);
    }
  }, [referral.version, saved]);

  const value = draft ?? referral.status;
  const askReason = !!draft && needsReason(draft);
  const options = draft ? reasonsFor(reasons.data, draft) : [];
  const focusStatus = () => selectRef.current?.focus();

  const reset = () => {
    setDraft(null);
    setDraftVersion(null);
    setReason('');
    setReasonText('');
    setError(null);
  };

  const choose = (next: ReferralStatus) => {
    setSaved(null);
    setUndone(null);
    setError(null);
    if (next === referral.status) return reset();
    if (!draft) setDraftVersion(referral.version);
    setDraft(next);
    setReason('');
  };

  const validate = (): boolean => {
    const problem = draft ? reasonProblem(draft, reason, reasonText) : null;
    setError(problem);
    return !problem;
  };

  const save = () => {
    if (!draft || !validate()) return;
    const previous = { status: referral.status, reason: referral.status_reason, text: referral.status_reason_text };
    update.mutate(
      {
        id: referral.id,
        status: draft,
        version: draftVersion ?? referral.version,
        statusReason: askReason ? reason : null,
        statusReasonText: askReason ? reasonText : null,
      },
      {
        onSuccess: (row) => {
          reset();
          seenVersion.current = row.version;
          setSaved({ to: row.status, version: row.version, previous });
          focusStatus();
        },
        onError: (e) => {
          // someone else was first: show their status, and say so
          if (e instanceof ConflictError) reset();
          setError(errorMessage(e));
        },
      },
    );
  };

  const undo = () => {
    if (!saved) return;
    const back = saved.previous;
    update.mutate(
      {
        id: referral.id,
        status: back.status,
        version: saved.version,
        statusReason: back.reason,
        statusReasonText: back.text,
      },
      {
        onSuccess: (row) => {
          seenVersion.current = row.version;
          setSaved(null);
          setUndone(`Change undone: the status is ${statusLabel(back.status)} again.`);
          focusStatus();
        },
        onError: (e) => {
          setSaved(null);
          setError(errorMessage(e));
          focusStatus();
        },
      },
    );
  };

  const reasonName = compact ? `Reason for ${description}` : 'Reason';
  const reasonTextName = compact ? `Details of the reason for ${description} (optional)` : 'Details (optional)';

  return (
    <Stack gap={6}>
      <StatusControl
        ref={selectRef}
        value={value}
        hideLabel={compact}
        ariaLabel={`Status of ${description}`}
        description={draft ? 'Not saved yet' : undefined}
        busy={update.isPending}
        onChange={choose}
        onEscape={draft ? () => reset() : undefined}
      />
      {compact && !draft && referral.status_reason && needsReason(referral.status) && (
        <Text size="xs" c="dimmed">
          Reason: {reasonLabel(reasons.data, referral.status, referral.status_reason)}
          {referral.status_reason_text ? `: ${referral.status_reason_text}` : ''}
        </Text>
      )}
      {draft && (
        <form
          id={formId}
          aria-label={`Change the status of ${description}`}
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            save();
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              reset();
              focusStatus();
            }
          }}
        >
          <Stack gap={6}>
            {askReason && (
              <>
                <NativeSelect
                  size={compact ? 'xs' : 'sm'}
                  label={compact ? undefined : reasonName}
                  aria-label={compact ? reasonName : undefined}
                  required
                  value={reason}
                  onChange={(e) => {
                    setReason(e.currentTarget.value);
                    setError(null);
                  }}
                  data={[
                    { value: '', label: reasons.isPending ? 'Loading reasons…' : 'Choose a reason' },
                    ...options.map((r) => ({ value: r.code, label: r.label_en })),
                  ]}
                />
                <TextInput
                  size={compact ? 'xs' : 'sm'}
                  label={compact ? undefined : reasonTextName}
                  aria-label={compact ? reasonTextName : undefined}
                  description={
                    compact ? undefined : 'Everyone on this referral reads this, the person referred included.'
                  }
                  maxLength={REASON_TEXT_MAX}
                  value={reasonText}
                  onChange={(e) => setReasonText(e.currentTarget.value)}
                />
              </>
            )}
            {error && (
              <Text size="xs" c="red.8" role="alert">
                {error}
              </Text>
            )}
            <Group gap="xs" wrap="wrap">
              <Button
                type="submit"
                size="xs"
                loading={update.isPending}
                aria-label={compact ? `Save the status of ${description}: ${statusLabel(draft)}` : undefined}
              >
                Save
              </Button>
              {draft === 'referred_elsewhere' && canForward && (
                <Button
                  size="xs"
                  variant="light"
                  onClick={() => {
                    if (validate()) setForwarding(true);
                  }}
                >
                  Forward to another program…
                </Button>
              )}
              <Button
                size="xs"
                variant="subtle"
                onClick={() => {
                  reset();
                  focusStatus();
                }}
              >
                Cancel
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {!draft && error && (
        <Text size="xs" c="red.8" role="alert">
          {error}
        </Text>
      )}
      <div role="status" aria-live="polite">
        {saved && (
          <Group gap={6} wrap="wrap">
            <Text size="xs">
              {saved.forwardedTo ? `Forwarded to ${saved.forwardedTo}.` : `Saved: ${statusLabel(saved.to)}.`}
            </Text>
            {!saved.forwardedTo && (
              <Anchor component="button" type="button" size="xs" fw={600} onClick={undo} disabled={update.isPending}>
                Undo
              </Anchor>
            )}
          </Group>
        )}
        {!saved && undone && <Text size="xs">{undone}</Text>}
      </div>
      {forwarding && (
        <ForwardDialog
          referral={{ ...referral, version: draftVersion ?? referral.version }}
          reason={reason}
          reasonText={reasonText}
          seekerZip={seekerZip ?? null}
          onClose={(result) => {
            setForwarding(false);
            if (result) {
              reset();
              setSaved({
                to: 'referred_elsewhere',
                version: (draftVersion ?? referral.version) + 1,
                previous: { status: referral.status, reason: null, text: null },
                forwardedTo: result.programName,
              });
            }
            focusStatus();
          }}
        />
      )}
    </Stack>
  );
}
