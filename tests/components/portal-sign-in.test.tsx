import { afterEach, describe, expect, it } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PortalSignIn } from '@/features/portal/components/portal-sign-in';
import { setSeekerLanguage } from '@/i18n';

// The seekers' pages use their own plain building blocks (no Mantine provider needed).
function renderSignIn() {
  const user = userEvent.setup();
  render(<PortalSignIn />);
  return user;
}

afterEach(() => act(() => setSeekerLanguage('en')));

describe('PortalSignIn', () => {
  it('offers a link by email or a code by text, never a password', () => {
    renderSignIn();
    expect(screen.getByRole('heading', { level: 1, name: 'See your referrals' })).toBeInTheDocument();
    const how = screen.getByRole('radiogroup', { name: 'How to sign in' });
    expect(how).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: 'Email me a link' })).toBeChecked();
    expect(screen.getByRole('radio', { name: 'Text me a code' })).not.toBeChecked();
    expect(screen.getByRole('textbox', { name: 'Email address' })).toBeInTheDocument();
    expect(screen.queryByLabelText(/password/i)).toBeNull();
  });

  it('checks the email address before sending, and says what to fix next to the field', async () => {
    const user = renderSignIn();
    const email = screen.getByRole('textbox', { name: 'Email address' });
    await user.type(email, 'sam@');
    await user.click(screen.getByRole('button', { name: 'Email me a sign-in link' }));
    expect(email).toHaveAttribute('aria-invalid', 'true');
    expect(email).toHaveAccessibleDescription('Enter an email address like name@example.com');
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('switches to a texted code and checks the number', async () => {
    const user = renderSignIn();
    await user.click(screen.getByText('Text me a code', { selector: 'span' }));
    expect(screen.getByRole('radio', { name: 'Text me a code' })).toBeChecked();
    const phone = screen.getByRole('textbox', { name: 'Mobile phone number' });
    await user.type(phone, '512 555 01');
    await user.click(screen.getByRole('button', { name: 'Text me a code' }));
    expect(phone).toHaveAccessibleDescription('Enter a phone number like (512) 555-0177');
    // by keyboard: the arrows move back to the email link
    await user.click(screen.getByRole('radio', { name: 'Text me a code' }));
    await user.keyboard('{ArrowLeft}');
    expect(screen.getByRole('radio', { name: 'Email me a link' })).toBeChecked();
    expect(screen.getByRole('textbox', { name: 'Email address' })).toBeInTheDocument();
  });

  it('speaks Spanish when the language changes', () => {
    renderSignIn();
    act(() => setSeekerLanguage('es'));
    expect(screen.getByRole('heading', { level: 1, name: 'Vea sus referidos' })).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Correo electrónico' })).toBeInTheDocument();
  });
});
