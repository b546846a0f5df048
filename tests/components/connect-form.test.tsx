import { describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import { ConnectForm } from '@/features/start-referral/components/connect-form';
import { accessError } from '@/lib/errors';
import { render } from './render';

const defaults = { email: 'sam@seeker.example', phone: '(512) 555-0199', preferred_contact: 'email' as const };

describe('ConnectForm', () => {
  it('is filled from the profile and needs consent before sending', async () => {
    const onSubmit = vi.fn();
    const { user } = render(
      <ConnectForm
        seekerName="Sam Seeker"
        programName="Safe Haven Housing"
        defaultValues={defaults}
        organisations={[{ value: 'site:1', label: 'Eastside' }]}
        onSubmit={onSubmit}
        onCancel={vi.fn()}
      />,
    );
    const form = screen.getByRole('form', { name: 'Connect Sam Seeker with Safe Haven Housing' });
    expect(form).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Email' })).toHaveValue('sam@seeker.example');
    expect(screen.getByRole('textbox', { name: 'Phone' })).toHaveValue('(512) 555-0199');
    expect(screen.getByRole('combobox', { name: 'Preferred contact' })).toHaveValue('email');
    // One organisation: nothing to choose.
    expect(screen.queryByRole('combobox', { name: /Refer from/ })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Send referral' }));
    expect(await screen.findByText('The person must agree before their details are shared')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('sends the comment, contact details and the organisation chosen among several', async () => {
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    const { user } = render(
      <ConnectForm
        seekerName="Omar Ortiz"
        programName="Harbor Food Pantry"
        defaultValues={{ email: '', phone: '', preferred_contact: 'phone' }}
        organisations={[
          { value: 'program:bf', label: 'Bright Futures Job Training (program)' },
          { value: 'site:ws', label: 'Westside Family Center (site)' },
        ]}
        onSubmit={onSubmit}
        onCancel={vi.fn()}
      />,
    );
    await user.type(
      screen.getByRole('textbox', { name: /Message to the program and the client/ }),
      'Needs groceries for four.',
    );
    await user.type(screen.getByRole('textbox', { name: /Note for the program only/ }), 'Eviction notice due.');
    await user.selectOptions(screen.getByRole('combobox', { name: /Refer from/ }), 'Westside Family Center (site)');
    await user.click(screen.getByRole('checkbox', { name: /Omar Ortiz agrees to share/ }));
    await user.click(screen.getByRole('button', { name: 'Send referral' }));
    expect(onSubmit).toHaveBeenCalledWith({
      email: '',
      phone: '',
      preferred_contact: 'phone',
      comment: 'Needs groceries for four.',
      program_note: 'Eviction notice due.',
      from: 'site:ws',
      consent: true,
    });
  });

  it('starts "Refer from" at the organisation acted for, above the message', async () => {
    render(
      <ConnectForm
        seekerName="Omar Ortiz"
        programName="Harbor Food Pantry"
        defaultValues={{ email: '', phone: '(512) 555-0177', preferred_contact: 'phone' }}
        organisations={[
          { value: 'program:bf', label: 'Bright Futures Job Training (program)' },
          { value: 'site:ws', label: 'Westside Family Center (site)' },
        ]}
        defaultFrom="site:ws"
        onSubmit={vi.fn()}
        onCancel={vi.fn()}
      />,
    );
    const from = screen.getByRole('combobox', { name: /Refer from/ });
    expect(from).toHaveValue('site:ws');
    const message = screen.getByRole('textbox', { name: /Message to the program and the client/ });
    expect(from.compareDocumentPosition(message) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('refuses a comment over the database limit', async () => {
    const onSubmit = vi.fn();
    const { user } = render(
      <ConnectForm
        seekerName="Sam Seeker"
        programName="Safe Haven Housing"
        defaultValues={defaults}
        organisations={[]}
        onSubmit={onSubmit}
        onCancel={vi.fn()}
      />,
    );
    await user.click(screen.getByRole('textbox', { name: /Message to the program and the client/ }));
    await user.paste('x'.repeat(2001));
    await user.click(screen.getByRole('checkbox', { name: /agrees to share/ }));
    await user.click(screen.getByRole('button', { name: 'Send referral' }));
    expect(await screen.findByText('Keep the message under 2000 characters')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('shows the contact details read-only to staff who may not change them, and sends them unchanged', async () => {
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    const { user } = render(
      <ConnectForm
        seekerName="Sam Seeker"
        programName="Harbor Food Pantry"
        defaultValues={defaults}
        contactEditable={false}
        organisations={[]}
        onSubmit={onSubmit}
        onCancel={vi.fn()}
      />,
    );
    const email = screen.getByRole('textbox', { name: 'Email' });
    expect(email).toHaveAttribute('readonly');
    expect(screen.getByRole('textbox', { name: 'Phone' })).toHaveAttribute('readonly');
    expect(screen.getByRole('combobox', { name: 'Preferred contact' })).toBeDisabled();
    expect(
      screen.getByText(
        'Only the organisation that added Sam Seeker, or Sam Seeker themselves, can change these contact details.',
      ),
    ).toBeInTheDocument();
    await user.type(email, 'x');
    await user.click(screen.getByRole('checkbox', { name: /agrees to share/ }));
    await user.click(screen.getByRole('button', { name: 'Send referral' }));
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining(defaults));
  });

  it('shows why the database refused the referral', async () => {
    // what createReferral throws when the database refuses the insert with its own reason
    const onSubmit = vi.fn().mockRejectedValue(
      accessError('referral', {
        code: '42501',
        message: 'A referral can only be made from a site or program the referrer belongs to',
      }),
    );
    const { user } = render(
      <ConnectForm
        seekerName="Sam Seeker"
        programName="Safe Haven Housing"
        defaultValues={defaults}
        organisations={[]}
        onSubmit={onSubmit}
        onCancel={vi.fn()}
      />,
    );
    await user.click(screen.getByRole('checkbox', { name: /agrees to share/ }));
    await user.click(screen.getByRole('button', { name: 'Send referral' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      "You don't have access to this referral. A referral can only be made from a site or program the referrer belongs to.",
    );
  });

  it('shows the waitlist band of a program on a waitlist, and nothing for one that is not', () => {
    const props = {
      seekerName: 'Sam Seeker',
      defaultValues: defaults,
      organisations: [{ value: 'site:1', label: 'Eastside' }],
      onSubmit: vi.fn(),
      onCancel: vi.fn(),
    };
    const { unmount } = render(
      <ConnectForm {...props} programName="Harbor Food Pantry" waitlistBand="about 2 weeks" />,
    );
    expect(screen.getByText('Harbor Food Pantry has a waitlist')).toBeInTheDocument();
    expect(screen.getByText(/The wait is about 2 weeks\./)).toBeInTheDocument();
    unmount();
    render(<ConnectForm {...props} programName="Safe Haven Housing" />);
    expect(screen.queryByText(/has a waitlist/)).not.toBeInTheDocument();
  });
});
