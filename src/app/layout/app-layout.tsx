import { Suspense, useEffect, useRef } from 'react';
import { NavLink as RouterLink, Outlet, useLocation } from 'react-router-dom';
import {
  ActionIcon,
  Anchor,
  AppShell,
  Avatar,
  Burger,
  Button,
  Group,
  NavLink,
  Skeleton,
  Stack,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconChartBar, IconFlag, IconInbox, IconLogout, IconSend, IconUsers } from '@tabler/icons-react';
import { isClaimer, useMe, useSignOut, useUserId } from '@/features/auth';
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

  const links = [
    { href: paths.people.getHref(), label: "People I'm Helping", icon: IconUsers },
    { href: paths.myReferrals.getHref(), label: 'My referrals', icon: IconSend },
    ...(isClaimer(me.data) ? [{ href: paths.inbound.getHref(), label: 'Inbound Referrals', icon: IconInbox }] : []),
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
                  <Text size="xs" c="dimmed" lh={1.2}>
                    {me.data.organisations.map((o) => o.name).join(' · ') || 'No organisation'}
                  </Text>
                </div>
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
              {me.data.organisations.map((o) => o.name).join(' · ')}
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
