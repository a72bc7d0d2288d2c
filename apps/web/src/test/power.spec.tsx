import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { ClientContext } from '../lib/hooks';
import { stubClient, type Handler } from './fixtures';

const vm = (name: string, state: string) => ({
  id: `id-${name}`,
  name,
  state,
  hostId: null,
  numaNode: null,
  vcpus: 1,
  memoryMiB: 512,
  errorCode: null,
  errorMessage: null,
  createdAt: '2026-01-01T00:00:00Z',
  interfaces: [],
});
const op = (kind: string) => ({
  id: `op-${kind}`,
  kind,
  targetType: 'vm',
  targetId: 'x',
  targetName: 'x',
  state: 'QUEUED',
  progress: 0,
  step: null,
  steps: [],
  startedAt: null,
  errorCode: null,
  errorMessage: null,
  errorStderr: null,
  createdAt: '2026-01-01T00:00:00Z',
  finishedAt: null,
});

const handlers: Record<string, Handler> = {
  Vms: () => ({
    vms: {
      totalCount: 3,
      pageInfo: { endCursor: null, hasNextPage: false },
      nodes: [vm('up', 'RUNNING'), vm('down', 'STOPPED'), vm('mid', 'STOPPING')],
    },
  }),
  StartVm: () => ({ startVm: op('vm.start') }),
  StopVm: () => ({ stopVm: op('vm.stop') }),
  RebootVm: () => ({ rebootVm: op('vm.reboot') }),
  MigrateVm: () => ({ migrateVm: op('vm.migrate') }),
  HostNames: () => ({ hosts: { nodes: [] } }),
  Networks: () => ({ networks: [] }),
};

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('VM power buttons', () => {
  it('offers what each state allows and sends startVm, stopVm (with release), rebootVm and migrateVm', async () => {
    vi.useFakeTimers();
    window.location.hash = '#/vms';
    const stub = stubClient(handlers);
    render(
      <ClientContext.Provider value={stub.client}>
        <App />
      </ClientContext.Provider>,
    );
    const settle = () => act(async () => void (await vi.advanceTimersByTimeAsync(100)));
    await settle();
    const buttons = (name: string) => Array.from(screen.getByTestId(`vm-row-${name}`).querySelectorAll('button'), (b) => b.textContent);
    // Add NIC where the interfaces may change (nics.spec.tsx)
    expect(buttons('up')).toEqual(['Stop', 'Stop & release', 'Reboot', 'Migrate', 'Migrate (cold)', 'Add NIC', 'Delete']);
    expect(buttons('down')).toEqual(['Start', 'Stop & release', 'Add NIC', 'Delete']);
    expect(buttons('mid')).toEqual(['Delete']);

    fireEvent.click(screen.getByTestId('start-vm-down'));
    await settle();
    fireEvent.click(screen.getByTestId('stop-release-vm-up'));
    fireEvent.click(screen.getByTestId('stop-release-vm-up-confirm'));
    await settle();
    expect(screen.getByRole('status').textContent).toContain('vm.stop queued');
    fireEvent.click(screen.getByTestId('reboot-vm-up'));
    fireEvent.click(screen.getByTestId('reboot-vm-up-confirm'));
    await settle();
    fireEvent.click(screen.getByTestId('migrate-cold-vm-up'));
    fireEvent.click(screen.getByTestId('migrate-cold-vm-up-confirm'));
    await settle();
    expect(screen.getByRole('status').textContent).toContain('vm.migrate queued');
    const sent = stub.calls.filter((c) => ['StartVm', 'StopVm', 'RebootVm', 'MigrateVm'].includes(c.op));
    expect(sent).toEqual([
      { op: 'StartVm', variables: { id: 'id-down' } },
      { op: 'StopVm', variables: { id: 'id-up', input: { release: true } } },
      { op: 'RebootVm', variables: { id: 'id-up' } },
      { op: 'MigrateVm', variables: { id: 'id-up', input: { strategy: 'COLD' } } },
    ]);
  });
});
