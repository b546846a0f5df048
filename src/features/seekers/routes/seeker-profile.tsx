import { useEffect } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Anchor, Button, Group, List, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconSend } from '@tabler/icons-react';
import { paths } from '@/lib/paths';
import { useMe, useUserId } from '@/features/auth';
import { AddGoalForm, goalKeys, useCreateGoal, useGoals } from '@/features/goals';
import {
  applyReferralChange,
  ReferralDrawer,
  ReferralTable,
  StatusBadge,
  referralKeys,
  useReferralList,
  useReferralParam,
} from '@/features/referrals';
import { errorMessage } from '@/lib/errors';
import { fullName } from '@/lib/format';
import { notifySuccess } from '@/lib/notify';
import { useLiveQueries } from '@/lib/realtime';
import { useSeeker } from '../api/get-seeker';
import { seekerKeys } from '../api/keys';
import { PersonalInfo } from '../components/personal-info';

export default function SeekerProfileRoute() {
  const { seekerId = '' } = useParams();
  const userId = useUserId();
  const me = useMe(userId);
  const seeker = useSeeker(seekerId);
  const goals = useGoals(seekerId);
  const createGoal = useCreateGoal(seekerId);
  const { referralId, open, close } = useReferralParam();

  const myProgramIds = me.data?.organisations.filter((o) => o.kind === 'program').map((o) => o.id) ?? [];
  const isClaimer = myProgramIds.length > 0;
  const navigation = useReferralList(
    { scope: 'seeker-navigation', seekerId, myProgramIds, userId, sort: 'newest', pageSize: 100 },
    !!me.data,
  );
  const inbound = useReferralList(
    { scope: 'seeker-inbound', seekerId, myProgramIds, userId, sort: 'newest', pageSize: 100 },
    !!me.data && isClaimer,
  );

  const queryClient = useQueryClient();
  useLiveQueries(
    `seeker:${seekerId}`,
    [
      { table: 'seekers', filter: `id=eq.${seekerId}`, keys: [seekerKeys.detail(seekerId)] },
      { table: 'referrals', filter: `seeker_id=eq.${seekerId}`, keys: [referralKeys.lists()] },
      { table: 'goals', filter: `seeker_id=eq.${seekerId}`, keys: [goalKeys.list(seekerId)] },
    ],
    [],
    { onChange: (payload) => applyReferralChange(queryClient, payload) },
  );

  const name = seeker.data ? fullName(seeker.data) : '';
  useEffect(() => {
    if (name) document.title = `${name} · Closed Loop Referrals`;
  }, [name]);

  if (seeker.isPending) {
    return (
      <Stack aria-busy="true" aria-label="Loading profile">
        <Skeleton h={36} w="40%" />
        <Skeleton h={120} />
        <Skeleton h={200} />
      </Stack>
    );
  }
  if (seeker.isError) {
    return (
      <Stack>
        <Title order={1}>Person not available</Title>
        <Alert color="red" role="alert">
          {errorMessage(seeker.error)}
        </Alert>
        <Anchor component={Link} to={paths.people.getHref()}>
          Back to People I&apos;m Helping
        </Anchor>
      </Stack>
    );
  }

  const allReferrals = [...(navigation.data?.rows ?? []), ...(inbound.data?.rows ?? [])];

  return (
    <Stack gap="lg">
      <div>
        <Anchor component={Link} to={paths.people.getHref()} size="sm">
          <Group gap={4} component="span">
            <IconArrowLeft size={14} aria-hidden /> People I&apos;m Helping
          </Group>
        </Anchor>
        <Title order={1} mt={4}>
          {name}
        </Title>
      </div>

      <PersonalInfo seeker={seeker.data} />

      <Paper withBorder p="md" component="section" aria-labelledby="navigation-title">
        <Group justify="space-between" mb="sm" wrap="wrap">
          <Title order={2} size="h4" id="navigation-title">
            Navigation History
          </Title>
          <Button
            component={Link}
            to={paths.startReferral.getHref(seekerId)}
            leftSection={<IconSend size={16} aria-hidden />}
          >
            Start a Referral
          </Button>
        </Group>
        {navigation.isError ? (
          <Alert color="red" role="alert">
            {errorMessage(navigation.error)}
          </Alert>
        ) : (
          <ReferralTable
            rows={navigation.data?.rows}
            loading={navigation.isPending}
            caption={`Referrals made for ${name}`}
            showSeeker={false}
            onOpen={open}
            empty={
              <Text c="dimmed">
                No referrals yet. Use Start a Referral to connect {seeker.data.first_name} with a program.
              </Text>
            }
          />
        )}
      </Paper>

      {isClaimer && (
        <Paper withBorder p="md" component="section" aria-labelledby="inbound-title">
          <Title order={2} size="h4" id="inbound-title" mb="sm">
            Inbound Referrals
          </Title>
          {inbound.isError ? (
            <Alert color="red" role="alert">
              {errorMessage(inbound.error)}
            </Alert>
          ) : (
            <ReferralTable
              rows={inbound.data?.rows}
              loading={inbound.isPending}
              caption={`Referrals of ${name} to your programs`}
              showSeeker={false}
              onOpen={open}
              empty={<Text c="dimmed">{seeker.data.first_name} has not been referred to your programs.</Text>}
            />
          )}
        </Paper>
      )}

      <Paper withBorder p="md" component="section" aria-labelledby="goals-title">
        <Title order={2} size="h4" id="goals-title" mb="sm">
          Goals
        </Title>
        <Stack gap="md">
          {goals.isPending ? (
            <Skeleton h={60} />
          ) : goals.isError ? (
            <Alert color="red" role="alert">
              {errorMessage(goals.error)}
            </Alert>
          ) : goals.data.length === 0 ? (
            <Text c="dimmed">No goals yet. Add one below, then add referrals to it from each referral.</Text>
          ) : (
            <Stack gap="sm" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Goals">
              {goals.data.map((g) => {
                const under = allReferrals.filter((r) => r.goal_id === g.id);
                return (
                  <Paper key={g.id} withBorder p="sm" component="li">
                    <Text fw={600}>{g.title}</Text>
                    {under.length === 0 ? (
                      <Text size="sm" c="dimmed">
                        No referrals in this goal yet.
                      </Text>
                    ) : (
                      <List size="sm" spacing={4} mt={4}>
                        {under.map((r) => (
                          <List.Item key={r.id}>
                            <Group gap="xs" wrap="wrap">
                              <Anchor component="button" type="button" size="sm" onClick={() => open(r.id)}>
                                {r.program?.name}
                              </Anchor>
                              <StatusBadge status={r.status} />
                            </Group>
                          </List.Item>
                        ))}
                      </List>
                    )}
                  </Paper>
                );
              })}
            </Stack>
          )}
          <AddGoalForm
            onSubmit={async (title) => {
              await createGoal.mutateAsync({ title });
              notifySuccess(`Goal "${title}" added.`);
            }}
          />
        </Stack>
      </Paper>

      <ReferralDrawer referralId={referralId} onClose={close} />
    </Stack>
  );
}
