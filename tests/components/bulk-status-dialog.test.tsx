import { describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BulkStatusDialog } from '@/features/referrals/components/bulk-status-dialog';
import { referralKeys } from '@/features/referrals/api/keys';
import type { StatusReason } from '@/features/referrals/api/get-status-reasons';
import { render } from './render';

// The app's Supabase client is made at import; these tests never apply a change, so it is pointed
// at an address nothing listens on (a request would end as "not changed" rows, which the tests rule out).
vi.hoisted(() => {
  vi.stubEnv('VITE_SUPABASE_URL', 'http://127.0.0.1:9');
  vi.stubEnv('VITE_SUPABASE_ANON_KEY', 'component-tests-make-no-requests');
});

const REASONS: StatusReason[] = [
  { status: 'not_eligible', code: 'income', label_en: 'Income above the limit', label_es: 'I', sort: 10, active: true },
  { status: 'not_eligible', code: 'age', label_en: 'Age requirement not met', label_es: 'E', sort: 20, active: true },
  { status: 'not_eligible', code: 'old', label_en: 'Retired reason', label_es: 'R', sort: 30, active: false },
  { status: 'no_capacity', code: 'full', label_en: 'Program is full', label_es: 'L', sort: 10, active: true },
];

const TARGETS = [
  { id: 'r1', version: 1, description: "Sam Seeker's referral to Harbor" },
  { id: 'r2', version: 4, description: "Rita Rivera's referral to Harbor" },
];

function setup() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  qc.setQueryData(referralKeys.reasons(), REASONS);
  const onDone = vi.fn();
  const view = render(
    <QueryClientProvider client={qc}>
      <BulkStatusDialog targets={TARGETS} opened onClose={() => {}} onDone={onDone} />
    </QueryClientProvider>,
  );
  const dialog = screen.getByRole('dialog', { name: 'Change the status of 2 referrals' });
  return { ...view, onDone, dialog, status: within(dialog).getByRole('combobox', { name: /New status/ }) };
}

describe('BulkStatusDialog', () => {
  it('names the referrals and changes nothing until a status is chosen', () => {
    const { dialog } = setup();
    expect(within(dialog).getByText("Sam Seeker's referral to Harbor")).toBeInTheDocument();
    expect(within(dialog).getByText("Rita Rivera's referral to Harbor")).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Change 2 referrals' })).toBeDisabled();
    expect(within(dialog).queryByRole('combobox', { name: /^Reason/ })).toBeNull();
  });

  it('asks for a reason from the same list as a single change (active reasons of that status only)', async () => {
    const { user, dialog, status } = setup();
    await user.selectOptions(status, 'not_eligible');
    const reason = within(dialog).getByRole('combobox', { name: /^Reason/ });
    expect(
      within(reason)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['Choose a reason', 'Income above the limit', 'Age requirement not met']);
    expect(within(dialog).getByText('The same reason goes with each of the 2 referrals.')).toBeInTheDocument();
    // another status with reasons offers its own; one without reasons asks for none
    await user.selectOptions(status, 'no_capacity');
    expect(
      within(within(dialog).getByRole('combobox', { name: /^Reason/ }))
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['Choose a reason', 'Program is full']);
    await user.selectOptions(status, 'pending');
    expect(within(dialog).queryByRole('combobox', { name: /^Reason/ })).toBeNull();
    expect(within(dialog).getByRole('button', { name: 'Change 2 referrals to Pending' })).toBeEnabled();
  });

  it('refuses to apply a status that carries a reason without one, in the single change words', async () => {
    const { user, dialog, status, onDone } = setup();
    await user.selectOptions(status, 'not_eligible');
    await user.click(within(dialog).getByRole('button', { name: 'Change 2 referrals to Not eligible' }));
    expect(within(dialog).getByText('Choose a reason for "Not eligible".')).toBeInTheDocument();
    // nothing was sent: no outcome, the form is still there
    expect(onDone).not.toHaveBeenCalled();
    expect(within(dialog).queryByText(/of 2 changed/)).toBeNull();
    // choosing a reason clears the message
    await user.selectOptions(within(dialog).getByRole('combobox', { name: /^Reason/ }), 'income');
    expect(within(dialog).queryByText('Choose a reason for "Not eligible".')).toBeNull();
  });
});
