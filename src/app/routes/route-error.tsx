import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { useRouteError } from 'react-router-dom';
import { errorMessage } from '@/lib/errors';

/** Shown when a screen fails to load (a lost chunk after a deploy, an unexpected error). */
export function RouteError() {
  const error = useRouteError();
  return (
    <Center mih="60vh" component="main" p="md">
      <Stack align="center" gap="sm" maw={480}>
        <Title order={1} size="h2">
          This page could not be shown
        </Title>
        <Text ta="center">{errorMessage(error)}</Text>
        <Button onClick={() => window.location.reload()}>Reload the page</Button>
      </Stack>
    </Center>
  );
}
