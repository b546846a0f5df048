import { describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import { SeekerForm } from '@/features/seekers/components/seeker-form';
import { render } from './render';

const field = (name: RegExp | string) => screen.getByRole('textbox', { name });

describe('SeekerForm (Add a person)', () => {
  it('needs a first name and checks email, phone and ZIP like the database does', async () => {
    const onSubmit = vi.fn();
    const { user } = render(<SeekerForm submitLabel="Add person" onSubmit={onSubmit} />);
    await user.type(field('Email'), 'not-an-email');
    await user.type(field('Phone'), 'call me');
    await user.type(field(/ZIP code/), '787');
    await user.click(screen.getByRole('button', { name: 'Add person' }));
    expect(await screen.findByText('Enter the first name')).toBeInTheDocument();
    expect(screen.getByText('Enter an email address like name@example.org')).toBeInTheDocument();
    expect(screen.getByText('Enter a phone number with digits')).toBeInTheDocument();
    expect(screen.getByText('Enter a five-digit ZIP code')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('refuses names longer than the database allows', async () => {
    const onSubmit = vi.fn();
    const { user } = render(<SeekerForm submitLabel="Add person" onSubmit={onSubmit} />);
    await user.click(field(/First name/));
    await user.paste('a'.repeat(101));
    await user.click(screen.getByRole('button', { name: 'Add person' }));
    expect(await screen.findByText('Keep the first name under 100 characters')).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('submits trimmed values with the chosen contact preference and language', async () => {
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    const { user } = render(<SeekerForm submitLabel="Add person" onSubmit={onSubmit} />);
    await user.type(field(/First name/), '  Ana ');
    await user.type(field('Last name'), 'Lopez');
    await user.type(field(/ZIP code/), '78741');
    await user.type(field('Phone'), '512 555 0142');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Preferred contact' }), 'Text message');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Preferred language' }), 'Spanish');
    await user.click(screen.getByRole('button', { name: 'Add person' }));
    expect(onSubmit).toHaveBeenCalledWith({
      first_name: 'Ana',
      last_name: 'Lopez',
      email: '',
      phone: '512 555 0142',
      address: '',
      zip: '78741',
      preferred_contact: 'text',
      preferred_language: 'es',
    });
  });

  it('follows the details typed: a walk-in with only a phone is reached by text, never by email', async () => {
    const onSubmit = vi.fn().mockResolvedValue(undefined);
    const { user } = render(<SeekerForm submitLabel="Add person" onSubmit={onSubmit} />);
    const contact = screen.getByRole('combobox', { name: 'Preferred contact' });
    expect(contact).toHaveValue('phone');
    await user.type(field(/First name/), 'Walk');
    await user.type(field('Phone'), '5125550142');
    expect(contact).toHaveValue('text');
    // choosing Email without an email address is refused, like the database does
    await user.selectOptions(contact, 'Email');
    await user.click(screen.getByRole('button', { name: 'Add person' }));
    expect(await screen.findByText(/Email needs an email address/)).toBeInTheDocument();
    expect(onSubmit).not.toHaveBeenCalled();
    await user.selectOptions(contact, 'Text message');
    await user.click(screen.getByRole('button', { name: 'Add person' }));
    expect(onSubmit).toHaveBeenCalledWith(expect.objectContaining({ phone: '5125550142', preferred_contact: 'text' }));
  });

  it('shows a refusal from the database in plain words and keeps what was typed', async () => {
    const onSubmit = vi.fn().mockRejectedValue({
      code: '23514',
      message: 'new row for relation "seekers" violates check constraint "seekers_zip_check"',
    });
    const { user } = render(<SeekerForm submitLabel="Add person" onSubmit={onSubmit} />);
    await user.type(field(/First name/), 'Ana');
    await user.click(screen.getByRole('button', { name: 'Add person' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The ZIP code is not allowed');
    expect(field(/First name/)).toHaveValue('Ana');
  });

  it('edits existing details and can be cancelled', async () => {
    const onCancel = vi.fn();
    const { user } = render(
      <SeekerForm
        submitLabel="Save details"
        onSubmit={vi.fn()}
        onCancel={onCancel}
        defaultValues={{
          first_name: 'Sam',
          last_name: 'Seeker',
          email: 'sam@seeker.example',
          phone: '',
          address: '',
          zip: '78702',
          preferred_contact: 'email',
          preferred_language: 'en',
        }}
      />,
    );
    expect(field(/First name/)).toHaveValue('Sam');
    expect(field(/ZIP code/)).toHaveValue('78702');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalled();
  });
});
