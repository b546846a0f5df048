import { describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import { StatusControl } from '@/features/referrals/components/status-control';
import { StatusBadge } from '@/features/referrals/components/status-badge';
import { render } from './render';

describe('StatusControl', () => {
  it('offers the eleven statuses grouped as In progress, Got help and Needs further action', () => {
    render(<StatusControl value="not_updated" onChange={() => {}} />);
    const select = screen.getByRole('combobox', { name: 'Status' });
    const groups = within(select).getAllByRole('group');
    expect(groups.map((g) => g.getAttribute('label'))).toEqual(['In progress', 'Got help', 'Needs further action']);
    expect(
      within(groups[0]!)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['Not updated', 'Needs client action', 'Pending', 'Referred elsewhere', 'Eligible']);
    expect(
      within(groups[1]!)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['Got help']);
    expect(within(groups[2]!).getAllByRole('option')).toHaveLength(5);
    expect(screen.getByText('Group: In progress')).toBeInTheDocument();
  });

  it('reports the chosen status, by keyboard as well', async () => {
    const onChange = vi.fn();
    const { user } = render(<StatusControl value="not_updated" onChange={onChange} />);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'Eligible');
    expect(onChange).toHaveBeenCalledWith('eligible');
  });

  it('names itself for a table row when its label is hidden', () => {
    render(<StatusControl value="pending" onChange={() => {}} hideLabel ariaLabel="Status of Sam Seeker's referral" />);
    expect(screen.getByRole('combobox', { name: "Status of Sam Seeker's referral" })).toHaveValue('pending');
  });

  it('shows an error next to the control', () => {
    render(<StatusControl value="pending" onChange={() => {}} error="Someone else changed this referral first." />);
    expect(screen.getByRole('alert')).toHaveTextContent('Someone else changed this referral first.');
  });

  it('is disabled while a change is saving', () => {
    render(<StatusControl value="pending" onChange={() => {}} disabled />);
    expect(screen.getByRole('combobox', { name: 'Status' })).toBeDisabled();
  });
});

describe('StatusBadge', () => {
  it('shows the status in words, with the group as its title', () => {
    render(<StatusBadge status="couldnt_contact" />);
    const badge = screen.getByText("Couldn't contact");
    expect(badge.closest('[title]')).toHaveAttribute('title', 'Needs further action');
  });
});
