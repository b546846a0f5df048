import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Button, Group, Modal, NativeSelect, Stack, Text, Textarea } from '@mantine/core';
import { errorMessage } from '@/lib/errors';
import { notifySuccess } from '@/lib/notify';
import { REASON_LABELS, ReportSchema, useCreateReport, type ReportValues } from '../api/reports';

const REASONS = [
  { value: '', label: 'Choose…', disabled: true },
  ...Object.entries(REASON_LABELS).map(([value, label]) => ({ value, label })),
];

/** "Report wrong information" about a program: what is wrong, and words. */
export function ReportDialog({
  programId,
  programName,
  opened,
  onClose,
}: {
  programId: string;
  programName: string;
  opened: boolean;
  onClose: () => void;
}) {
  const create = useCreateReport();
  const [serverError, setServerError] = useState<string | null>(null);
  const form = useForm<ReportValues>({
    resolver: zodResolver(ReportSchema),
    defaultValues: { reason: '' as ReportValues['reason'], details: '' },
  });
  const { errors, isSubmitting } = form.formState;
  const close = () => {
    form.reset();
    setServerError(null);
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title={`Report wrong information: ${programName}`}>
      <form
        noValidate
        aria-label={`Report wrong information about ${programName}`}
        onSubmit={form.handleSubmit(async (v) => {
          setServerError(null);
          try {
            await create.mutateAsync({ programId, ...v });
            notifySuccess(
              `The claimers of ${programName} will check it. You can follow it under Directory reports.`,
              'Report sent',
            );
            close();
          } catch (e) {
            setServerError(errorMessage(e));
          }
        })}
      >
        <Stack gap="sm">
          <Text size="sm">
            Tell the program&apos;s claimers what is wrong in this listing. You will see what they do about it.
          </Text>
          <NativeSelect
            label="What is wrong"
            data={REASONS}
            {...form.register('reason')}
            error={errors.reason?.message}
          />
          <Textarea
            label="Details"
            description="What you found, and the right information if you know it"
            minRows={3}
            {...form.register('details')}
            error={errors.details?.message}
          />
          {serverError && (
            <Alert color="red" role="alert" title="The report was not sent">
              {serverError}
            </Alert>
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={isSubmitting}>
              Send report
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
