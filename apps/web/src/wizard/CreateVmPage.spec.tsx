import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stubClient, type Handler } from '../test/fixtures';
import { ClientContext } from '../lib/hooks';
import { CreateVmPage } from './CreateVmPage';

const base: Record<string, Handler> = {
  Networks: () => ({
    networks: [
      {
        id: 'n1',
        name: 'prod',
        kind: 'SRIOV_PHYSNET',
        bridge: null,
        macvtapMode: null,
        physnet: 'p1',
        vlan: null,
        createdAt: '',
        mappings: [],
      },
    ],
  }),
  Groups: () => ({
    groups: [{ id: 'g1', name: 'db', policy: 'ANTI_AFFINITY', enforcement: 'HARD', maxPerHost: 2, members: 1, createdAt: '' }],
  }),
  HostNames: () => ({
    hosts: {
      nodes: [
        { id: 'h1', name: 'hv1', state: 'READY', nics: [] },
        { id: 'h2', name: 'hv2', state: 'READY', nics: [] },
      ],
    },
  }),
};

const rejection = {
  previewPlacement: {
    fits: false,
    plan: null,
    rejection: {
      message: 'No host can place web-1',
      hostsConsidered: 2,
      summary: [{ code: 'NO_FREE_VF', hosts: 2, examples: ['hv1', 'hv2'] }],
      requestReasons: [],
    },
  },
};

