import { describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StatusChanger, type ChangeableReferral } from '@/features/referrals/components/status-changer';
import { referralKeys } from '@/features/referrals/api/keys';
import type { StatusReason } from '@/features/referrals/api/get-status-reasons';
import { HistoryTimeline } from '@/features/referrals/components/history-timeline';
import { render } from './render';

// The app's Supabase client is made at import; these tests never complete a Save, so it is pointed
// at an address nothing listens on (any request would fail the test instead of reaching a stack).
vi.hoisted(() => {
  vi.stubEnv('VITE_SUPABASE_URL', 'http://127.0.0.1:9');
  vi.stubEnv('VITE_SUPABASE_ANON_KEY', 'component-tests-make-no-requests');
});

const REASONS: StatusReason[] = [
  {
    status: 'not_eligible',
    code: 'income',
    label_en: 'Income above the limit',
    label_es: 'Ingresos',
    sort: 10,
    active: true,
  },
  {
    status: 'not_eligible',
    code: 'age',
    label_en: 'Age requirement not met',
    label_es: 'Edad',
    sort: 20,
    active: true,
  },
  { status: 'not_eligible', code: 'old', label_en: 'Retired reason', label_es: 'Retirado', sort: 30, active: false },
];

const referral: ChangeableReferral = {
  id: 'r1',
  status: 'pending',
  version: 3,
  status_reason: null,
  status_reason_text: null,
  seeker_id: 's1',
  program_id: 'p1',
  comment: '',
};

function setup(over: Partial<ChangeableReferral> = {}, props: { canForward?: boolean } = {}) {
  // The reasons come from public.status_reasons; here they are in the cache already, and nothing
  // in these tests reaches the network (no Save is completed).
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  qc.setQueryData(referralKeys.reasons(), REASONS);
  const view = render(
    <QueryClientProvider client={qc}>
      <StatusChanger referral={{ ...referral, ...over }} description="Sam Seeker's referral to Harbor" {...props} />
    </QueryClientProvider>,
  );
  return { ...view, select: screen.getByRole('combobox', { name: 'Status' }) };
}

describe('StatusChanger', () => {
  it('saves nothing when a status is chosen: it shows Save and Cancel, and keeps the focus on the box', async () => {
    const { user, select } = setup();
    select.focus();
    await user.selectOptions(select, 'Eligible');
    expect(select).toHaveValue('eligible');
    expect(select).toHaveFocus();
    expect(screen.getByText('Not saved yet')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save' })).toBeInTheDocument();
    // no reason for a status without one
    expect(screen.queryByRole('combobox', { name: /Reason/ })).not.toBeInTheDocument();
  });

  it('Cancel, Escape or choosing the saved status again drops the choice', async () => {
    const { user, select } = setup();
    await user.selectOptions(select, 'Eligible');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(select).toHaveValue('pending');
    expect(select).toHaveFocus();
    expect(screen.queryByRole('button', { name: 'Save' })).not.toBeInTheDocument();

    await user.selectOptions(select, 'Eligible');
    select.focus();
    await user.keyboard('{Escape}');
    expect(select).toHaveValue('pending');
    expect(screen.queryByRole('button', { name: 'Save' })).not.toBeInTheDocument();

    await user.selectOptions(select, 'Got help');
    await user.selectOptions(select, 'Pending');
    expect(screen.queryByRole('button', { name: 'Save' })).not.toBeInTheDocument();
  });

  it('asks for the reason of a status that carries one, offering only the active reasons', async () => {
    const { user, select } = setup();
    await user.selectOptions(select, 'Not eligible');
    const reason = screen.getByRole('combobox', { name: 'Reason' });
    expect(reason).toBeRequired();
    expect(
      within(reason)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['Choose a reason', 'Income above the limit', 'Age requirement not met']);
    expect(screen.getByRole('textbox', { name: 'Details (optional)' })).toHaveAttribute('maxlength', '500');
    // Save without a reason is refused here, before anything is sent
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Choose a reason for "Not eligible".');
    expect(select).toHaveValue('not_eligible');
    await user.selectOptions(reason, 'Income above the limit');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('offers forwarding with "Referred elsewhere" only to a claimer of the receiving program', async () => {
    const claimer = setup({}, { canForward: true });
    await claimer.user.selectOptions(claimer.select, 'Referred elsewhere');
    expect(screen.getByRole('button', { name: 'Forward to another program…' })).toBeInTheDocument();
    claimer.unmount();
    const other = setup({}, { canForward: false });
    await other.user.selectOptions(other.select, 'Referred elsewhere');
    expect(screen.queryByRole('button', { name: 'Forward to another program…' })).not.toBeInTheDocument();
  });

  it('names its controls after the referral in a table row', async () => {
    const qc = new QueryClient();
    qc.setQueryData(referralKeys.reasons(), REASONS);
    const { user } = render(
      <QueryClientProvider client={qc}>
        <StatusChanger referral={referral} description="Sam Seeker's referral to Harbor" compact />
      </QueryClientProvider>,
    );
    await user.selectOptions(
      screen.getByRole('combobox', { name: "Status of Sam Seeker's referral to Harbor" }),
      'Not eligible',
    );
    expect(screen.getByRole('combobox', { name: "Reason for Sam Seeker's referral to Harbor" })).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: "Save the status of Sam Seeker's referral to Harbor: Not eligible" }),
    ).toBeInTheDocument();
  });

  it('shows the reason of the saved status in words in a table row', () => {
    const qc = new QueryClient();
    qc.setQueryData(referralKeys.reasons(), REASONS);
    render(
      <QueryClientProvider client={qc}>
        <StatusChanger
          referral={{ ...referral, status: 'not_eligible', status_reason: 'age', status_reason_text: 'Under 18' }}
          description="Sam Seeker's referral to Harbor"
          compact
        />
      </QueryClientProvider>,
    );
    expect(screen.getByText('Reason: Age requirement not met: Under 18')).toBeInTheDocument();
  });
});

describe('HistoryTimeline with reasons', () => {
  it('says why a status changed, in words', () => {
    render(
      <HistoryTimeline
        reasonLabel={(status, code) => REASONS.find((r) => r.status === status && r.code === code)?.label_en ?? null}
        events={[
          {
            id: 1,
            event_type: 'status_changed',
            from_status: 'pending',
            to_status: 'not_eligible',
            status_reason: 'income',
            status_reason_text: 'Household of two',
            actor_display_name: 'Clara C.',
            actor_organization: 'Harbor Food Pantry',
            created_at: '2026-11-20T15:00:00Z',
          },
        ]}
      />,
    );
    expect(screen.getByRole('listitem')).toHaveTextContent(
      'Clara C. · Harbor Food Pantry changed the status from Pending to Not eligible. Reason: Income above the limit ("Household of two")',
    );
  });
});
