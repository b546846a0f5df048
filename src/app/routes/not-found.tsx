import { Button, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { paths } from '@/lib/paths';

export default function NotFoundRoute() {
  return (
    <Stack gap="sm" align="flex-start">
      <Title order={1}>Page not found</Title>
      <Text>There is nothing at this address. It may have moved.</Text>
      <Button component={Link} to={paths.people.getHref()}>
        Go to People I&apos;m Helping
      </Button>
    </Stack>
  );
}
