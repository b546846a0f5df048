import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { Alert, Button, Group, TextInput } from '@mantine/core';
import { useState } from 'react';
import { errorMessage } from '@/lib/errors';

export const GOAL_TITLE_MAX = 200;

const GoalSchema = z.object({
  title: z
    .string()
    .trim()
    .min(1, 'Name the goal')
    .max(GOAL_TITLE_MAX, `Keep the goal under ${GOAL_TITLE_MAX} characters`),
});

/** A one-line form: the goal's title, then Add goal. */
export function AddGoalForm({ onSubmit }: { onSubmit: (title: string) => Promise<unknown> }) {
  const [error, setError] = useState<string | null>(null);
  const form = useForm({ resolver: zodResolver(GoalSchema), defaultValues: { title: '' } });
  return (
    <form
      noValidate
      onSubmit={form.handleSubmit(async ({ title }) => {
        setError(null);
        try {
          await onSubmit(title);
          form.reset({ title: '' });
        } catch (e) {
          setError(errorMessage(e));
        }
      })}
    >
      <Group align="flex-start" gap="xs">
        <TextInput
          label="New goal"
          placeholder="For example: stable housing by spring"
          style={{ flex: 1, minWidth: 200 }}
          {...form.register('title')}
          error={form.formState.errors.title?.message}
        />
        <Button type="submit" mt={25} loading={form.formState.isSubmitting}>
          Add goal
        </Button>
      </Group>
      {error && (
        <Alert color="red" role="alert" mt="xs" p="xs">
          {error}
        </Alert>
      )}
    </form>
  );
}
