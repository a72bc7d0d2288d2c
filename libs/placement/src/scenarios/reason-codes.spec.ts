import { REASON_CODES, type ReasonCode, type VmRequestInput } from '@netpin/contracts';
import { describe, expect, it } from 'vitest';
import { applyPlan, place } from '../api';
import type { PlacementOptions } from '../config';
import { fleet, vm, type HostSpec } from '../testing/fleet-builder';
import { planOf, reasonsOf } from '../testing/results';

/**
 * One scenario per reason code. The Record type makes the compiler refuse a new code
 * without a scenario. Host "h1": 2 NUMA nodes x 4 cores x 2 threads; CPUs 0-3,8-11 on
 * node 0 and 4-7,12-15 on node 1; ens1f0 (SR-IOV, 4 VFs) on node 1, eno1 on node 0.
 */
interface Scenario {
  title: string;
  host?: Partial<HostSpec>;
  extraHosts?: HostSpec[];
  noHosts?: boolean;
  request: Partial<VmRequestInput>;
  options?: Partial<PlacementOptions>;
  /** VMs placed (and recorded) before the request. */
  before?: Partial<VmRequestInput>[];
}

const baseNics: HostSpec['nics'] = [
  { name: 'ens1f0', node: 1, vfs: 4 },
  { name: 'eno1', node: 0 },
];

/** OVS-DPDK on h1: a netdev bridge for the "ovs" network, one PMD core (CPU 4, node 1), 2M pages. */
const dpdk: Partial<HostSpec> = {
  caps: { ovsDpdk: true },
  pmdCpus: [4],
  bridges: [{ name: 'br-ovs', kind: 'OVS', datapathType: 'netdev' }],
  hugepages2MPerNode: 2048,
};
const userspace: Partial<VmRequestInput> = { hugepages: 'SIZE_2M', interfaces: [{ network: 'ovs', datapath: 'VHOST_USER' }] };

function run(s: Scenario): ReasonCode[] {
  const b = fleet();
  if (!s.noHosts) {
    b.host({ name: 'h1', nics: baseNics, ...s.host });
    for (const h of s.extraHosts ?? []) b.host(h);
  }
  const nicsOf = (n: string): Record<string, string[]> => ({ h1: [n] });
  const pfs = (s.host?.nics ?? baseNics ?? []).filter((n) => (n.vfs ?? 0) > 0).map((n) => n.name);
  const snapshot = s.noHosts
    ? b.build()
    : b
        .network('phys', 'SRIOV_PHYSNET', { on: { h1: pfs } })
        .network('mvt', 'MACVTAP', { on: nicsOf('eno1') })
        .network('lbr', 'LINUX_BRIDGE', { on: nicsOf('eno1') })
        .network('ovs', 'OVS_BRIDGE', { on: nicsOf('eno1') })
        .network('nowhere', 'LINUX_BRIDGE', { on: {} })
        .network('phys-on-eno1', 'SRIOV_PHYSNET', { on: nicsOf('eno1') })
        .network('jumbo', 'MACVTAP', { on: nicsOf('eno1'), mtu: 9000 })
        .network('lbr-trunk', 'LINUX_BRIDGE', { on: nicsOf('eno1'), trunkVlans: [10, 20], nativeVlan: 30 })
        .network('phys-qinq', 'SRIOV_PHYSNET', { on: { h1: pfs }, vlan: 100, vlanProtocol: 'DOT1AD' })
        .group('apart', 'ANTI_AFFINITY')
        .group('together', 'AFFINITY')
        .build();
  const placed = (s.before ?? []).reduce((snap, r, k) => applyPlan(snap, planOf(place(snap, vm({ name: `pre${k}`, ...r })))), snapshot);
  return reasonsOf(place(placed, vm(s.request), s.options));
}

