import type { Host, HostSummary } from '@netpin/client';
import { describe, expect, it } from 'vitest';
import { formatHost, formatHostList } from './format-host';

type Cpu = Host['numaNodes'][number]['cpus'][number];
const cpu = (cpuId: number, numaNode: number, extra: Partial<Cpu> = {}): Cpu => ({
  cpuId,
  core: cpuId % 4,
  socket: numaNode,
  numaNode,
  siblings: [cpuId],
  reservedForHost: false,
  allocation: null,
  uses: [],
  ...extra,
});
const use = (role: Cpu['uses'][number]['role'], vmName: string) => ({ role, vmId: `id-${vmName}`, vmName });
const owned = (role: Cpu['uses'][number]['role'], vmName: string, more: Cpu['uses'] = []) => ({
  allocation: { vmId: `id-${vmName}`, vmName, role },
  uses: [use(role, vmName), ...more],
});
const verified = { source: 'VERIFIED' as const, at: '2026-01-01T11:00:00Z', vmId: 'id-web-01', vmName: 'web-01' };
const discovered = { source: 'DISCOVERED' as const, at: '2026-01-01T10:00:00Z', vmId: null, vmName: null };
const counts = (total: number, reservedForHost: number, allocated: number) => ({
  total,
  reservedForHost,
  usable: total - reservedForHost,
  allocated,
  free: total - reservedForHost - allocated,
});

const host: Host = {
  id: 'h-1',
  name: 'hv-01',
  address: '10.0.0.1',
  port: 22,
  sshUser: 'root',
  state: 'READY',
  stateReason: null,
  lastDiscoveredAt: '2026-01-01T10:00:00Z',
  credentialRef: 'file:id',
  hostKeyFingerprint: null,
  capabilities: { iommu: true, vhostNet: true, kvm: true, vmx: true, svm: false, ept: true, npt: false, ovs: false },
  bridges: [{ name: 'br0', kind: 'LINUX' }],
  labels: [{ key: 'rack', value: 'a1' }],
  cpuCounts: counts(8, 2, 4),
  vms: [{ id: 'id-web-01', name: 'web-01', state: 'RUNNING', planState: verified }],
  numaNodes: [
    {
      index: 0,
      memoryMiB: 65536,
      hugepages: [{ sizeKiB: 2048, total: 512, free: 256 }],
      cpuCounts: counts(4, 1, 0),
      cpus: [cpu(0, 0, { reservedForHost: true }), cpu(1, 0), cpu(2, 0), cpu(3, 0)],
    },
    {
      index: 1,
      memoryMiB: 65536,
      hugepages: [],
      cpuCounts: counts(4, 1, 4),
      cpus: [
        cpu(4, 1, { reservedForHost: true }),
        cpu(5, 1, owned('VCPU', 'web-01')),
        cpu(6, 1, owned('VCPU', 'web-01')),
        // the node's I/O CPU: NIC IRQs accounted to web-01, vhost threads of web-02 too
        cpu(7, 1, owned('IRQ', 'web-01', [use('VHOST', 'web-02')])),
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
      mtu: 9000,
      maxMtu: 9702,
      linkState: 'up',
      combinedQueues: 4,
      maxCombinedQueues: 8,
      sriovNumVfs: 2,
      sriovTotalVfs: 64,
      vfCounts: { configured: 2, allocated: 1, free: 1 },
      irqs: [90, 91, 92, 93].map((irq, queue) => ({
        irq,
        queue,
        label: `ice-ens5f0-TxRx-${queue}`,
        affinity: [7],
        discoveredAffinity: [0, 1, 2, 3, 4, 5, 6, 7],
        ownerVmId: 'id-web-01',
        ownerVmName: 'web-01',
        state: verified,
      })),
      vfs: [
        {
          index: 0,
          pciAddress: null,
          mac: '52:54:00:aa:bb:cc',
          vlan: 100,
          discoveredMac: '00:00:00:00:00:00',
          linkState: 'auto',
          spoofchk: true,
          trust: false,
          allocatedToVmId: 'id-web-01',
          allocatedToVmName: 'web-01',
          state: verified,
        },
        {
          index: 1,
          pciAddress: null,
          mac: '00:00:00:00:00:00',
          vlan: 0,
          discoveredMac: '00:00:00:00:00:00',
          linkState: 'auto',
          spoofchk: true,
          trust: false,
          allocatedToVmId: null,
          allocatedToVmName: null,
          state: discovered,
        },
      ],
    },
    {
      id: 'n-2',
      name: 'eno1',
      pciAddress: '0000:01:00.0',
      driver: null,
      numaNode: null,
      speedMbps: null,
      mtu: null,
      maxMtu: null,
      linkState: 'down',
      combinedQueues: 1,
      maxCombinedQueues: 1,
      sriovNumVfs: 0,
      sriovTotalVfs: 0,
      vfCounts: { configured: 0, allocated: 0, free: 0 },
      irqs: [],
      vfs: [],
    },
  ],
};

describe('formatHost', () => {
  const text = formatHost(host);
  const node0 = text.slice(text.indexOf('NUMA node 0'), text.indexOf('NUMA node 1'));
  const node1 = text.slice(text.indexOf('NUMA node 1'), text.indexOf('NICs without'));

  it('prints each node with memory, hugepages, free CPUs (reserved apart) and every role of every VM', () => {
    expect(text).toMatch(/^host hv-01 {2}READY\n/);
    expect(text).toContain('capabilities: iommu vhostNet kvm vmx ept');
    expect(text).toContain('  CPUs 2 of 6 free (+2 reserved for the host)');
    expect(text).toContain("  vm web-01  RUNNING, plan verified 2026-01-01T11:00:00Z by web-01's plan");
    expect(node0).toContain('NUMA node 0: 4 CPUs, 64 GiB, hugepages 2M 256/512 free');
    expect(node0).toContain('CPUs  free 1-3  (3 of 3 free (+1 reserved for the host))');
    expect(node0).toContain('host-reserved 0');
    expect(node1).toContain('vm web-01: vcpu 5-6, irq 7');
    expect(node1).toContain('vm web-02: vhost 7');
  });

  it('prints IRQs as one range per target with owner and source, and allocated VFs with their applied MAC', () => {
    expect(node0).not.toContain('ens5f0');
    expect(node1).toMatch(/ens5f0 {2}0000:af:00\.0 {2}ice {2}25000 Mb\/s {2}link up {2}queues 4\/8 {2}NUMA 1 {2}VFs 1\/2 used \(max 64\)/);
    expect(node1).toContain("IRQs 90-93 (q0-q3): 7 (web-01), verified 2026-01-01T11:00:00Z by web-01's plan");
    expect(node1).not.toContain('0-7');
    expect(node1).toContain("VF 0  52:54:00:aa:bb:cc  vlan 100  web-01, verified 2026-01-01T11:00:00Z by web-01's plan");
    expect(node1).not.toContain('VF 1');
    expect(text).toMatch(/NICs without a NUMA node\n {4}eno1 .* NUMA -$/);
  });
});

describe('formatHostList', () => {
  it('shows free of usable CPUs with the reserved ones in their own column, and configured VFs only', () => {
    const summary = { ...host, nics: host.nics.map((n) => ({ ...n })) } as unknown as HostSummary;
    const [head, row] = formatHostList([summary]).split('\n');
    expect(head).toMatch(/CPUS FREE\/USABLE {2}RESERVED {2}VFS FREE\/CONFIGURED/);
    expect(row).toMatch(/hv-01 +READY +10\.0\.0\.1 +2 +2\/6 +2 +1\/2 +128 GiB/);
  });
});
