import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { ClientContext } from '../lib/hooks';
import { hostFixture, stubClient, type Handler } from './fixtures';

const fleetHost = (name: string, state: string, freeCpus: number) => ({
  ...hostFixture,
  id: `id-${name}`,
  name,
  state,
  cpuCounts: { total: 8, reservedForHost: 1, usable: 7, allocated: 7 - freeCpus, free: freeCpus },
  numaNodes: [
    {
      index: 0,
      memoryMiB: 65536,
      hugepages: [{ sizeKiB: 1048576, total: 16, free: 4 }],
      cpuCounts: { total: 8, reservedForHost: 1, usable: 7, allocated: 7 - freeCpus, free: freeCpus },
    },
  ],
  nics: hostFixture.nics.map((n) => ({
    id: n.id,
    name: n.name,
    numaNode: n.numaNode,
    sriovNumVfs: n.sriovNumVfs,
    sriovTotalVfs: n.sriovTotalVfs,
    vfCounts: n.vfCounts,
  })),
});

const handlers: Record<string, Handler> = {
  Fleet: () => ({
    hosts: {
      totalCount: 2,
      pageInfo: { hasNextPage: false, endCursor: null },
      nodes: [fleetHost('hv-a', 'READY', 2), fleetHost('hv-b', 'MAINTENANCE', 6)],
    },
  }),
  Networks: () => ({ networks: [] }),
  Groups: () => ({
    groups: [{ id: 'g1', name: 'db', policy: 'ANTI_AFFINITY', enforcement: 'HARD', maxPerHost: 2, members: 3, createdAt: '' }],
  }),
  CreateGroup: (v) => ({ createGroup: { id: 'g2', maxPerHost: null, members: 0, createdAt: '', ...(v['input'] as object) } }),
  CreateNetwork: () => ({ createNetwork: { id: 'net1' } }),
  Capacity: () => ({
    capacity: {
      total: 7,
      byDatapath: [],
      perHost: [
        { hostName: 'hv-a', count: 3, byDatapath: [] },
        { hostName: 'hv-b', count: 4, byDatapath: [] },
      ],
      requestReasons: [],
      refusals: [{ code: 'VF_DRIVER_LACKS_8021AD', hosts: 2 }],
    },
  }),
  Operations: (v) => ({
    operations: {
      totalCount: 1,
      pageInfo: { endCursor: 'c1', hasNextPage: false },
      nodes: [{ ...(handlers['Operation']!({}) as { operation: object }).operation, state: v['state'] ?? 'RUNNING' }],
    },
  }),
  HostDetail: () => ({ host: hostFixture }),
  HostDrift: () => ({ driftEvents: [] }),
  Operation: () => ({
    operation: {
      id: 'op1',
      kind: 'vm.create',
      targetType: 'vm',
      targetId: 'vm-a',
      targetName: 'web-1',
      state: 'RUNNING',
      progress: 40,
      step: 'define',
      steps: [
        { name: 'place', state: 'SUCCEEDED', startedAt: null, finishedAt: null },
        { name: 'define', state: 'RUNNING', startedAt: null, finishedAt: null },
      ],
      errorCode: null,
      errorMessage: null,
      errorStderr: null,
      createdAt: '2026-01-01T00:00:00Z',
      startedAt: null,
      finishedAt: null,
    },
  }),
};

