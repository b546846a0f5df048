import { useState } from 'react';
import { Alert, NativeSelect, Stack, Text } from '@mantine/core';
import { errorMessage } from '@/lib/errors';
import type { Tables } from '@/lib/supabase';

export type GoalOption = Pick<Tables<'goals'>, 'id' | 'title'>;

export type GoalControlProps = {
  goals: GoalOption[] | undefined;
  value: string | null;
  onChange: (goalId: string | null) => Promise<unknown>;
  loading?: boolean;
  disabled?: boolean;
};

const NONE = '';

/**
 * "Add to a Goal": one control that adds a referral to a goal of the seeker,
 * moves it to another goal, or removes it from its goal.
 */
export function GoalControl({ goals, value, onChange, loading, disabled }: GoalControlProps) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  if (!loading && goals && goals.length === 0) {
    return (
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          Add to a Goal
        </Text>
        <Text size="sm" c="dimmed">
          This person has no goals yet. Add one under Goals on their profile, then come back to add this referral to it.
        </Text>
      </Stack>
    );
  }

  const current = goals?.find((g) => g.id === value);
  return (
    <Stack gap={4}>
      <NativeSelect
        label="Add to a Goal"
        description={current ? `In goal: ${current.title}` : 'Not in a goal'}
        value={value ?? NONE}
        disabled={disabled || loading || pending}
        data={[
          { value: NONE, label: value ? 'Remove from goal' : 'Not in a goal' },
          ...(goals ?? []).map((g) => ({ value: g.id, label: g.title })),
        ]}
        onChange={async (e) => {
          const next = e.currentTarget.value || null;
          if (next === value) return;
          setError(null);
          setPending(true);
          try {
            await onChange(next);
          } catch (err) {
            setError(errorMessage(err));
          } finally {
            setPending(false);
          }
        }}
      />
      {error && (
        <Alert color="red" role="alert" p="xs">
          {error}
        </Alert>
      )}
    </Stack>
  );
}
