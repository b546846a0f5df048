import { describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import { GoalControl } from '@/features/referrals/components/goal-control';
import { render } from './render';

const goals = [
  { id: 'g1', title: 'Stable housing' },
  { id: 'g2', title: 'Enough food' },
];

describe('GoalControl', () => {
  it('explains what to do when the person has no goals', () => {
    render(<GoalControl goals={[]} value={null} onChange={vi.fn()} />);
    expect(screen.getByText(/has no goals yet/)).toBeInTheDocument();
    expect(screen.queryByRole('combobox')).not.toBeInTheDocument();
  });

  it('adds the referral to a goal', async () => {
    const onChange = vi.fn().mockResolvedValue(undefined);
    const { user } = render(<GoalControl goals={goals} value={null} onChange={onChange} />);
    const select = screen.getByRole('combobox', { name: 'Add to a Goal' });
    expect(select).toHaveValue('');
    expect(screen.getByText('Not in a goal', { selector: 'p, div' })).toBeInTheDocument();
    await user.selectOptions(select, 'Stable housing');
    expect(onChange).toHaveBeenCalledWith('g1');
  });

  it('moves it to another goal and removes it with the same control', async () => {
    const onChange = vi.fn().mockResolvedValue(undefined);
    const { user } = render(<GoalControl goals={goals} value="g1" onChange={onChange} />);
    const select = screen.getByRole('combobox', { name: 'Add to a Goal' });
    expect(screen.getByText('In goal: Stable housing')).toBeInTheDocument();
    await user.selectOptions(select, 'Enough food');
    expect(onChange).toHaveBeenLastCalledWith('g2');
    await user.selectOptions(select, 'Remove from goal');
    expect(onChange).toHaveBeenLastCalledWith(null);
  });

  it('shows the refusal in plain words', async () => {
    const onChange = vi.fn().mockRejectedValue({ code: 'P0001', message: 'The goal belongs to another person.' });
    const { user } = render(<GoalControl goals={goals} value={null} onChange={onChange} />);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Add to a Goal' }), 'Enough food');
    expect(await screen.findByRole('alert')).toHaveTextContent('The goal belongs to another person.');
  });
});