async function flush(ms = 0) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('CreateVmPage', () => {
  it('shows validation messages next to the fields only after a submit attempt', async () => {
    vi.useFakeTimers();
    const { client, calls } = stubClient({ ...base, PreviewPlacement: () => rejection });
    render(
      <ClientContext.Provider value={client}>
        <CreateVmPage debounceMs={50} />
      </ClientContext.Provider>,
    );
    await flush();
    expect(screen.queryByTestId('error-name')).toBeNull();
    fireEvent.change(screen.getByLabelText('vCPUs'), { target: { value: '0' } });
    fireEvent.click(screen.getByTestId('create-vm-submit'));
    await flush();
    expect(screen.getByTestId('error-name').textContent).toBe('Name is required');
    expect(screen.getByTestId('error-vcpus').textContent).toContain('between 1 and 512');
    expect(screen.getByTestId('error-interfaces.0.network').textContent).toBe('Choose a network');
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(calls.some((c) => c.op === 'CreateVm')).toBe(false);
  });

  it('asks for a debounced preview with the VmInput built from the form and shows the rejection', async () => {
    vi.useFakeTimers();
    const { client, calls } = stubClient({
      ...base,
      PreviewPlacement: () => rejection,
      ExplainPlacement: (v) => ({
        explainPlacement: { hostName: v['host'], fits: false, reasons: [{ code: 'NO_FREE_VF', detail: 'ens1f0 has 0 free VFs' }] },
      }),
    });
    render(
      <ClientContext.Provider value={client}>
        <CreateVmPage debounceMs={200} />
      </ClientContext.Provider>,
    );
    await flush();
    fireEvent.change(screen.getByLabelText('Network'), { target: { value: 'prod' } });
    fireEvent.change(screen.getByLabelText('vCPUs'), { target: { value: '6' } });
    fireEvent.change(screen.getByLabelText('vCPUs'), { target: { value: '8' } });
    await flush(100);
    expect(calls.filter((c) => c.op === 'PreviewPlacement')).toHaveLength(0);
    await flush(200);
    const previews = calls.filter((c) => c.op === 'PreviewPlacement');
    expect(previews).toHaveLength(1);
    expect(previews[0]!.variables['input']).toMatchObject({
      name: 'preview',
      vcpus: 8,
      memoryMiB: 4096,
      interfaces: [{ network: 'prod', datapath: 'AUTO' }],
    });

    const panel = screen.getByTestId('preview-panel');
    expect(panel.getAttribute('data-state')).toBe('rejected');
    expect(within(panel).getByText(/No host can place web-1/)).toBeTruthy();
    expect(within(screen.getByTestId('rejection-summary')).getByText('NO_FREE_VF')).toBeTruthy();

    fireEvent.change(screen.getByTestId('why-not-host'), { target: { value: 'hv2' } });
    await flush();
    expect(calls.find((c) => c.op === 'ExplainPlacement')?.variables['host']).toBe('hv2');
    expect(screen.getByTestId('why-not-result').textContent).toContain('ens1f0 has 0 free VFs');
  });

  it('offers the affinity groups with their rule, and the preview and create carry the chosen one', async () => {
    vi.useFakeTimers();
    const { client, calls } = stubClient({ ...base, PreviewPlacement: () => rejection });
    render(
      <ClientContext.Provider value={client}>
        <CreateVmPage debounceMs={10} />
      </ClientContext.Provider>,
    );
    await flush();
    const select = screen.getByLabelText('Affinity group') as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['(none)', 'db — hard anti-affinity, ≤2/host']);
    fireEvent.change(screen.getByLabelText('Network'), { target: { value: 'prod' } });
    fireEvent.change(select, { target: { value: 'db' } });
    await flush(20);
    const previews = calls.filter((c) => c.op === 'PreviewPlacement');
    expect(previews.at(-1)?.variables['input']).toMatchObject({ group: 'db' });
  });

  it('renders a fitting plan: host, NUMA node, per-interface datapath and cost, CPU map', async () => {
    vi.useFakeTimers();
    const plan = {
      hostName: 'hv2',
      numaNodes: [1],
      vcpuPins: [
        { vcpu: 0, cpus: [8] },
        { vcpu: 1, cpus: [9] },
      ],
      emulatorCpus: [10],
      vhostCpus: [],
      isolatedSiblings: [],
      hugepages: 'NONE',
      memoryMode: 'STRICT',
      interfaces: [
        {
          index: 0,
          networkName: 'prod',
          datapath: 'SRIOV',
          model: 'hostdev',
          queues: 1,
          nicName: 'ens1f0',
          numaNode: 1,
          numaLocal: true,
          failover: false,
          vfIndex: 3,
          sourceDevice: '0000:3b:02.3',
          mac: '52:54:00:00:00:01',
          vlan: 100,
          cost: { datapath: 'SRIOV', exitsPerPacket: 'NONE', cpusPerFlow: 2, relativeCost: 1 },
        },
      ],
      irqAffinity: [{ irq: 120, nicName: 'ens1f0', queue: 0, cpus: [11] }],
      rps: [],
      score: { total: 42.5, breakdown: [] },
      penalties: [],
    };
    const { client } = stubClient({ ...base, PreviewPlacement: () => ({ previewPlacement: { fits: true, plan, rejection: null } }) });
    render(
      <ClientContext.Provider value={client}>
        <CreateVmPage debounceMs={10} />
      </ClientContext.Provider>,
    );
    await flush();
    fireEvent.change(screen.getByLabelText('Network'), { target: { value: 'prod' } });
    await flush(20);
    expect(screen.getByTestId('preview-panel').getAttribute('data-state')).toBe('fits');
    expect(screen.getByTestId('preview-host').textContent).toBe('hv2');
    expect(screen.getByTestId('preview-numa').textContent).toBe('1');
    expect(screen.getByTestId('preview-iface-0-datapath').textContent).toBe('SRIOV');
    expect(screen.getByTestId('preview-iface-0').textContent).toContain('ens1f0 VF 3');
    const map = screen.getByTestId('preview-cpu-map');
    expect(within(map).getByText('vCPU 1').closest('tr')!.textContent).toContain('9');
    expect(
      within(map)
        .getByText(/IRQ 120/)
        .closest('tr')!.textContent,
    ).toContain('11');
  });

  it('shows the server message and field when createVm fails', async () => {
    vi.useFakeTimers();
    const { GraphQLRequestError } = await import('../lib/client');
    const { client } = stubClient({
      ...base,
      PreviewPlacement: () => rejection,
      CreateVm: () => {
        throw new GraphQLRequestError('name already used', { code: 'CONFLICT', field: 'name' });
      },
    });
    render(
      <ClientContext.Provider value={client}>
        <CreateVmPage debounceMs={10} />
      </ClientContext.Provider>,
    );
    await flush();
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'web-1' } });
    fireEvent.change(screen.getByLabelText('Network'), { target: { value: 'prod' } });
    fireEvent.click(screen.getByTestId('create-vm-submit'));
    await flush(20);
    expect(screen.getByTestId('error-message').textContent).toBe('name already used');
    expect(screen.getByTestId('error-field').textContent).toBe('name');
  });
});
