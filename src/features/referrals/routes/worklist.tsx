import { useEffect } from 'react';
import { Link } from 'react-router-dom';
import { Alert, Anchor, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { formatCount } from '@/lib/counts';
import { useMe, useUserId } from '@/features/auth';
import { errorMessage } from '@/lib/errors';
import { paths } from '@/lib/paths';
import { useLiveQueries } from '@/lib/realtime';
import { applyReferralChange } from '../api/cache';
import { referralKeys } from '../api/keys';
import { useOverdueCount, useReferralList } from '../api/list-referrals';
import { useChanged } from '../api/worklist';
import { ReferralDrawer } from '../components/referral-drawer';
import { OverdueBadge } from '../components/overdue-badge';
import { ReferralTable } from '../components/referral-table';
import { useReferralParam } from '../components/use-referral-param';

/**
 * Today: what needs attention. Claimers see the referrals to their programs
 * still waiting for the program's answer (Inbound's Needs a response),
 * longest waiting first, with the Overdue and Due today badges of the
 * response clocks and how many are overdue; everyone who refers sees
 * their referrals that someone else changed since they last looked (opening
 * one marks it looked at).
 */
export default function WorklistRoute() {
  const userId = useUserId();
  const me = useMe(userId);
  const { referralId, open, close } = useReferralParam();
  const queryClient = useQueryClient();
  useEffect(() => {
    document.title = 'Today · Closed Loop Referrals';
  }, []);

  const programIds = me.data?.organisations.filter((o) => o.kind === 'program').map((o) => o.id) ?? [];
  const waiting = useReferralList(
    { scope: 'inbound', programIds, show: 'needs_response', sort: 'oldest', page: 1, pageSize: 20, userId },
    programIds.length > 0,
  );
  const overdue = useOverdueCount({ scope: 'inbound', programIds, userId }, programIds.length > 0);
  // Time passing makes referrals overdue without any change to announce it:
  // count again whenever the list is read again (and every minute).
  const { refetch: recountOverdue } = overdue;
  useEffect(() => {
    if (waiting.dataUpdatedAt && programIds.length > 0) void recountOverdue();
  }, [waiting.dataUpdatedAt, recountOverdue, programIds.length]);
  const changed = useChanged(!!me.data);

  useLiveQueries(
    'worklist',
    [{ table: 'referrals' }, { table: 'referral_notes' }],
    [referralKeys.lists(), referralKeys.counts(), referralKeys.changed()],
    { onChange: (payload) => applyReferralChange(queryClient, payload) },
  );

  if (!me.data) return <Skeleton h={300} aria-label="Loading" />;

  return (
    <Stack gap="xl">
      <div>
        <Title order={1}>Today</Title>
        <Text c="dimmed" size="sm">
          What needs your attention: referrals waiting for your programs' answer, and changes to the referrals you made.
        </Text>
      </div>

      {programIds.length > 0 && (
        <Stack gap="sm" component="section" aria-labelledby="waiting-heading">
          <Group gap="sm" align="center">
            <Title order={2} size="h3" id="waiting-heading">
              Waiting for your programs
            </Title>
            <OverdueBadge pending={overdue.isPending} count={overdue.data} />
          </Group>
          {waiting.isError ? (
            <Alert color="red" role="alert" title="Referrals could not be loaded">
              {errorMessage(waiting.error)}
            </Alert>
          ) : (
            <ReferralTable
              rows={waiting.data?.rows}
              loading={waiting.isPending}
              caption={
                waiting.data
                  ? `${formatCount(waiting.data.total ?? waiting.data.rows.length)} waiting for an answer from your programs, longest waiting first`
                  : 'Referrals waiting for an answer'
              }
              showContact
              showWaiting
              onOpen={open}
              empty={
                <Paper withBorder p="lg" ta="center">
                  <Text>Your programs have answered every referral made to them. Nothing is waiting.</Text>
                </Paper>
              }
            />
          )}
          <Anchor component={Link} to={`${paths.inbound.getHref()}?show=needs_response&sort=oldest`} size="sm">
            Every referral that needs a response, in Inbound Referrals
          </Anchor>
        </Stack>
      )}

      <Stack gap="sm" component="section" aria-labelledby="changed-heading">
        <Title order={2} size="h3" id="changed-heading">
          Changed since you last looked
        </Title>
        {changed.isError ? (
          <Alert color="red" role="alert" title="Changes could not be loaded">
            {errorMessage(changed.error)}
          </Alert>
        ) : (
          <ReferralTable
            rows={changed.data}
            loading={changed.isPending}
            caption="Referrals you made (or your team made, where it shares) that someone else changed in the last 30 days. Opening one marks it as seen."
            onOpen={open}
            empty={
              <Paper withBorder p="lg" ta="center">
                <Text>Nothing has changed on your referrals since you last looked.</Text>
              </Paper>
            }
          />
        )}
      </Stack>
      <ReferralDrawer referralId={referralId} onClose={close} />
    </Stack>
  );
}
