import { defineDatapath } from './definition';

/**
 * virtio served by a userspace switch (Open vSwitch with DPDK): the switch's PMD threads poll
 * the guest's virtio rings in guest memory over a vhost-user socket, so neither the guest nor
 * the host kernel takes an exit or an interrupt per packet (docs/datapaths.md). It needs the
 * guest's RAM on shared huge pages, a `netdev` (userspace) bridge, and PMD cores on the VM's
 * NUMA node with a free slot per queue.
 */
export const vhostUser = defineDatapath({
  id: 'VHOST_USER',
  rank: 6,
  auto: true,
  connections: { OVS_BRIDGE: 'VHOSTUSER' },
  guest: ['virtio'],
  host: [{ capability: 'ovsDpdk', reason: 'OVS_DPDK_UNAVAILABLE', detail: 'VHOST_USER needs Open vSwitch with DPDK initialised' }],
  nicResource: 'NONE',
  vfDriverNeeds: [],
  xml: { kind: 'emulated', model: 'virtio', driver: 'vhost-user' },
  vlanTrunk: { VHOSTUSER: 'OVS_PORT' },
  vlanProtocols: ['DOT1Q'],
  memory: { kind: 'SHARED_HUGEPAGES', reason: 'VHOST_USER_NEEDS_HUGEPAGES' },
  ovsBridge: { datapathType: 'netdev', reason: 'BRIDGE_NOT_USERSPACE' },
  switchResource: { kind: 'PMD', noPmd: 'NO_PMD_ON_NUMA_NODE', exhausted: 'PMD_CAPACITY_EXHAUSTED' },
  bandwidth: { min: 'RESERVED_ONLY', max: 'OVS_INGRESS_POLICING' },
  multiqueue: true,
  // The PMD polls: no exit, no interrupt per packet; a flow keeps the vCPU and a PMD core busy.
  cost: { exitsPerPacket: 'NONE', cpusPerFlow: 2, relativeCost: 1.4 },
  liveMigration: { kind: 'NATIVE' },
  hostSetup: 'VHOSTUSER_PORT',
  reasons: {
    OVS_DPDK_UNAVAILABLE: 'the host runs no Open vSwitch with DPDK initialised (ovs-vsctl get Open_vSwitch . dpdk_initialized)',
    VHOST_USER_NEEDS_HUGEPAGES: "vhost-user maps the guest's memory into the switch: the VM must ask for huge pages",
    BRIDGE_NOT_USERSPACE: "the network's Open vSwitch bridge on the host is not a userspace (datapath_type netdev) bridge",
    NO_PMD_ON_NUMA_NODE: "the userspace switch has no PMD core on the VM's NUMA node (other_config:pmd-cpu-mask)",
    PMD_CAPACITY_EXHAUSTED: "the PMD cores on the VM's NUMA node already poll as many vhost-user queues as their budget allows",
  },
  cli: { aliases: ['vhost-user', 'vhostuser', 'dpdk'] },
  ui: { label: 'vhost-user on OVS-DPDK', help: "vhost-user on OVS-DPDK: PMD-polled, needs huge pages and PMD cores on the VM's node" },
});

/**
 * Where QEMU creates the vhost-user sockets (libvirt `mode='server'`; the OVS port is a
 * dpdkvhostuserclient that connects to it), one per interface, named after the OVS port.
 */
export const VHOST_USER_SOCKET_DIR = '/var/lib/vhost_sockets';
