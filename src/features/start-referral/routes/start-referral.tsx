import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  NativeSelect,
  Paper,
  Skeleton,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconArrowLeft, IconMapPin } from '@tabler/icons-react';
import { paths } from '@/lib/paths';
import { orgValue, parseOrgValue } from '@/components/organisation-select';
import { useActingAs, useMe, useUserId } from '@/features/auth';
import { statusLabel } from '@/features/referrals';
import { useSeeker } from '@/features/seekers';
import { CapacityBadge, FreshnessText, ReportDialog } from '@/features/directory';
import { errorMessage } from '@/lib/errors';
import { formatDate, fullName } from '@/lib/format';
import { notifyError, notifySuccess } from '@/lib/notify';
import { SearchField } from '@/components/search-field';
import { useCreateReferral } from '../api/create-referral';
import { useOpenReferrals, type OpenReferral } from '../api/open-referrals';
import { useProgramsByName } from '../api/programs-by-name';
import { useSaveSeekerZip } from '../api/save-zip';
import { useProgramSearch, type ProgramResult } from '../api/search-programs';
import { ConnectForm } from '../components/connect-form';

const DISTANCES = [
  { value: '', label: 'Any distance' },
  { value: '5', label: 'Within 5 miles' },
  { value: '10', label: 'Within 10 miles' },
  { value: '25', label: 'Within 25 miles' },
  { value: '50', label: 'Within 50 miles' },
];

/** "Already referred · Pending": the person has an open referral with this program. */
function AlreadyReferred({ open }: { open: OpenReferral | undefined }) {
  if (!open) return null;
  return (
    <Badge color="orange" variant="light" tt="none" w="fit-content">
      Already referred · {statusLabel(open.status)}
    </Badge>
  );
}

