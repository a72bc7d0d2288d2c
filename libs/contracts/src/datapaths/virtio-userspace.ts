import { defineDatapath, TAP_BANDWIDTH, OVS_TAP_TRUNK } from './definition';

/**
 * virtio served by QEMU in user space: batched exits but a copy through QEMU, so three
 * CPUs per flow (docs/datapaths.md, "CPUs, interrupts and NUMA"). Runs on any tap-based connection.
 */
export const virtioUserspace = defineDatapath({
  id: 'VIRTIO_USERSPACE',
  rank: 2,
  auto: true,
  connections: { SRIOV_PHYSNET: 'MACVTAP', MACVTAP: 'MACVTAP', LINUX_BRIDGE: 'BRIDGE', OVS_BRIDGE: 'OVS' },
  guest: ['virtio'],
  host: [],
  nicResource: 'NONE',
  vfDriverNeeds: [],
  xml: { kind: 'emulated', model: 'virtio', driver: 'qemu' },
  vlanTrunk: OVS_TAP_TRUNK,
  vlanProtocols: ['DOT1Q'],
  bandwidth: TAP_BANDWIDTH,
  memory: { kind: 'ANY' },
  ovsBridge: null,
  switchResource: { kind: 'NONE' },
  multiqueue: true,
  cost: { exitsPerPacket: 'BATCHED_USERSPACE', cpusPerFlow: 3, relativeCost: 4 },
  liveMigration: { kind: 'NATIVE' },
  hostSetup: 'NONE',
  reasons: {},
  cli: { aliases: ['virtio-userspace', 'userspace'] },
  ui: { label: 'virtio in QEMU user space', help: 'virtio in QEMU user space' },
});
