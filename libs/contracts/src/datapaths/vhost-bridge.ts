import { defineDatapath, TAP_BANDWIDTH } from './definition';
import { vhostNetNeed } from './shared';

/** virtio with vhost-net on a tap in a Linux bridge (docs/datapaths.md). */
export const vhostBridge = defineDatapath({
  id: 'VHOST_BRIDGE',
  rank: 4,
  auto: true,
  connections: { LINUX_BRIDGE: 'BRIDGE' },
  guest: ['virtio'],
  host: [vhostNetNeed('VHOST_BRIDGE')],
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
  cost: { exitsPerPacket: 'BATCHED_KERNEL', cpusPerFlow: 2, relativeCost: 2 },
  liveMigration: { kind: 'NATIVE' },
  hostSetup: 'NONE',
  reasons: {},
  cli: { aliases: ['vhost-bridge', 'bridge'] },
  ui: { label: 'vhost-net on a Linux bridge', help: 'vhost-net on a Linux bridge' },
});
