import { useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import {
  Alert,
  Anchor,
  Button,
  Group,
  Modal,
  NativeSelect,
  Paper,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconUserPlus } from '@tabler/icons-react';
import { paths } from '@/lib/paths';
import { OrganisationSelect, orgValue, parseOrgValue } from '@/components/organisation-select';
import { Pager } from '@/components/pager';
import { useMe, useUserId } from '@/features/auth';
import { errorMessage } from '@/lib/errors';
import { fullName } from '@/lib/format';
import { notifySuccess } from '@/lib/notify';
import { useLiveQueries } from '@/lib/realtime';
import { SearchField } from '@/components/search-field';
import { useCreateSeeker } from '../api/create-seeker';
import { seekerKeys, type SeekerSort } from '../api/keys';
import { SEEKERS_PAGE_SIZE, useSeekerList } from '../api/list-seekers';
import { CONTACT_LABELS, SeekerForm } from '../components/seeker-form';

function AddPersonModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const userId = useUserId();
  const me = useMe(userId);
  const create = useCreateSeeker();
  const navigate = useNavigate();
  const orgs = me.data?.organisations ?? [];
  const [from, setFrom] = useState('');
  const fromValue = from || (orgs[0] ? orgValue(orgs[0]) : '');
  return (
    <Modal opened={opened} onClose={onClose} title="Add a person" size="lg">
      <Stack gap="sm">
        <OrganisationSelect
          label="Add them from"
          description="Your team at this organisation will see them when it shares."
          organisations={orgs}
          value={fromValue}
          onChange={setFrom}
        />
        <SeekerForm
          submitLabel="Add person"
          onCancel={onClose}
          onSubmit={async (values) => {
            const created = await create.mutateAsync({
              ...values,
              ...(orgs.length > 1 ? parseOrgValue(fromValue) : {}),
            });
            notifySuccess(`${values.first_name} ${values.last_name} was added.`);
            onClose();
            navigate(paths.seeker.getHref(created.id));
          }}
        />
      </Stack>
    </Modal>
  );
}

export default function PeopleRoute() {
  const [searchInput, setSearchInput] = useState('');
  const [search] = useDebouncedValue(searchInput.trim(), 300);
  const [sort, setSort] = useState<SeekerSort>('name');
  const [page, setPage] = useState(1);
  const [adding, setAdding] = useState(false);
  const list = useSeekerList({ search: search || undefined, sort, page });

  useEffect(() => setPage(1), [search, sort]);
  // The list can shrink under a later page (sharing switched off meanwhile): back to the first.
  useEffect(() => {
    if (page > 1 && list.data && !list.isPlaceholderData && list.data.rows.length === 0) setPage(1);
  }, [page, list.data, list.isPlaceholderData]);
  useEffect(() => {
    document.title = "People I'm Helping · Closed Loop Referrals";
  }, []);
  // A new referral can add someone to this list; a profile edit can change a row.
  useLiveQueries('people', [{ table: 'seekers' }, { table: 'referrals', event: 'INSERT' }], [seekerKeys.lists()]);

  const total = list.data ? list.data.total : 0;

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <div>
          <Title order={1}>People I&apos;m Helping</Title>
          <Text c="dimmed" size="sm">
            The people you and your team have helped or received referrals for.
          </Text>
        </div>
        <Button leftSection={<IconUserPlus size={18} aria-hidden />} onClick={() => setAdding(true)}>
          Add a person
        </Button>
      </Group>

      <Group gap="sm" align="flex-end" wrap="wrap">
        <SearchField
          label="Search people"
          description="By name, email or phone"
          value={searchInput}
          onChange={setSearchInput}
          minWidth={220}
        />
        <NativeSelect
          label="Sort"
          value={sort}
          onChange={(e) => setSort(e.currentTarget.value as SeekerSort)}
          data={[
            { value: 'name', label: 'Name (A–Z)' },
            { value: 'newest', label: 'Newest first' },
            { value: 'recently_updated', label: 'Recently updated' },
          ]}
        />
      </Group>

      {list.isError ? (
        <Alert color="red" role="alert" title="People could not be loaded">
          {errorMessage(list.error)}
        </Alert>
      ) : list.isPending ? (
        <div aria-busy="true" aria-label="Loading people">
          {[0, 1, 2, 3].map((i) => (
            <Skeleton key={i} h={40} mb="xs" />
          ))}
        </div>
      ) : list.data.rows.length === 0 ? (
        <Paper withBorder p="xl" ta="center">
          {search ? (
            <Text>Nobody matches “{search}”. Check the spelling, search by email or phone, or add the person.</Text>
          ) : (
            <Text>Nobody here yet. Use Add a person to create a profile, then start a referral for them.</Text>
          )}
        </Paper>
      ) : (
        <Table.ScrollContainer minWidth={600}>
          <Table verticalSpacing="sm" highlightOnHover>
            <Table.Caption style={{ captionSide: 'top', textAlign: 'left' }}>
              {total === null
                ? `Many people${search ? ` match “${search}”` : ''}: add a word to narrow the search`
                : `${total} ${total === 1 ? 'person' : 'people'}${search ? ` matching “${search}”` : ''}`}
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Name</Table.Th>
                <Table.Th scope="col">Email</Table.Th>
                <Table.Th scope="col">Phone</Table.Th>
                <Table.Th scope="col">ZIP</Table.Th>
                <Table.Th scope="col">Preferred contact</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.rows.map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    <Anchor component={Link} to={paths.seeker.getHref(s.id)} fw={600}>
                      {fullName(s)}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{s.email ?? '—'}</Table.Td>
                  <Table.Td>{s.phone ?? '—'}</Table.Td>
                  <Table.Td>{s.zip ?? '—'}</Table.Td>
                  <Table.Td>{CONTACT_LABELS[s.preferred_contact]}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Pager
        label="Pages of people"
        page={page}
        pageSize={SEEKERS_PAGE_SIZE}
        shown={list.data?.rows.length ?? 0}
        total={total}
        hasMore={list.data?.hasMore ?? false}
        onChange={setPage}
      />
      <AddPersonModal opened={adding} onClose={() => setAdding(false)} />
    </Stack>
  );
}
