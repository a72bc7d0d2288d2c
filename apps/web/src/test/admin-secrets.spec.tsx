import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SshSecretFieldsFragment } from '@netpin/client/operations';
import { App } from '../App';
import { ClientContext } from '../lib/hooks';
import { stubClient, type Handler } from './fixtures';

const secret = (name: string, extra: Partial<SshSecretFieldsFragment> = {}): SshSecretFieldsFragment => ({
  id: `id-${name}`,
  name,
  fingerprint: 'SHA256:abc',
  publicKey: 'ssh-ed25519 AAAA',
  keyId: 'k2',
  current: true,
  hosts: [],
  createdBy: 'admin',
  createdAt: '2026-01-01T10:00:00Z',
  updatedAt: '2026-01-01T10:00:00Z',
  ...extra,
});

function mount(handlers: Record<string, Handler>) {
  window.location.hash = '#/admin/ssh-secrets';
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
  vi.useRealTimers();
});

describe('SSH secrets page', () => {
  it('lists each secret with the hosts that use it; only unused ones can be deleted', async () => {
    vi.useFakeTimers();
    mount({
      SshSecrets: () => ({
        sshSecrets: [secret('rack-1', { hosts: ['hv-a', 'hv-b'], keyId: 'k1', current: false }), secret('spare')],
      }),
    });
    await settle();
    const links = within(screen.getByTestId('secret-hosts-rack-1')).getAllByRole('link');
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['hv-a', '#/hosts/hv-a'],
      ['hv-b', '#/hosts/hv-b'],
    ]);
    expect(screen.getByTestId('secret-hosts-spare').textContent).toBe('none');
    expect(screen.queryByTestId('secret-delete-rack-1')).toBeNull();
    expect(screen.getByTestId('secret-delete-spare')).toBeTruthy();
    expect(screen.getByTestId('secret-key-rack-1').textContent).toBe('k1 earlier key');
    expect(screen.getByTestId('secret-rotate-card').textContent).toContain('1 secret(s) are encrypted under an earlier master key');
  });

  it('stores a key (the form forgets it afterwards), re-encrypts all and deletes an unused one', async () => {
    vi.useFakeTimers();
    const stub = mount({
      SshSecrets: () => ({ sshSecrets: [secret('spare')] }),
      CreateSshSecret: (v) => ({ createSshSecret: secret(String((v['input'] as { name: string }).name)) }),
      RotateSshSecrets: () => ({ rotateSshSecrets: { reencrypted: 2, keyId: 'k3' } }),
      DeleteSshSecret: (v) => ({ deleteSshSecret: { id: v['id'], name: 'spare' } }),
    });
    await settle();
    fireEvent.change(screen.getByTestId('secret-name'), { target: { value: 'rack-2' } });
    fireEvent.change(screen.getByTestId('secret-key'), { target: { value: 'KEY TEXT' } });
    fireEvent.click(screen.getByTestId('secret-submit'));
    await settle();
    expect(stub.calls.find((c) => c.op === 'CreateSshSecret')?.variables).toEqual({ input: { name: 'rack-2', privateKey: 'KEY TEXT' } });
    expect((screen.getByTestId('secret-key') as HTMLTextAreaElement).value).toBe('');
    fireEvent.click(screen.getByTestId('secret-rotate'));
    await settle();
    expect(screen.getByTestId('secret-rotated').textContent).toBe('2 secret(s) re-encrypted under key k3.');
    fireEvent.click(screen.getByTestId('secret-delete-spare'));
    fireEvent.click(screen.getByTestId('secret-delete-spare-confirm'));
    await settle();
    expect(stub.calls.find((c) => c.op === 'DeleteSshSecret')?.variables).toEqual({ id: 'id-spare' });
    expect(stub.calls.filter((c) => c.op === 'SshSecrets').length).toBe(4);
  });
});