export default function StartReferralRoute() {
  const { seekerId = '' } = useParams();
  const userId = useUserId();
  const me = useMe(userId);
  const seeker = useSeeker(seekerId);
  const navigate = useNavigate();
  const create = useCreateReferral();

  const [zip, setZip] = useState<string | null>(null);
  const [zipInput, setZipInput] = useState('');
  const [zipError, setZipError] = useState<string | null>(null);
  const [queryInput, setQueryInput] = useState('');
  const [query] = useDebouncedValue(queryInput.trim(), 300);
  const [distance, setDistance] = useState('');
  const [connecting, setConnecting] = useState<ProgramResult | null>(null);
  const [acceptingOnly, setAcceptingOnly] = useState(false);
  const [confirmFull, setConfirmFull] = useState<ProgramResult | null>(null);
  const [reporting, setReporting] = useState<ProgramResult | null>(null);
  // Connect on a program the person already has an open referral with asks first.
  const [confirming, setConfirming] = useState<{ program: ProgramResult; open: OpenReferral } | null>(null);
  const { actingAs } = useActingAs(me.data);
  const openReferrals = useOpenReferrals(seekerId);
  const saveZip = useSaveSeekerZip();

  // The search starts in the seeker's ZIP code from their personal information.
  const seekerZip = seeker.data?.zip ?? '';
  useEffect(() => {
    if (zip === null && seeker.data) {
      setZip(seekerZip);
      setZipInput(seekerZip);
    }
  }, [seeker.data, seekerZip, zip]);

  const name = seeker.data ? fullName(seeker.data) : '';
  useEffect(() => {
    document.title = `Start a Referral${name ? ` for ${name}` : ''} · Closed Loop Referrals`;
  }, [name]);

  const nearby = useProgramSearch({
    zip: zip ?? '',
    query: query || undefined,
    withinMiles: distance ? Number(distance) : null,
    acceptingOnly,
  });
  // No ZIP code: the directory by name until one is given.
  const byName = useProgramsByName(query || undefined, acceptingOnly, zip === '');
  const results = zip ? nearby : byName;
  const openFor = (programId: string) => openReferrals.data?.find((r) => r.program_id === programId);
  // Connect asks first when the person already has an open referral there, then
  // when the program is not accepting referrals (the referral's history records that).
  const toConnect = (p: ProgramResult) => (p.capacity === 'not_accepting' ? setConfirmFull(p) : setConnecting(p));
  const connect = (p: ProgramResult) => {
    const open = openFor(p.id);
    if (open) setConfirming({ program: p, open });
    else toConnect(p);
  };

  if (seeker.isPending) return <Skeleton h={300} aria-label="Loading" />;
  if (seeker.isError) {
    return (
      <Alert color="red" role="alert" title="This person could not be loaded">
        {errorMessage(seeker.error)}
      </Alert>
    );
  }

  const orgs = me.data?.organisations ?? [];

  return (
    <Stack gap="md">
      <div>
        <Anchor component={Link} to={paths.seeker.getHref(seekerId)} size="sm">
          <Group gap={4} component="span">
            <IconArrowLeft size={14} aria-hidden /> Back to {name}
          </Group>
        </Anchor>
        <Title order={1} mt={4}>
          Start a Referral
        </Title>
      </div>

      <Alert color="indigo" variant="light" role="status" title={`You are helping ${name}`}>
        {zip
          ? `Programs are listed nearest to ZIP code ${zip} first.`
          : `${name} has no ZIP code on their profile, so programs are listed by name. Enter a ZIP code to list the nearest first.`}{' '}
        Choose one and press Connect to refer {seeker.data.first_name}.
      </Alert>
      {zip && !seekerZip && seeker.data.contact_editable !== false && (
        <Group gap="sm">
          <Text size="sm">{name} has no ZIP code on their profile.</Text>
          <Button
            size="xs"
            variant="light"
            loading={saveZip.isPending}
            onClick={() =>
              saveZip.mutate(
                { seekerId, zip },
                {
                  onSuccess: () => notifySuccess(`${zip} saved as ${name}'s ZIP code.`),
                  onError: (e) => notifyError(e, 'ZIP code not saved'),
                },
              )
            }
          >
            Save {zip} to {seeker.data.first_name}'s profile
          </Button>
        </Group>
      )}

      <Paper withBorder p="sm" component="section" aria-label="Program search">
        <Group gap="sm" align="flex-end" wrap="wrap">
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              if (!/^[0-9]{5}$/.test(zipInput.trim())) {
                setZipError('Enter a five-digit ZIP code');
                return;
              }
              setZipError(null);
              setZip(zipInput.trim());
            }}
          >
            <Group gap="xs" align="flex-end" wrap="nowrap">
              <TextInput
                label="ZIP code"
                inputMode="numeric"
                maxLength={5}
                w={120}
                leftSection={<IconMapPin size={16} aria-hidden />}
                value={zipInput}
                onChange={(e) => setZipInput(e.currentTarget.value)}
                error={zipError}
              />
              <Button type="submit" variant="light">
                Change ZIP
              </Button>
            </Group>
          </form>
          <SearchField
            label="Search programs"
            description="Name, what they offer, or a kind of help such as food"
            value={queryInput}
            onChange={setQueryInput}
          />
          <NativeSelect
            label="Distance"
            value={distance}
            onChange={(e) => setDistance(e.currentTarget.value)}
            data={DISTANCES}
          />
          <Checkbox
            label="Accepting referrals only"
            description="Accepting, or taking referrals onto a waitlist"
            checked={acceptingOnly}
            onChange={(e) => setAcceptingOnly(e.currentTarget.checked)}
          />
        </Group>
      </Paper>

      {results.isError ? (
        <Alert color="red" role="alert" title="Programs could not be searched">
          {errorMessage(results.error)}
        </Alert>
      ) : results.isPending ? (
        <Stack aria-busy="true" aria-label="Loading programs">
          <Skeleton h={90} />
          <Skeleton h={90} />
        </Stack>
      ) : results.data.length === 0 ? (
        <Paper withBorder p="xl" ta="center">
          <Text>
            No programs match. Try a wider distance, fewer words, or another ZIP code
            {acceptingOnly ? ', or show programs whatever their capacity' : ''}.
          </Text>
        </Paper>
      ) : (
        <Stack gap="sm" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Programs">
          {results.data.map((p) => (
            <Paper key={p.id} withBorder p="md" component="li">
              <Group justify="space-between" align="flex-start" wrap="wrap">
                <Stack gap={4} style={{ flex: 1, minWidth: 220 }}>
                  <Title order={2} size="h4">
                    {p.name}
                  </Title>
                  <Text size="sm">{p.description}</Text>
                  <Text size="sm" c="dimmed">
                    {[p.address, p.program_zip].filter(Boolean).join(', ')}
                    {p.distance_miles != null && ` · ${Number(p.distance_miles).toFixed(1)} miles away`}
                  </Text>
                  <AlreadyReferred open={openFor(p.id)} />
                  <Group gap={4}>
                    {p.service_categories.map((c) => (
                      <Badge key={c} color="gray" variant="outline" tt="none">
                        {c}
                      </Badge>
                    ))}
                  </Group>
                  <CapacityBadge capacity={p.capacity} wait={p.capacity_wait} updatedAt={p.capacity_updated_at} />
                  <FreshnessText verifiedAt={p.verified_at} />
                </Stack>
                <Stack gap={4} align="flex-end">
                  <Button onClick={() => connect(p)} aria-label={`Connect ${name} with ${p.name}`}>
                    Connect
                  </Button>
                  <Button
                    variant="subtle"
                    size="compact-xs"
                    onClick={() => setReporting(p)}
                    aria-label={`Report wrong information about ${p.name}`}
                  >
                    Report wrong information
                  </Button>
                </Stack>
              </Group>
            </Paper>
          ))}
        </Stack>
      )}

      <Modal
        opened={confirming !== null}
        onClose={() => setConfirming(null)}
        title={`Already referred to ${confirming?.program.name ?? ''}`}
      >
        {confirming && (
          <Stack gap="sm">
            <Text>
              {name} already has an open referral to {confirming.program.name} ({statusLabel(confirming.open.status)},
              made {formatDate(confirming.open.created_at)}). Refer them again anyway?
            </Text>
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={() => setConfirming(null)}>
                Don't refer again
              </Button>
              <Button
                onClick={() => {
                  toConnect(confirming.program);
                  setConfirming(null);
                }}
              >
                Refer again
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>

      <Modal
        opened={connecting !== null}
        onClose={() => setConnecting(null)}
        title={`Connect with ${connecting?.name ?? ''}`}
        size="lg"
      >
        {connecting && (
          <ConnectForm
            seekerName={name}
            programName={connecting.name}
            organisations={orgs.map((o) => ({ value: orgValue(o), label: `${o.name} (${o.kind})` }))}
            defaultFrom={actingAs ? orgValue(actingAs) : undefined}
            defaultValues={{
              email: seeker.data.email ?? '',
              phone: seeker.data.phone ?? '',
              preferred_contact: seeker.data.preferred_contact,
            }}
            contactEditable={seeker.data.contact_editable === true}
            waitlistBand={connecting.capacity === 'waitlist' ? connecting.capacity_wait : undefined}
            onCancel={() => setConnecting(null)}
            onSubmit={async (v) => {
              const contact = {
                email: v.email || null,
                phone: v.phone || null,
                preferred_contact: v.preferred_contact,
              };
              const changed =
                contact.email !== seeker.data.email ||
                contact.phone !== seeker.data.phone ||
                contact.preferred_contact !== seeker.data.preferred_contact;
              const created = await create.mutateAsync({
                seekerId,
                programId: connecting.id,
                comment: v.comment,
                programNote: v.program_note,
                ...(orgs.length > 1 ? parseOrgValue(v.from) : { fromSiteId: null, fromProgramId: null }),
                contact: changed ? contact : null,
              });
              notifySuccess(`${name} was referred to ${connecting.name}.`, 'Referral sent');
              setConnecting(null);
              navigate(`${paths.seeker.getHref(seekerId)}?referral=${created.id}`);
            }}
          />
        )}
      </Modal>

      <Modal
        opened={confirmFull !== null}
        onClose={() => setConfirmFull(null)}
        title={`${confirmFull?.name ?? ''} is not accepting referrals`}
      >
        <Stack gap="sm">
          <Text size="sm">
            {confirmFull?.name} says it is not taking new referrals right now. Refer {seeker.data.first_name} anyway?
            The referral&apos;s history will record that it was made while the program was not accepting referrals.
          </Text>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setConfirmFull(null)}>
              Choose another program
            </Button>
            <Button
              color="red"
              onClick={() => {
                setConnecting(confirmFull);
                setConfirmFull(null);
              }}
            >
              Refer anyway
            </Button>
          </Group>
        </Stack>
      </Modal>

      {reporting && (
        <ReportDialog programId={reporting.id} programName={reporting.name} opened onClose={() => setReporting(null)} />
      )}
    </Stack>
  );
}
