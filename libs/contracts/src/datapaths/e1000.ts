import { defineDatapath, TAP_BANDWIDTH, OVS_TAP_TRUNK } from './definition';

/** Emulated Intel e1000: works with any guest OS, pays a VM exit per register access. */
export const e1000 = defineDatapath({
  id: 'E1000',
  rank: 1,
  auto: true,
  connections: { SRIOV_PHYSNET: 'MACVTAP', MACVTAP: 'MACVTAP', LINUX_BRIDGE: 'BRIDGE', OVS_BRIDGE: 'OVS' },
  guest: [],
  host: [],
  nicResource: 'NONE',
  vfDriverNeeds: [],
  xml: { kind: 'emulated', model: 'e1000', driver: null },
  vlanTrunk: OVS_TAP_TRUNK,
  vlanProtocols: ['DOT1Q'],
  bandwidth: TAP_BANDWIDTH,
  memory: { kind: 'ANY' },
  ovsBridge: null,
  switchResource: { kind: 'NONE' },
  multiqueue: false,
  cost: { exitsPerPacket: 'MANY', cpusPerFlow: 3, relativeCost: 10 },
  liveMigration: { kind: 'NATIVE' },
  hostSetup: 'NONE',
  reasons: {},
  cli: { aliases: ['e1000'] },
  ui: { label: 'emulated e1000', help: 'emulated e1000: any guest, many exits' },
});
