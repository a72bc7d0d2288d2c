import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiTokenFieldsFragment } from '@netpin/client/operations';
import { App } from '../App';
import { writeToken } from '../lib/auth';
import { ClientContext } from '../lib/hooks';
import { stubClient, type Handler } from './fixtures';

const token = (name: string, extra: Partial<ApiTokenFieldsFragment> = {}): ApiTokenFieldsFragment => ({
  id: `id-${name}`,
  name,
  role: 'OPERATOR',
  prefix: 'aaaaaaaaaaaa',
  createdBy: 'bootstrap-admin',
  createdAt: '2026-01-01T10:00:00Z',
  lastUsedAt: null,
  revokedAt: null,
  ...extra,
});

function mount(handlers: Record<string, Handler>) {
  window.location.hash = '#/admin/tokens';
  const stub = stubClient(handlers);
  render(
    <ClientContext.Provider value={stub.client}>
      <App />
    </ClientContext.Provider>,
  );
  return stub;
}

async function settle() {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(50);
  });
}

afterEach(() => {
  cleanup();
  writeToken(null);
  vi.useRealTimers();
});

describe('API tokens page', () => {
  it('lists tokens with role, last use and state, and marks the one this browser signs in with', async () => {
    vi.useFakeTimers();
    writeToken(`np_bbbbbbbbbbbb_${'x'.repeat(32)}`);
    mount({
      ApiTokens: () => ({
        apiTokens: [
          token('ci', { lastUsedAt: '2026-01-02T08:00:00Z' }),
          token('old', { revokedAt: '2026-01-03T08:00:00Z', role: 'VIEWER' }),
          token('me', { prefix: 'bbbbbbbbbbbb', role: 'ADMIN' }),
        ],
      }),
    });
    await settle();
    expect(screen.getByTestId('nav-admin').getAttribute('aria-current')).toBe('page');
    expect(screen.getByTestId('token-last-used-ci').textContent).toBe(new Date('2026-01-02T08:00:00Z').toLocaleString());
    expect(screen.getByTestId('token-last-used-old').textContent).toBe('never');
    expect(screen.getByTestId('token-state-ci').textContent).toBe('active');
    expect(screen.getByTestId('token-state-old').textContent).toMatch(/^revoked /);
    // a revoked token cannot be revoked again; this browser's token is marked
    expect(screen.queryByTestId('token-revoke-old')).toBeNull();
    expect(within(screen.getByTestId('token-row-me')).getByText('this browser')).toBeTruthy();
    expect(within(screen.getByTestId('token-row-ci')).queryByText('this browser')).toBeNull();
  });

  it('mints a token and shows its secret once; the list is read again', async () => {
    vi.useFakeTimers();
    const secret = `np_cccccccccccc_${'s'.repeat(32)}`;
    const stub = mount({
      ApiTokens: () => ({ apiTokens: [] }),
      CreateApiToken: (v) => {
        const input = v['input'] as { name: string; role: string };
        return { createApiToken: { token: secret, apiToken: token(input.name, { role: input.role as 'ADMIN' }) } };
      },
    });
    await settle();
    expect(screen.getByText('No tokens minted yet.')).toBeTruthy();
    expect((screen.getByTestId('token-submit') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByTestId('token-name'), { target: { value: ' ci-pipeline ' } });
    fireEvent.change(screen.getByTestId('token-role'), { target: { value: 'ADMIN' } });
    fireEvent.click(screen.getByTestId('token-submit'));
    await settle();
    expect(stub.calls.find((c) => c.op === 'CreateApiToken')?.variables).toEqual({ input: { name: 'ci-pipeline', role: 'ADMIN' } });
    expect(screen.getByTestId('token-secret').textContent).toBe(secret);
    expect(stub.calls.filter((c) => c.op === 'ApiTokens')).toHaveLength(2);
    fireEvent.click(screen.getByTestId('token-minted-done'));
    expect(screen.queryByTestId('token-secret')).toBeNull();
    expect(screen.getByTestId('token-form')).toBeTruthy();
  });

  it('revokes after confirming, warning when it is the token of this browser', async () => {
    vi.useFakeTimers();
    writeToken(`np_bbbbbbbbbbbb_${'x'.repeat(32)}`);
    const stub = mount({
      ApiTokens: () => ({ apiTokens: [token('me', { prefix: 'bbbbbbbbbbbb' })] }),
      RevokeApiToken: (v) => ({ revokeApiToken: token('me', { id: String(v['id']), revokedAt: '2026-01-04T00:00:00Z' }) }),
    });
    await settle();
    fireEvent.click(screen.getByTestId('token-revoke-me'));
    expect(screen.getByRole('alertdialog').getAttribute('aria-label')).toMatch(/This browser signs in with it/);
    fireEvent.click(screen.getByTestId('token-revoke-me-confirm'));
    await settle();
    expect(stub.calls.find((c) => c.op === 'RevokeApiToken')?.variables).toEqual({ id: 'id-me' });
    expect(stub.calls.filter((c) => c.op === 'ApiTokens')).toHaveLength(2);
  });
});
