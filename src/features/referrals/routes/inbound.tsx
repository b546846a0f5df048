import { useEffect } from 'react';
import { Skeleton, Stack, Text } from '@mantine/core';
import { useMe, useUserId } from '@/features/auth';
import { ProgramPanel } from '@/features/directory';
import { ReferralDashboard } from '../components/referral-dashboard';

export default function InboundRoute() {
  const userId = useUserId();
  const me = useMe(userId);
  useEffect(() => {
    document.title = 'Inbound Referrals · Closed Loop Referrals';
  }, []);
  if (!me.data) return <Skeleton h={300} />;
  const programs = me.data.organisations.filter((o) => o.kind === 'program').map((o) => ({ id: o.id, name: o.name }));
  if (programs.length === 0) {
    return <Text>You are not a claimer for any program, so no referrals come to you here.</Text>;
  }
  return (
    <Stack gap="md">
      <ReferralDashboard
        title="Inbound Referrals"
        intro="Every referral made to your programs. Update a status as soon as you know more."
        base={{ scope: 'inbound', userId }}
        showContact
        programs={programs}
        emptyText="No referrals have been made to your programs yet. They will appear here the moment one is made."
      />
      <ProgramPanel programIds={programs.map((p) => p.id)} userId={userId} />
    </Stack>
  );
}
