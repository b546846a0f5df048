import { Suspense, useEffect, useRef } from 'react';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router-dom';
import {
  ActionIcon,
  Anchor,
  AppShell,
  Avatar,
  Badge,
  Burger,
  Button,
  Group,
  NativeSelect,
  NavLink,
  Skeleton,
  Stack,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconChartBar, IconChecklist, IconFlag, IconInbox, IconLogout, IconSend, IconUsers } from '@tabler/icons-react';
import { isClaimer, useActingAs, useMe, useSignOut, useUserId } from '@/features/auth';
import { COUNT_CAP, useNavCounts } from '@/features/referrals';
import { notifyError } from '@/lib/notify';
import { paths } from '@/lib/paths';

function PageSkeleton() {
  return (
    <Stack gap="md" aria-busy="true" aria-label="Loading page">
      <Skeleton h={32} w="40%" />
      <Skeleton h={20} />
      <Skeleton h={200} />
    </Stack>
  );
}

/** The signed-in frame: header with the person and their organisations, navigation, page. */
export function AppLayout() {
  const [opened, { toggle, close }] = useDisclosure();
  const userId = useUserId();
  const me = useMe(userId);
  const signOut = useSignOut();
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);

  // On navigation, close the mobile menu and move focus to the new page so
  // keyboard and screen-reader users start at its top.
  useEffect(() => {
    close();
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    mainRef.current?.focus();
  }, [location.pathname, close]);

  const { actingAs, setActingAs } = useActingAs(me.data);
  const counts = useNavCounts({
    programIds: me.data?.organisations.filter((o) => o.kind === 'program').map((o) => o.id) ?? [],
    enabled: !!me.data,
  });
  const capped = (n: number | undefined) => (n === undefined ? undefined : n > COUNT_CAP ? `${COUNT_CAP}+` : `${n}`);
  const links: { href: string; label: string; icon: typeof IconUsers; count?: string; countWords?: string }[] = [
    {
      href: paths.worklist.getHref(),
      label: 'Today',
      icon: IconChecklist,
      count: capped((counts.needsResponse ?? 0) + (counts.changed ?? 0)),
      countWords: 'need attention',
    },
    { href: paths.people.getHref(), label: "People I'm Helping", icon: IconUsers },
    {
      href: paths.myReferrals.getHref(),
      label: 'My referrals',
      icon: IconSend,
      count: capped(counts.changed),
      countWords: 'changed since you looked',
    },
    ...(isClaimer(me.data)
      ? [
          {
            href: paths.inbound.getHref(),
            label: 'Inbound Referrals',
            icon: IconInbox,
            count: capped(counts.notUpdated),
            countWords: 'not updated',
          },
        ]
      : []),
    { href: paths.directoryReports.getHref(), label: 'Directory reports', icon: IconFlag },
    ...(me.data?.organisations.length ? [{ href: paths.reports.getHref(), label: 'Reports', icon: IconChartBar }] : []),
  ];
  const doSignOut = () => signOut.mutate(undefined, { onError: (e) => notifyError(e, 'Could not sign out') });
  const fullName = me.data ? `${me.data.firstName} ${me.data.lastName}` : '';

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 260, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <Anchor
        href="#main"
        className="skip-link"
        onClick={(e) => {
          e.preventDefault();
          mainRef.current?.focus();
        }}
      >
        Skip to main content
      </Anchor>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={opened ? 'Close navigation' : 'Open navigation'}
            />
            <Text fw={700} size="lg" c="indigo.9" component="span" style={{ whiteSpace: 'nowrap' }}>
              Closed Loop Referrals
            </Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {me.data ? (
              <Group gap="xs" wrap="nowrap" visibleFrom="xs">
                <Avatar color="indigo" radius="xl" aria-hidden>
                  {me.data.firstName.charAt(0)}
                  {me.data.lastName.charAt(0)}
                </Avatar>
                <div>
                  <Text size="sm" fw={600} lh={1.2}>
                    {fullName}
                  </Text>
                  {me.data.organisations.length > 1 || !actingAs ? null : (
                    <Text size="xs" c="dimmed" lh={1.2}>
                      {actingAs.name}
                    </Text>
                  )}
                  {me.data.organisations.length === 0 && (
                    <Text size="xs" c="dimmed" lh={1.2}>
                      No organisation
                    </Text>
                  )}
                </div>
                {me.data.organisations.length > 1 && actingAs && (
                  <NativeSelect
                    size="xs"
                    aria-label="Acting for"
                    leftSection={
                      <Text size="xs" c="dimmed" aria-hidden>
                        For
                      </Text>
                    }
                    leftSectionWidth={32}
                    value={`${actingAs.kind}:${actingAs.id}`}
                    onChange={(e) => {
                      const next = me.data?.organisations.find((o) => `${o.kind}:${o.id}` === e.currentTarget.value);
                      if (next) setActingAs(next);
                    }}
                    data={me.data.organisations.map((o) => ({
                      value: `${o.kind}:${o.id}`,
                      label: `${o.name} (${o.kind})`,
                    }))}
                  />
                )}
              </Group>
            ) : (
              <Skeleton h={32} w={160} />
            )}
            <Button
              variant="subtle"
              visibleFrom="xs"
              leftSection={<IconLogout size={16} aria-hidden />}
              loading={signOut.isPending}
              onClick={doSignOut}
            >
              Sign out
            </Button>
            <ActionIcon
              variant="subtle"
              size="lg"
              hiddenFrom="xs"
              aria-label="Sign out"
              loading={signOut.isPending}
              onClick={doSignOut}
            >
              <IconLogout size={18} aria-hidden />
            </ActionIcon>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Main">
        <VisuallyHidden>
          <Title order={2}>Navigation</Title>
        </VisuallyHidden>
        {links.map((l) => (
          <NavLink
            key={l.href}
            component={RouterLink}
            to={l.href}
            label={l.label}
            leftSection={<l.icon size={18} aria-hidden />}
            rightSection={
              l.count && l.count !== '0' ? (
                <Badge size="sm" variant="light" color="orange" circle={l.count.length < 3}>
                  {l.count}
                  <VisuallyHidden> {l.countWords}</VisuallyHidden>
                </Badge>
              ) : undefined
            }
            active={
              location.pathname === l.href ||
              (l.href === paths.people.getHref() && location.pathname.startsWith('/people'))
            }
            aria-current={location.pathname === l.href ? 'page' : undefined}
            variant="filled"
          />
        ))}
        {me.data && (
          <Stack gap={2} mt="auto" pt="md" hiddenFrom="xs">
            <Text size="sm" fw={600}>
              {fullName}
            </Text>
            <Text size="xs" c="dimmed">
              {actingAs ? `Acting for ${actingAs.name}` : ''}
            </Text>
          </Stack>
        )}
      </AppShell.Navbar>
      <AppShell.Main id="main" ref={mainRef} tabIndex={-1} style={{ outline: 'none' }}>
        <Suspense fallback={<PageSkeleton />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}

export { PageSkeleton };