async function go(hash: string) {
  window.location.hash = hash;
  const stub = stubClient(handlers);
  render(
    <ClientContext.Provider value={stub.client}>
      <App />
    </ClientContext.Provider>,
  );
  await act(async () => {
    await vi.advanceTimersByTimeAsync(500);
  });
  return stub;
}

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('pages', () => {
  it('fleet: lists hosts, filters by state, sorts by free CPUs, answers the what-if', async () => {
    vi.useFakeTimers();
    await go('#/fleet');
    const names = () => screen.getAllByTestId(/^host-row-/).map((r) => r.getAttribute('data-testid'));
    expect(names()).toEqual(['host-row-hv-a', 'host-row-hv-b']);
    fireEvent.click(screen.getByTestId('sort-cpusFree'));
    expect(names()).toEqual(['host-row-hv-b', 'host-row-hv-a']);
    fireEvent.change(screen.getByTestId('fleet-state-filter'), { target: { value: 'READY' } });
    expect(names()).toEqual(['host-row-hv-a']);
    expect(within(screen.getByTestId('host-hv-a-node-0')).getAllByRole('meter')[0]!.getAttribute('aria-valuetext')).toBe('2 free of 7');
    expect(screen.getByTestId('whatif-total').textContent).toBe('7');
    expect(screen.getByTestId('whatif-refusal').textContent).toBe('VF_DRIVER_LACKS_8021AD on 2 host(s)');
  });

  it('host: draws the topology and highlights a VM from the legend', async () => {
    vi.useFakeTimers();
    await go('#/hosts/hv1');
    expect(screen.getByTestId('topology')).toBeTruthy();
    fireEvent.mouseEnter(screen.getByTestId('legend-vm-vm-a'));
    expect([...document.querySelectorAll('.topo-cpu.lit')].map((e) => e.getAttribute('data-cpu-id'))).toEqual(['1', '2']);
    // the I/O CPU counts under both of its roles
    expect(screen.getByTestId('legend-role-vhost').textContent).toContain('(1)');
    expect(screen.getByTestId('legend-role-irq').textContent).toContain('(1)');
    expect(screen.getByTestId('legend-vm-vm-b').textContent).toContain('planned (not applied yet)');
    // four queue IRQs on one line, owned by the VM the picture shows on CPU 2
    const irqs = [...document.querySelectorAll('.irq-list li')];
    expect(irqs.map((li) => [li.getAttribute('data-irq-count'), li.getAttribute('data-vm-id')])).toEqual([['4', 'vm-a']]);
    expect(irqs[0]!.textContent).toMatch(/^100–103 q0–q3 → 2 \(web-1\) · verified /);
    expect(screen.getByTestId('vfs-ens1f0').textContent).toBe('2 configured (max 64) · 1 free');
    expect(document.querySelector('.vf-list')!.textContent).toContain('VF 0 → web-1 52:54:00:00:00:0a vlan 100');
    expect(screen.getByTestId('host-cpu-counts').textContent).toBe('5 CPUs: 1 of 4 free (+1 reserved for the host)');
    expect(screen.getByTestId('host-foreign-domains').textContent).toBe(
      'Domains netpin did not define (their CPUs and VFs are never given to netpin VMs): legacy-db (CPUs 4, 0000:3b:10.1)',
    );
  });

  it('operations: the default view asks for every state (no state variable), the select for one', async () => {
    vi.useFakeTimers();
    const stub = await go('#/operations');
    const asked = () => stub.calls.filter((c) => c.op === 'Operations').map((c) => c.variables);
    expect(asked()).toEqual([{ first: 100 }]);
    expect(screen.getByTestId('op-row-op1').getAttribute('data-op-state')).toBe('RUNNING');
    expect(screen.getByTestId('op-row-op1').textContent).toContain('vm web-1');
    fireEvent.change(screen.getByTestId('op-state-filter'), { target: { value: 'FAILED' } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10);
    });
    expect(asked().at(-1)).toEqual({ state: 'FAILED', first: 100 });
    expect(screen.getByTestId('op-row-op1').getAttribute('data-op-state')).toBe('FAILED');
  });

  it('networks: the form shows the field of the chosen kind and sends only that one', async () => {
    vi.useFakeTimers();
    const stub = await go('#/networks');
    const change = (id: string, value: string) => fireEvent.change(screen.getByTestId(id), { target: { value } });
    expect(screen.getByTestId('network-bridge')).toBeTruthy();
    expect(screen.queryByTestId('network-physnet')).toBeNull();
    change('network-name', 'tenant');
    change('network-bridge', 'br0');
    change('network-kind', 'SRIOV_PHYSNET');
    expect(screen.queryByTestId('network-bridge')).toBeNull();
    change('network-physnet', 'physnet1');
    change('network-vlan', '4095');
    expect(screen.getByTestId('network-create').hasAttribute('disabled')).toBe(true);
    change('network-vlan', '42');
    fireEvent.click(screen.getByTestId('network-create'));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10);
    });
    const sent = stub.calls.filter((c) => c.op === 'CreateNetwork').map((c) => c.variables['input']);
    expect(sent).toEqual([{ name: 'tenant', kind: 'SRIOV_PHYSNET', physnet: 'physnet1', vlan: 42 }]);
  });

  it('networks: trunk, native VLAN, 802.1ad and MTU are checked before sending and sent by their fields', async () => {
    vi.useFakeTimers();
    const stub = await go('#/networks');
    const change = (id: string, value: string) => fireEvent.change(screen.getByTestId(id), { target: { value } });
    change('network-name', 'trunky');
    change('network-kind', 'OVS_BRIDGE');
    change('network-bridge', 'br-int');
    change('network-trunk', '100,0');
    expect(screen.getByTestId('network-create').hasAttribute('disabled')).toBe(true);
    expect(screen.getByText('Trunk VLANs must be 1-4094, separated by commas')).toBeTruthy();
    change('network-trunk', '100,200');
    change('network-vlan-protocol', 'DOT1AD');
    expect(screen.getByText('802.1ad needs an access VLAN')).toBeTruthy();
    change('network-vlan-protocol', 'DOT1Q');
    change('network-native-vlan', '100');
    fireEvent.click(screen.getByTestId('network-native-tagged'));
    change('network-mtu', '9000');
    fireEvent.click(screen.getByTestId('network-create'));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10);
    });
    const sent = stub.calls.filter((c) => c.op === 'CreateNetwork').map((c) => c.variables['input']);
    expect(sent).toEqual([
      {
        name: 'trunky',
        kind: 'OVS_BRIDGE',
        bridge: 'br-int',
        trunkVlans: [100, 200],
        nativeVlan: 100,
        nativeVlanMode: 'TAGGED',
        mtu: 9000,
      },
    ]);
  });

  it('groups: lists groups; max per host only for hard anti-affinity, checked before sending', async () => {
    vi.useFakeTimers();
    const stub = await go('#/groups');
    expect(within(screen.getByTestId('group-row-db')).getByText(/at most 2 per host · 3 members/)).toBeTruthy();
    const change = (id: string, value: string) => fireEvent.change(screen.getByTestId(id), { target: { value } });
    change('group-name', 'web');
    change('group-max', '0');
    expect(screen.getByTestId('group-create').hasAttribute('disabled')).toBe(true);
    change('group-enforcement', 'SOFT');
    expect(screen.queryByTestId('group-max')).toBeNull();
    fireEvent.click(screen.getByTestId('group-create'));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(10);
    });
    const sent = stub.calls.filter((c) => c.op === 'CreateGroup').map((c) => c.variables['input']);
    expect(sent).toEqual([{ name: 'web', policy: 'ANTI_AFFINITY', enforcement: 'SOFT' }]);
  });

  it('operation: applies subscription updates to the progress bar and steps', async () => {
    vi.useFakeTimers();
    const stub = await go('#/operations/op1');
    expect(screen.getByTestId('op-progress').querySelector('[role=progressbar]')!.getAttribute('aria-valuenow')).toBe('40');
    const sub = stub.subscriptions.find((s) => s.op === 'OperationUpdated')!;
    expect(sub.variables).toEqual({ id: 'op1' });
    expect(screen.getByRole('link', { name: 'web-1' }).getAttribute('href')).toBe('#/vms');
    act(() =>
      sub.next({
        operationUpdated: {
          ...(handlers['Operation']!({}) as { operation: object }).operation,
          state: 'FAILED',
          progress: 60,
          steps: [
            { name: 'place', state: 'SUCCEEDED' },
            { name: 'define', state: 'FAILED' },
          ],
          errorCode: 'HOST_COMMAND_FAILED',
          errorMessage: 'virsh define failed',
          errorStderr: 'error: XML error',
          finishedAt: '2026-01-01T00:01:00Z',
        },
      }),
    );
    expect(screen.getByTestId('operation-detail').getAttribute('data-op-state')).toBe('FAILED');
    expect(screen.getByTestId('op-progress').querySelector('[role=progressbar]')!.getAttribute('aria-valuenow')).toBe('60');
    expect(screen.getByTestId('op-stderr').textContent).toBe('error: XML error');
    // named by its kind and target, not by its id
    expect(document.querySelector('.crumbs')!.textContent).toBe('Operations / vm.create web-1');
    expect(screen.getByTestId('op-error').textContent).toContain('HOST_COMMAND_FAILED');
  });

  it('operation: when the subscription breaks, re-reads the operation until it finishes', async () => {
    vi.useFakeTimers();
    const stub = await go('#/operations/op1');
    const sub = stub.subscriptions.find((s) => s.op === 'OperationUpdated')!;
    const reads = () => stub.calls.filter((c) => c.op === 'Operation').length;
    const before = reads();
    const base = (handlers['Operation']!({}) as { operation: Record<string, unknown> }).operation;
    const original = handlers['Operation']!;
    // the server now reports the operation finished, but the push carrying it failed
    handlers['Operation'] = () => ({ operation: { ...base, state: 'SUCCEEDED', progress: 100, finishedAt: '2026-01-01T00:01:00Z' } });
    try {
      act(() => sub.error(new Error('DateTime cannot serialize')));
      await act(async () => {
        await vi.advanceTimersByTimeAsync(10);
      });
      expect(reads()).toBe(before + 1);
      expect(screen.getByTestId('operation-detail').getAttribute('data-op-state')).toBe('SUCCEEDED');
      // finished: no more polling
      await act(async () => {
        await vi.advanceTimersByTimeAsync(10_000);
      });
      expect(reads()).toBe(before + 1);
    } finally {
      handlers['Operation'] = original;
    }
  });
});
