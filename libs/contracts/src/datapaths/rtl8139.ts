import { defineDatapath, TAP_BANDWIDTH, OVS_TAP_TRUNK } from './definition';

/** Emulated Realtek 8139 for legacy guests: never chosen by AUTO. */
export const rtl8139 = defineDatapath({
  id: 'RTL8139',
  rank: 0,
  auto: false,
  connections: { SRIOV_PHYSNET: 'MACVTAP', MACVTAP: 'MACVTAP', LINUX_BRIDGE: 'BRIDGE', OVS_BRIDGE: 'OVS' },
  guest: [],
  host: [],
  nicResource: 'NONE',
  vfDriverNeeds: [],
  xml: { kind: 'emulated', model: 'rtl8139', driver: null },
  vlanTrunk: OVS_TAP_TRUNK,
  vlanProtocols: ['DOT1Q'],
  bandwidth: TAP_BANDWIDTH,
  memory: { kind: 'ANY' },
  ovsBridge: null,
  switchResource: { kind: 'NONE' },
  multiqueue: false,
  cost: { exitsPerPacket: 'MANY', cpusPerFlow: 3, relativeCost: 12 },
  liveMigration: { kind: 'NATIVE' },
  hostSetup: 'NONE',
  reasons: {},
  cli: { aliases: ['rtl8139'] },
  ui: { label: 'emulated rtl8139', help: 'emulated rtl8139: legacy guests' },
});
