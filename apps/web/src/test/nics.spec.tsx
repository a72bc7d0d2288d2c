import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { GraphQLRequestError } from '../lib/client';
import { ClientContext } from '../lib/hooks';
import { nicInput } from '../pages/VmNics';
import { stubClient, type Handler } from './fixtures';

const iface = (index: number, mac: string) => ({
  id: `if-${index}`,
  index,
  datapath: 'SRIOV',
  model: 'vf',
  queues: null,
  networkId: 'net-1',
  networkName: 'physnet0',
  mac,
  vlan: null,
  sourceDev: null,
});
const vm = (name: string, state: string, interfaces: ReturnType<typeof iface>[] = []) => ({
  id: `id-${name}`,
  name,
  state,
  hostId: 'h1',
  hostName: 'hv1',
  planState: null,
  numaNode: 0,
  vcpus: 2,
  memoryMiB: 1024,
  errorCode: null,
  errorMessage: null,
  createdAt: '2026-01-01T00:00:00Z',
  interfaces,
});
const op = (kind: string, extra: Record<string, unknown> = {}) => ({
  id: `op-${kind}`,
  kind,
  targetType: 'vm',
  targetId: 'id-up',
  targetName: 'up',
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
  ...extra,
});
const network = (name: string) => ({
  id: `net-${name}`,
  name,
  kind: 'SRIOV',
  bridge: null,
  physnet: name,
  macvtapMode: null,
  vlan: null,
  mtu: null,
  mappings: [],
});

function handlers(): Record<string, Handler> {
  return {
    Vms: () => ({
      vms: {
        totalCount: 3,
        pageInfo: { endCursor: null, hasNextPage: false },
        nodes: [
          vm('up', 'RUNNING', [iface(0, '52:54:00:00:00:01')]),
          vm('off', 'STOPPED'),
          vm('moving', 'MIGRATING', [iface(0, '52:54:00:00:00:02')]),
        ],
      },
    }),
    Networks: () => ({ networks: [network('physnet0'), network('tenant-br')] }),
    AttachInterface: () => ({ attachInterface: op('vm.attachInterface') }),
    DetachInterface: () => ({ detachInterface: op('vm.detachInterface') }),
    Operation: (v) => ({ operation: op(String(v['id']).slice(3), { state: 'RUNNING', progress: 20, step: 'attach interface' }) }),
    HostNames: () => ({ hosts: { nodes: [] } }),
  };
}