const SCENARIOS: Record<ReasonCode, Scenario> = {
  NETWORK_UNKNOWN: { title: 'interface names a network that does not exist', request: { interfaces: [{ network: 'nope' }] } },
  DATAPATH_NOT_SUPPORTED_BY_NETWORK: {
    title: 'SR-IOV asked on a Linux bridge network',
    request: { interfaces: [{ network: 'lbr', datapath: 'SRIOV' }] },
  },
  NO_HOSTS: { title: 'empty fleet', noHosts: true, request: {} },
  HOST_NOT_REQUESTED: {
    title: 'request pins h2, which is in maintenance; h1 is not the pinned host',
    extraHosts: [{ name: 'h2', state: 'MAINTENANCE' }],
    request: { pinHost: 'h2' },
  },
  HOST_AVOIDED: { title: 'the only host is in avoidHosts', request: { avoidHosts: ['h1'] } },
  HOST_IN_MAINTENANCE: { title: 'the only host is in maintenance', host: { state: 'MAINTENANCE' }, request: {} },
  HOST_NOT_READY: { title: 'the only host is still being discovered', host: { state: 'DISCOVERING' }, request: {} },
  HOST_UNREACHABLE: { title: 'the only host is unreachable', host: { state: 'UNREACHABLE' }, request: {} },
  HOST_LACKS_VIRTUALIZATION: { title: 'host without /dev/kvm', host: { caps: { kvm: false } }, request: {} },
  NETWORK_NOT_ON_HOST: { title: 'network mapped to no NIC of the host', request: { interfaces: [{ network: 'nowhere' }] } },
  IOMMU_DISABLED: {
    title: 'explicit SR-IOV, IOMMU off',
    host: { caps: { iommu: false } },
    request: { interfaces: [{ network: 'phys', datapath: 'SRIOV' }] },
  },
  BRIDGE_NOT_ON_HOST: {
    title: "the Linux bridge network's bridge br-lbr was not found on the host (only br1 was)",
    host: { bridges: [{ name: 'br1', kind: 'LINUX' }] },
    request: { interfaces: [{ network: 'lbr' }] },
  },
  VF_DRIVER_LACKS_MIN_TX_RATE: {
    title: 'explicit SR-IOV with minBandwidthMbps on an ixgbe PF (ixgbe refuses min_tx_rate)',
    host: {
      nics: [
        { name: 'ens1f0', node: 1, vfs: 4, driver: 'ixgbe' },
        { name: 'eno1', node: 0 },
      ],
    },
    request: { interfaces: [{ network: 'phys', datapath: 'SRIOV', minBandwidthMbps: 1000 }] },
  },
  VF_DRIVER_LACKS_8021AD: {
    title: 'explicit SR-IOV on an 802.1ad network whose PF is i40e (i40e tags 802.1Q only)',
    host: {
      nics: [
        { name: 'ens1f0', node: 1, vfs: 4, driver: 'i40e' },
        { name: 'eno1', node: 0 },
      ],
    },
    request: { interfaces: [{ network: 'phys-qinq', datapath: 'SRIOV' }] },
  },
  VLAN_TRUNK_UNSUPPORTED: {
    title: 'a VLAN trunk on a Linux bridge: libvirt tags no tap there, and AUTO has nothing else',
    request: { interfaces: [{ network: 'lbr-trunk' }] },
  },
  VLAN_PROTOCOL_UNSUPPORTED: {
    title: 'macvtap asked on an 802.1ad network: only a VF tags 802.1ad',
    request: { interfaces: [{ network: 'phys-qinq', datapath: 'VHOST_MACVTAP' }] },
  },
  NO_SRIOV_NIC_FOR_NETWORK: {
    title: 'explicit SR-IOV on a physnet carried by a NIC without VFs',
    request: { interfaces: [{ network: 'phys-on-eno1', datapath: 'SRIOV' }] },
  },
  NO_FREE_VF: {
    title: 'explicit SR-IOV, every VF taken',
    host: {
      nics: [
        { name: 'ens1f0', node: 1, vfs: 2, takenVfs: [0, 1] },
        { name: 'eno1', node: 0 },
      ],
    },
    request: { interfaces: [{ network: 'phys', datapath: 'SRIOV' }] },
  },
  NO_FREE_VF_ON_NUMA_NODE: {
    title: 'REQUIRED: bridge uplink on node 1, the node-1 PF full, free VFs only on the node-0 PF',
    host: {
      nics: [
        { name: 'ens1f0', node: 1, vfs: 2, takenVfs: [0, 1] },
        { name: 'ens2f0', node: 0, vfs: 2 },
        { name: 'eno1', node: 1 },
      ],
    },
    request: { numaPolicy: 'REQUIRED', interfaces: [{ network: 'phys', datapath: 'SRIOV' }, { network: 'lbr' }] },
  },
  GUEST_LACKS_VIRTIO: {
    title: 'explicit vhost bridge for a guest without virtio',
    request: { guest: { virtio: false, vfDriver: true }, interfaces: [{ network: 'lbr', datapath: 'VHOST_BRIDGE' }] },
  },
  GUEST_LACKS_VF_DRIVER: {
    title: 'explicit SR-IOV for a guest without a VF driver',
    request: { guest: { virtio: true, vfDriver: false }, interfaces: [{ network: 'phys', datapath: 'SRIOV' }] },
  },
  LIVE_MIGRATION_NEEDS_VIRTIO: {
    title: 'live-migratable SR-IOV needs a virtio failover backup the guest cannot drive',
    request: { guest: { virtio: false, vfDriver: true }, interfaces: [{ network: 'phys', datapath: 'SRIOV', liveMigratable: true }] },
  },
  VHOST_NET_UNAVAILABLE: {
    title: 'explicit vhost bridge on a host without /dev/vhost-net',
    host: { caps: { vhostNet: false } },
    request: { interfaces: [{ network: 'lbr', datapath: 'VHOST_BRIDGE' }] },
  },
  OVS_UNAVAILABLE: {
    title: 'OVS network on a host without Open vSwitch',
    host: { caps: { ovs: false } },
    request: { interfaces: [{ network: 'ovs' }] },
  },
  VHOST_VDPA_UNAVAILABLE: {
    title: "explicit vDPA, the PF's VFs are vdpa management devices but vhost_vdpa is not loaded",
    host: { nics: [{ name: 'ens1f0', node: 1, vfs: 4, vdpaVfs: true }, ...baseNics.slice(1)] },
    request: { interfaces: [{ network: 'phys', datapath: 'VDPA' }] },
  },
  VDPA_NOT_LIVE_MIGRATABLE: {
    title: 'explicit vDPA for a liveMigratable interface (vDPA moves only COLD)',
    host: { caps: { vhostVdpa: true }, nics: [{ name: 'ens1f0', node: 1, vfs: 4, vdpaVfs: true }, ...baseNics.slice(1)] },
    request: { interfaces: [{ network: 'phys', datapath: 'VDPA', liveMigratable: true }] },
  },
  NO_VDPA_VF_FOR_NETWORK: {
    title: "explicit vDPA with vhost_vdpa loaded, but ens1f0's VFs are not vdpa management devices",
    host: { caps: { vhostVdpa: true } },
    request: { interfaces: [{ network: 'phys', datapath: 'VDPA' }] },
  },
  OVS_DPDK_UNAVAILABLE: {
    title: 'explicit vhost-user on a host whose Open vSwitch has no DPDK',
    host: { ...dpdk, caps: { ovsDpdk: false } },
    request: userspace,
  },
  VHOST_USER_NEEDS_HUGEPAGES: {
    title: 'explicit vhost-user for a VM without huge pages',
    host: dpdk,
    request: { interfaces: [{ network: 'ovs', datapath: 'VHOST_USER' }] },
  },
  BRIDGE_NOT_USERSPACE: {
    title: "explicit vhost-user, the network's bridge br-ovs is a kernel (system) OVS bridge",
    host: { ...dpdk, bridges: [{ name: 'br-ovs', kind: 'OVS', datapathType: 'system' }] },
    request: userspace,
  },
  NO_PMD_ON_NUMA_NODE: {
    title: "explicit vhost-user, PMD core on node 1 only, node 1's CPUs all busy: node 0 has no PMD",
    host: { ...dpdk, busyCpus: [5, 6, 7, 12, 13, 14, 15] },
    request: userspace,
  },
  PMD_CAPACITY_EXHAUSTED: {
    title: 'two vhost-user interfaces, one PMD core polling at most one queue',
    host: dpdk,
    options: { pmdQueuesPerCore: 1 },
    request: {
      hugepages: 'SIZE_2M',
      interfaces: [
        { network: 'ovs', datapath: 'VHOST_USER' },
        { network: 'ovs', datapath: 'VHOST_USER' },
      ],
    },
  },
  NIC_BANDWIDTH_EXHAUSTED: {
    title: '40 Gb/s asked of a 25 Gb/s NIC',
    request: { interfaces: [{ network: 'mvt', minBandwidthMbps: 40_000 }] },
  },
  NIC_MAX_MTU_BELOW_NETWORK: {
    title: 'MTU 9000 network on a NIC whose driver takes at most 1500',
    host: { nics: [baseNics[0], { name: 'eno1', node: 0, mtu: 1500, maxMtu: 1500 }] },
    request: { interfaces: [{ network: 'jumbo' }] },
  },
  NIC_MTU_BELOW_NETWORK: {
    title: 'MTU 9000 network on a NIC that could take it but runs at 1500',
    host: { nics: [baseNics[0], { name: 'eno1', node: 0, mtu: 1500, maxMtu: 9702 }] },
    request: { interfaces: [{ network: 'jumbo' }] },
  },
  NICS_ON_DIFFERENT_NUMA_NODES: {
    title: 'REQUIRED: macvtap NIC on node 0, SR-IOV PF on node 1',
    request: { numaPolicy: 'REQUIRED', interfaces: [{ network: 'phys' }, { network: 'mvt' }] },
  },
  INSUFFICIENT_DEDICATED_CPUS_ON_NIC_NODE: {
    title: 'NIC on node 1, free cores only on node 0, numaPolicy REQUIRED',
    host: { busyCpus: [4, 5, 6, 12, 13, 14] },
    request: { vcpus: 4, numaPolicy: 'REQUIRED', interfaces: [{ network: 'phys' }] },
  },
  INSUFFICIENT_DEDICATED_CPUS: { title: '20 dedicated vCPUs, 8 CPUs per node, no NIC', request: { vcpus: 20 } },
  INSUFFICIENT_SHARED_CPU_CAPACITY: { title: '40 shared vCPUs, 8 CPUs x ratio 4 per node', request: { vcpus: 40, cpuPolicy: 'SHARED' } },
  THREAD_POLICY_NEEDS_SMT: {
    title: 'threadPolicy REQUIRE on a host without hyperthreads',
    host: { threadsPerCore: 1 },
    request: { threadPolicy: 'REQUIRE' },
  },
  INSUFFICIENT_SIBLING_PAIRS: {
    title: 'REQUIRE 4 vCPUs, one whole core free and three half-used',
    host: { nodes: 1, busyCpus: [0, 1, 2] },
    request: { vcpus: 4, threadPolicy: 'REQUIRE' },
  },
  INSUFFICIENT_ISOLATED_CORES: {
    title: 'ISOLATE 2 vCPUs, one whole core free',
    host: { nodes: 1, busyCpus: [0, 1, 2] },
    request: { vcpus: 2, threadPolicy: 'ISOLATE' },
  },
  NO_CPU_FOR_NIC_IRQS: {
    title: 'I/O CPU share configured to 0',
    options: { maxIoCpuShare: 0 },
    request: { interfaces: [{ network: 'mvt' }] },
  },
  MEMORY_ON_NODE: { title: '100 GiB on nodes of 64 GiB, REQUIRED', request: { memoryMiB: 100_000 } },
  INSUFFICIENT_MEMORY: { title: 'numaPolicy NONE, more memory than the whole host', request: { numaPolicy: 'NONE', memoryMiB: 200_000 } },
  HUGEPAGES_ON_NODE: {
    title: '4 GiB of 1G pages, 2 free per node',
    host: { hugepages1GPerNode: 2 },
    request: { memoryMiB: 4096, hugepages: 'SIZE_1G' },
  },
  GROUP_UNKNOWN: { title: 'the request names a group that does not exist', request: { group: 'nope' } },
  GROUP_ANTI_AFFINITY: {
    title: 'hard anti-affinity (maxPerHost 1): a member already runs on h1, the only host',
    before: [{ group: 'apart' }],
    request: { group: 'apart' },
  },
  GROUP_AFFINITY: {
    title: 'hard affinity: the member runs on h2 (pinned there), h1 has none',
    extraHosts: [{ name: 'h2' }],
    before: [{ group: 'together', pinHost: 'h2' }],
    request: { group: 'together', pinHost: 'h1' },
  },
};

describe('every reason code has a scenario that produces it', () => {
  it('covers the whole enum', () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([...REASON_CODES].sort());
  });
  for (const code of REASON_CODES) {
    const s = SCENARIOS[code];
    it(`${s.title} -> ${code}`, () => {
      expect(run(s)).toContain(code);
    });
  }
});
