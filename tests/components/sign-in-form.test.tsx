import { describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import { SignInForm } from '@/features/auth/components/sign-in-form';
import { render } from './render';

describe('SignInForm', () => {
  it('signs in with email and password, checking both first', async () => {
    const onPassword = vi.fn().mockResolvedValue(undefined);
    const { user } = render(<SignInForm onPassword={onPassword} onMagicLink={vi.fn()} />);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Enter your email address')).toBeInTheDocument();
    expect(screen.getByText('Enter your password')).toBeInTheDocument();
    await user.type(screen.getByRole('textbox', { name: /^Email/ }), 'helen@eastside.example');
    await user.type(screen.getByLabelText(/^Password/, { selector: 'input' }), 'password123');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(onPassword).toHaveBeenCalledWith({ email: 'helen@eastside.example', password: 'password123' });
  });

  it('shows the server error', () => {
    render(
      <SignInForm
        onPassword={vi.fn()}
        onMagicLink={vi.fn()}
        error="That email and password do not match an account."
      />,
    );
    expect(screen.getByRole('alert')).toHaveTextContent('That email and password do not match an account.');
  });

  it('sends a magic link and says where it went', async () => {
    const onMagicLink = vi.fn().mockResolvedValue(undefined);
    const { user } = render(<SignInForm onPassword={vi.fn()} onMagicLink={onMagicLink} />);
    await user.click(screen.getByText('Email me a link'));
    await user.type(screen.getByRole('textbox', { name: /^Email/ }), 'helen@eastside.example');
    await user.click(screen.getByRole('button', { name: 'Email me a sign-in link' }));
    expect(onMagicLink).toHaveBeenCalledWith({ email: 'helen@eastside.example' });
    expect(await screen.findByRole('status')).toHaveTextContent('We sent a sign-in link to helen@eastside.example');
  });
});
