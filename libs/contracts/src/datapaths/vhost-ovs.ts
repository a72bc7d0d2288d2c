import { defineDatapath, TAP_BANDWIDTH, OVS_TAP_TRUNK } from './definition';
import { vhostNetNeed } from './shared';

/** virtio with vhost-net on a tap in an Open vSwitch bridge (the kernel datapath). */
export const vhostOvs = defineDatapath({
  id: 'VHOST_OVS',
  rank: 3,
  auto: true,
  connections: { OVS_BRIDGE: 'OVS' },
  guest: ['virtio'],
  host: [vhostNetNeed('VHOST_OVS')],
  nicResource: 'NONE',
  vfDriverNeeds: [],
  xml: { kind: 'emulated', model: 'virtio', driver: 'vhost' },
  vlanTrunk: OVS_TAP_TRUNK,
  vlanProtocols: ['DOT1Q'],
  bandwidth: TAP_BANDWIDTH,
  memory: { kind: 'ANY' },
  ovsBridge: null,
  switchResource: { kind: 'NONE' },
  multiqueue: true,
  cost: { exitsPerPacket: 'BATCHED_KERNEL', cpusPerFlow: 2, relativeCost: 2.2 },
  liveMigration: { kind: 'NATIVE' },
  hostSetup: 'NONE',
  reasons: {},
  cli: { aliases: ['vhost-ovs', 'ovs'] },
  ui: { label: 'vhost-net on Open vSwitch', help: 'vhost-net on Open vSwitch' },
});
