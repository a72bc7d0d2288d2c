import { defineDatapath, TAP_BANDWIDTH } from './definition';
import { vhostNetNeed } from './shared';

/**
 * virtio with the in-kernel vhost-net backend on a macvtap device hanging off the NIC: no
 * bridge, zero-copy transmit possible (docs/datapaths.md).
 */
export const vhostMacvtap = defineDatapath({
  id: 'VHOST_MACVTAP',
  rank: 5,
  auto: true,
  connections: { SRIOV_PHYSNET: 'MACVTAP', MACVTAP: 'MACVTAP' },
  guest: ['virtio'],
  host: [vhostNetNeed('VHOST_MACVTAP')],
  nicResource: 'NONE',
  vfDriverNeeds: [],
  xml: { kind: 'emulated', model: 'virtio', driver: 'vhost' },
  vlanTrunk: {},
  vlanProtocols: ['DOT1Q'],
  bandwidth: TAP_BANDWIDTH,
  memory: { kind: 'ANY' },
  ovsBridge: null,
  switchResource: { kind: 'NONE' },
  multiqueue: true,
  cost: { exitsPerPacket: 'BATCHED_KERNEL', cpusPerFlow: 2, relativeCost: 1.8 },
  liveMigration: { kind: 'NATIVE' },
  hostSetup: 'NONE',
  reasons: {},
  cli: { aliases: ['vhost-macvtap', 'macvtap'] },
  ui: { label: 'vhost-net on macvtap', help: 'vhost-net on macvtap' },
});
