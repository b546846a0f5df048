import { useEffect } from 'react';
import { Skeleton } from '@mantine/core';
import { useMe, useUserId } from '@/features/auth';
import { ReferralDashboard } from '../components/referral-dashboard';

export default function MyReferralsRoute() {
  const userId = useUserId();
  const me = useMe(userId);
  useEffect(() => {
    document.title = 'My referrals · Closed Loop Referrals';
  }, []);
  if (!me.data) return <Skeleton h={300} />;
  const orgs = me.data.organisations;
  return (
    <ReferralDashboard
      title="My referrals"
      intro="Referrals you made, and those made by your team where it shares them."
      base={{
        scope: 'mine',
        userId,
        mySiteIds: orgs.filter((o) => o.kind === 'site').map((o) => o.id),
        myProgramIds: orgs.filter((o) => o.kind === 'program').map((o) => o.id),
      }}
      emptyText="You have not made any referrals yet. Open a person under People I'm Helping and choose Start a Referral."
    />
  );
}