async function page(h: Record<string, Handler>) {
  vi.useFakeTimers();
  window.location.hash = '#/vms';
  const stub = stubClient(h);
  render(
    <ClientContext.Provider value={stub.client}>
      <App />
    </ClientContext.Provider>,
  );
  await settle();
  return stub;
}
const settle = () => act(async () => void (await vi.advanceTimersByTimeAsync(100)));

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('NIC hot-plug on the VMs page', () => {
  it('offers Add NIC and Remove only where the interfaces may change (RUNNING, STOPPED)', async () => {
    await page(handlers());
    expect(screen.queryByTestId('add-nic-up')).not.toBeNull();
    expect(screen.queryByTestId('add-nic-off')).not.toBeNull();
    expect(screen.queryByTestId('add-nic-moving')).toBeNull();
    expect(screen.queryByTestId('remove-nic-up-0')).not.toBeNull();
    expect(screen.queryByTestId('remove-nic-moving-0')).toBeNull();
  });

  it('sends attachInterface with the form, then follows the operation live to its end and reloads the VMs', async () => {
    const stub = await page(handlers());
    fireEvent.click(screen.getByTestId('add-nic-up'));
    await settle();
    fireEvent.change(screen.getByTestId('nic-field-network'), { target: { value: 'physnet0' } });
    fireEvent.change(screen.getByTestId('nic-field-datapath'), { target: { value: 'SRIOV' } });
    fireEvent.change(screen.getByTestId('nic-field-vlan'), { target: { value: '120' } });
    fireEvent.change(screen.getByTestId('nic-field-maxBandwidthMbps'), { target: { value: '2000' } });
    fireEvent.click(screen.getByTestId('nic-submit'));
    await settle();
    expect(stub.calls.filter((c) => c.op === 'AttachInterface').map((c) => c.variables)).toEqual([
      { vmId: 'id-up', input: { network: 'physnet0', datapath: 'SRIOV', vlan: 120, maxBandwidthMbps: 2000 } },
    ]);
    expect(screen.queryByTestId('nic-form')).toBeNull();
    const progress = () => screen.getByTestId('nic-progress');
    expect(progress().getAttribute('data-op-state')).toBe('RUNNING');
    expect(progress().textContent).toContain('Adding a NIC on physnet0 to up');
    expect(progress().textContent).toContain('attach interface');
    const sub = stub.subscriptions.find((s) => s.op === 'OperationUpdated')!;
    expect(sub.variables).toEqual({ id: 'op-vm.attachInterface' });
    const vmsLoads = () => stub.calls.filter((c) => c.op === 'Vms').length;
    const before = vmsLoads();
    act(() =>
      sub.next({
        operationUpdated: op('vm.attachInterface', {
          state: 'FAILED',
          progress: 60,
          step: 'attach interface',
          errorCode: 'COMMAND_FAILED',
          errorMessage: 'virsh attach-device failed',
          errorStderr: 'error: no free PCI slot',
          finishedAt: '2026-01-01T00:01:00Z',
        }),
      }),
    );
    await settle();
    expect(progress().getAttribute('data-op-state')).toBe('FAILED');
    expect(screen.getByTestId('nic-progress-bar').querySelector('[role=progressbar]')!.getAttribute('aria-valuenow')).toBe('60');
    expect(screen.getByTestId('nic-error').textContent).toContain('COMMAND_FAILED: virsh attach-device failed');
    expect(screen.getByTestId('nic-error').textContent).toContain('error: no free PCI slot');
    expect(vmsLoads()).toBe(before + 1);
  });

  it("shows the API's typed error with its field and keeps the form open", async () => {
    const h = handlers();
    h['AttachInterface'] = () => {
      throw new GraphQLRequestError('network physnet9 is not carried by hv1', { code: 'BAD_USER_INPUT', field: 'input.network' });
    };
    await page(h);
    fireEvent.click(screen.getByTestId('add-nic-up'));
    await settle();
    fireEvent.change(screen.getByTestId('nic-field-network'), { target: { value: 'tenant-br' } });
    fireEvent.click(screen.getByTestId('nic-submit'));
    await settle();
    expect(screen.getByTestId('error-message').textContent).toBe('network physnet9 is not carried by hv1');
    expect(screen.getByTestId('error-field').textContent).toBe('input.network');
    expect(screen.queryByTestId('nic-form')).not.toBeNull();
    expect(screen.queryByTestId('nic-progress')).toBeNull();
  });

  it('refuses a form that does not parse before sending, naming the fields', async () => {
    const stub = await page(handlers());
    fireEvent.click(screen.getByTestId('add-nic-off'));
    await settle();
    fireEvent.change(screen.getByTestId('nic-field-vlan'), { target: { value: 'ten' } });
    fireEvent.click(screen.getByTestId('nic-submit'));
    await settle();
    expect(screen.getByTestId('nic-error-network').textContent).toBe('Choose a network');
    expect(screen.getByTestId('nic-error-vlan').textContent).toBe('A whole number');
    expect(stub.calls.filter((c) => c.op === 'AttachInterface')).toEqual([]);
  });

  it('Remove asks once more, then sends detachInterface with the interface id and follows it', async () => {
    const h = handlers();
    h['Operation'] = () => ({
      operation: op('vm.detachInterface', { state: 'SUCCEEDED', progress: 100, finishedAt: '2026-01-01T00:01:00Z' }),
    });
    const stub = await page(h);
    fireEvent.click(screen.getByTestId('remove-nic-up-0'));
    expect(stub.calls.filter((c) => c.op === 'DetachInterface')).toEqual([]);
    fireEvent.click(screen.getByTestId('remove-nic-up-0-confirm'));
    await settle();
    expect(stub.calls.filter((c) => c.op === 'DetachInterface').map((c) => c.variables)).toEqual([{ vmId: 'id-up', interfaceId: 'if-0' }]);
    expect(screen.getByTestId('nic-progress').getAttribute('data-op-state')).toBe('SUCCEEDED');
    expect(screen.getByTestId('nic-progress').textContent).toContain('Removing NIC 0 (physnet0, 52:54:00:00:00:01) from up');
  });
});

describe('nicInput', () => {
  it('sends only what was filled in, as numbers', () => {
    const f = { network: 'physnet0', datapath: 'AUTO' as const, vlan: ' 7 ', mac: '', minBandwidthMbps: '', maxBandwidthMbps: '500' };
    expect(nicInput(f)).toEqual({ input: { network: 'physnet0', datapath: 'AUTO', vlan: 7, maxBandwidthMbps: 500 } });
    expect(nicInput({ ...f, minBandwidthMbps: '1.5', mac: '02:00:00:00:00:01' })).toEqual({
      errors: { minBandwidthMbps: 'A whole number' },
    });
  });
});
