import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { ClientContext } from '../lib/hooks';
import { stubClient, type Handler } from './fixtures';

const vm = (name: string) => ({
  id: `id-${name}`,
  name,
  state: 'RUNNING',
  hostId: null,
  numaNode: null,
  vcpus: 1,
  memoryMiB: 512,
  errorCode: null,
  errorMessage: null,
  createdAt: '2026-01-01T00:00:00Z',
  interfaces: [],
});

/** Two pages of VMs: the second is served for the first page's cursor. */
const handlers: Record<string, Handler> = {
  Vms: (v) => ({
    vms:
      v.after === 'cursor-1'
        ? { totalCount: 3, pageInfo: { endCursor: 'cursor-2', hasNextPage: false }, nodes: [vm('c')] }
        : { totalCount: 3, pageInfo: { endCursor: 'cursor-1', hasNextPage: true }, nodes: [vm('a'), vm('b')] },
  }),
  HostNames: () => ({ hosts: { nodes: [] } }),
  Networks: () => ({ networks: [] }),
};

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('VMs page paging', () => {
  it('shows one page of the vms connection and follows its cursor forward and back', async () => {
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
    const rows = () => screen.getAllByTestId(/^vm-row-/).map((r) => r.getAttribute('data-testid'));
    expect(rows()).toEqual(['vm-row-a', 'vm-row-b']);
    expect(screen.getByTestId('vm-pager').textContent).toContain('2 of 3');
    fireEvent.click(screen.getByText('Next'));
    await settle();
    expect(rows()).toEqual(['vm-row-c']);
    expect(stub.calls.filter((c) => c.op === 'Vms').map((c) => c.variables.after)).toEqual([null, 'cursor-1']);
    fireEvent.click(screen.getByText('Previous'));
    await settle();
    expect(rows()).toEqual(['vm-row-a', 'vm-row-b']);
  });
});
