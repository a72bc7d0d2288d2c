import type { Host } from '@netpin/client';
import { describe, expect, it } from 'vitest';
import { cpuList, formatHost, formatRejection, irqRuns, progressLine, table } from './format';

const cpu = (cpuId: number, numaNode: number, extra: Partial<Host['numaNodes'][number]['cpus'][number]> = {}) => ({
  cpuId,
  core: cpuId % 4,
  socket: numaNode,
  numaNode,
  siblings: [cpuId],
  reservedForHost: false,
  allocation: null,
  ...extra,
});

const host: Host = {
  id: 'h-1',
  name: 'hv-01',
  address: '10.0.0.1',
  port: 22,
  sshUser: 'root',
  state: 'READY',
  stateReason: null,
  lastDiscoveredAt: '2026-01-01T00:00:00.000Z',
  credentialRef: 'file:id',
  hostKeyFingerprint: null,
  capabilities: { iommu: true, vhostNet: true, kvm: true, vmx: true, svm: false, ept: true, npt: false, ovs: false },
  labels: [{ key: 'rack', value: 'a1' }],
  numaNodes: [
    {
      index: 0,
      memoryMiB: 65536,
      hugepages: [{ sizeKiB: 2048, total: 512, free: 256 }],
      cpus: [cpu(0, 0, { reservedForHost: true }), cpu(1, 0), cpu(2, 0), cpu(3, 0)],
    },
    {
      index: 1,
      memoryMiB: 65536,
      hugepages: [],
      cpus: [
        cpu(4, 1, { reservedForHost: true }),
        cpu(5, 1, { allocation: { vmId: 'vm-a', role: 'VCPU' } }),
        cpu(6, 1, { allocation: { vmId: 'vm-a', role: 'VCPU' } }),
        cpu(7, 1, { allocation: { vmId: 'vm-a', role: 'EMULATOR' } }),
      ],
    },
  ],
  nics: [
    {
      id: 'n-1',
      name: 'ens5f0',
      pciAddress: '0000:af:00.0',
      driver: 'ice',
      numaNode: 1,
      speedMbps: 25000,
      linkState: 'up',
      combinedQueues: 2,
      maxCombinedQueues: 8,
      sriovNumVfs: 2,
      sriovTotalVfs: 64,
      irqs: [
        { irq: 91, queue: 1, label: 'ice-ens5f0-TxRx-1', affinity: [4] },
        { irq: 90, queue: 0, label: 'ice-ens5f0-TxRx-0', affinity: [4, 5] },
      ],
      vfs: [
        { index: 0, pciAddress: null, mac: null, vlan: 0, linkState: 'auto', spoofchk: true, trust: false, allocatedToVmId: 'vm-a' },
        { index: 1, pciAddress: null, mac: null, vlan: 0, linkState: 'auto', spoofchk: true, trust: false, allocatedToVmId: null },
      ],
    },
    {
      id: 'n-2',
      name: 'eno1',
      pciAddress: '0000:01:00.0',
      driver: null,
      numaNode: null,
      speedMbps: null,
      linkState: 'down',
      combinedQueues: 1,
      maxCombinedQueues: 1,
      sriovNumVfs: 0,
      sriovTotalVfs: 0,
      irqs: [],
      vfs: [],
    },
  ],
};

describe('cpuList', () => {
  it('compresses runs the way the kernel prints cpulists', () => {
    expect(cpuList([8, 0, 1, 2, 5, 7])).toBe('0-2,5,7-8');
    expect(cpuList([3])).toBe('3');
    expect(cpuList([])).toBe('-');
  });
});

describe('irqRuns', () => {
  it('folds consecutive queues with one affinity and keeps the rest apart', () => {
    const q = (irq: number, queue: number, affinity: number[]) => ({ irq, queue, affinity });
    expect(irqRuns([q(102, 2, [0, 1, 2, 3]), q(100, 0, [0, 1, 2, 3]), q(101, 1, [0, 1, 2, 3]), q(103, 3, [5]), q(110, 4, [5])])).toEqual([
      '100-102(q0-2)->0-3',
      '103(q3)->5',
      '110(q4)->5',
    ]);
  });
});

describe('table', () => {
  it('pads every column but the last', () => {
    expect(
      table(
        ['A', 'LONG'],
        [
          ['xyz', '1'],
          ['q', '22'],
        ],
      ),
    ).toBe('A    LONG\nxyz  1\nq    22');
  });
});

describe('formatHost', () => {
  const text = formatHost(host, new Map([['vm-a', 'web-01']]));
  const node0 = text.slice(text.indexOf('NUMA node 0'), text.indexOf('NUMA node 1'));
  const node1 = text.slice(text.indexOf('NUMA node 1'), text.indexOf('NICs without'));

  it('prints each node with memory, hugepages and CPUs by role and owner', () => {
    expect(text).toMatch(/^host hv-01 {2}READY\n/);
    expect(text).toContain('capabilities: iommu vhostNet kvm vmx ept');
    expect(node0).toContain('NUMA node 0: 4 CPUs, 64 GiB, hugepages 2M 256/512 free');
    expect(node0).toContain('CPUs  free 1-3  (3)');
    expect(node0).toContain('host-reserved 0');
    expect(node1).toContain('vm web-01: vcpu 5-6, emulator 7');
  });

  it('puts each NIC under its NUMA node with VFs used/total and IRQ affinity by queue', () => {
    expect(node0).not.toContain('ens5f0');
    expect(node1).toMatch(/ens5f0 {2}0000:af:00\.0 {2}ice {2}25000 Mb\/s {2}link up {2}queues 2\/8 {2}NUMA 1 {2}VFs 1\/2 used \(max 64\)/);
    expect(node1).toContain('IRQs 90(q0)->4-5 91(q1)->4');
    expect(text).toMatch(/NICs without a NUMA node\n {4}eno1 .* NUMA -$/);
  });

  it('falls back to the VM id when the owner is unknown', () => {
    expect(formatHost(host, new Map())).toContain('vm vm-a: vcpu 5-6');
  });
});

describe('formatRejection', () => {
  it('lists reasons by how many hosts they stopped, with examples', () => {
    expect(
      formatRejection({
        summary: [
          { code: 'INSUFFICIENT_MEMORY', hosts: 1, examples: ['hv-9'] },
          { code: 'INSUFFICIENT_DEDICATED_CPUS', hosts: 3, examples: ['hv-1', 'hv-2', 'hv-3', 'hv-4'] },
        ],
        requestReasons: [{ code: 'GUEST_LACKS_VIRTIO', detail: 'vhost needs virtio' }],
      }),
    ).toBe(
      '  INSUFFICIENT_DEDICATED_CPUS: 3 host(s) (e.g. hv-1, hv-2, hv-3)\n  INSUFFICIENT_MEMORY: 1 host(s) (e.g. hv-9)\n  GUEST_LACKS_VIRTIO: vhost needs virtio',
    );
  });
});

describe('progressLine', () => {
  it('is one stable line per update', () => {
    expect(progressLine({ id: '0123456789abcdef', kind: 'vm.create', state: 'RUNNING', progress: 7, step: 'apply domain' } as never)).toBe(
      'vm.create 0123456789ab: RUNNING   7% apply domain',
    );
  });
});
