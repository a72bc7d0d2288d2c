import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readToken } from '../lib/auth';
import { SignInPage } from './SignInPage';

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});

describe('SignInPage', () => {
  it('asks for a token as required: no "optional", no way to continue without one', () => {
    render(<SignInPage onChange={() => undefined} />);
    const input = screen.getByLabelText('API token');
    expect(input).toHaveProperty('required', true);
    expect(screen.queryByText(/optional/i)).toBeNull();
    expect(screen.queryByText(/without (a )?token|without authentication/i)).toBeNull();
    const submit = screen.getByTestId('signin-submit');
    expect(submit).toHaveProperty('disabled', true);
    fireEvent.change(input, { target: { value: '   ' } });
    expect(submit).toHaveProperty('disabled', true);
  });

  it('stores the token it is given and reports the change', () => {
    const onChange = vi.fn();
    render(<SignInPage onChange={onChange} />);
    fireEvent.change(screen.getByLabelText('API token'), { target: { value: ' tok-123 ' } });
    const submit = screen.getByTestId('signin-submit');
    expect(submit).toHaveProperty('disabled', false);
    fireEvent.click(submit);
    expect(readToken()).toBe('tok-123');
    expect(onChange).toHaveBeenCalledTimes(1);
  });
});
