import { describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import { Pager } from '@/components/pager';
import { render } from './render';

describe('Pager', () => {
  it('with a total: a labelled navigation, which rows of how many, and numbered pages', async () => {
    const onChange = vi.fn();
    const { user } = render(
      <Pager label="Pages of people" page={1} pageSize={20} shown={20} total={45} onChange={onChange} />,
    );
    const nav = screen.getByRole('navigation', { name: 'Pages of people' });
    expect(nav).toHaveTextContent('Showing 1–20 of 45, 20 per page');
    expect(within(nav).getByRole('button', { name: 'Page 1' })).toHaveAttribute('aria-current', 'page');
    expect(within(nav).getByRole('button', { name: 'Page 3' })).toBeInTheDocument();
    expect(within(nav).queryByRole('button', { name: 'Page 4' })).not.toBeInTheDocument();
    await user.click(within(nav).getByRole('button', { name: 'Page 2' }));
    expect(onChange).toHaveBeenCalledWith(2);
    await user.click(within(nav).getByRole('button', { name: 'next page' }));
    expect(onChange).toHaveBeenLastCalledWith(2);
  });

  it('the last page shows its own rows', () => {
    render(<Pager label="Pages of people" page={3} pageSize={20} shown={5} total={45} onChange={vi.fn()} />);
    expect(screen.getByRole('navigation', { name: 'Pages of people' })).toHaveTextContent(
      'Showing 41–45 of 45, 20 per page',
    );
  });

  it('without a total: Previous and Next, driven by whether there is more', async () => {
    const onChange = vi.fn();
    const { user, rerender } = render(
      <Pager
        label="Pages of My referrals"
        page={1}
        pageSize={20}
        shown={20}
        total={null}
        hasMore
        onChange={onChange}
      />,
    );
    const nav = screen.getByRole('navigation', { name: 'Pages of My referrals' });
    expect(nav).toHaveTextContent('Showing 1–20, 20 per page');
    expect(within(nav).getByRole('button', { name: 'Previous page' })).toBeDisabled();
    await user.click(within(nav).getByRole('button', { name: 'Next page' }));
    expect(onChange).toHaveBeenCalledWith(2);
    rerender(<Pager label="Pages of My referrals" page={2} pageSize={20} shown={3} total={null} onChange={onChange} />);
    expect(nav).toHaveTextContent('Page 2');
    expect(within(nav).getByRole('button', { name: 'Next page' })).toBeDisabled();
    await user.click(within(nav).getByRole('button', { name: 'Previous page' }));
    expect(onChange).toHaveBeenLastCalledWith(1);
  });

  it('past the exact count limit: "of 1,000+", then Previous and Next', async () => {
    const onChange = vi.fn();
    const { user } = render(
      <Pager label="Pages of Inbound" page={3} pageSize={20} shown={20} total={1001} hasMore onChange={onChange} />,
    );
    const nav = screen.getByRole('navigation', { name: 'Pages of Inbound' });
    expect(nav).toHaveTextContent('Showing 41–60 of 1,000+, 20 per page');
    expect(within(nav).queryByRole('button', { name: 'Page 51' })).not.toBeInTheDocument();
    await user.click(within(nav).getByRole('button', { name: 'Next page' }));
    expect(onChange).toHaveBeenCalledWith(4);
  });

  it('shows nothing when everything fits on one page', () => {
    const { rerender } = render(
      <Pager label="Pages of people" page={1} pageSize={20} shown={20} total={20} onChange={vi.fn()} />,
    );
    expect(screen.queryByRole('navigation')).not.toBeInTheDocument();
    rerender(<Pager label="Pages of people" page={1} pageSize={20} shown={7} total={null} onChange={vi.fn()} />);
    expect(screen.queryByRole('navigation')).not.toBeInTheDocument();
  });
});
