import { defineDatapath } from './definition';

/**
 * SR-IOV VF passed through with VFIO: the guest drives a real NIC function, DMA goes
 * straight to guest memory through the IOMMU (docs/datapaths.md). Plain
 * live migration is impossible; a live-migratable interface gets a libvirt <teaming>
 * virtio backup.
 */
export const sriov = defineDatapath({
  id: 'SRIOV',
  rank: 8,
  auto: true,
  connections: { SRIOV_PHYSNET: 'HOSTDEV' },
  guest: ['vfDriver'],
  host: [{ capability: 'iommu', reason: 'IOMMU_DISABLED', detail: 'SR-IOV needs VT-d' }],
  nicResource: 'VF',
  vfDriverNeeds: [
    { field: 'minBandwidthMbps', knob: 'minTxRate', reason: 'VF_DRIVER_LACKS_MIN_TX_RATE' },
    { field: 'vlanProtocol', knob: 'vlanProto8021ad', reason: 'VF_DRIVER_LACKS_8021AD' },
  ],
  xml: { kind: 'hostdev' },
  vlanTrunk: {},
  vlanProtocols: ['DOT1Q', 'DOT1AD'],
  bandwidth: { min: 'VF_MIN_TX_RATE', max: 'VF_MAX_TX_RATE' },
  memory: { kind: 'ANY' },
  ovsBridge: null,
  switchResource: { kind: 'NONE' },
  multiqueue: true,
  cost: { exitsPerPacket: 'NONE', cpusPerFlow: 2, relativeCost: 1 },
  liveMigration: {
    kind: 'FAILOVER',
    backups: ['VHOST_MACVTAP', 'VIRTIO_USERSPACE'],
    reason: 'LIVE_MIGRATION_NEEDS_VIRTIO',
    unpaired: {
      code: 'VF_WITHOUT_FAILOVER',
      description:
        'a VF passed through without a virtio failover partner (liveMigratable) cannot be live migrated: migrate it COLD, or recreate it liveMigratable',
    },
  },
  hostSetup: 'VF',
  reasons: {
    IOMMU_DISABLED: 'SR-IOV passthrough needs the IOMMU (VT-d) enabled',
    LIVE_MIGRATION_NEEDS_VIRTIO: 'a live-migratable SR-IOV interface needs a virtio failover backup, so virtio in the guest',
    VF_DRIVER_LACKS_8021AD:
      "an 802.1ad network VLAN on a VF needs 'vlan … proto 802.1ad', which the PF's driver refuses (ixgbe, i40e, igb, mlx5_core; see VF_DRIVER_CAPABILITIES)",
  },
  cli: { aliases: ['sriov', 'vf'] },
  ui: { label: 'SR-IOV VF', help: 'VF passthrough: lowest cost, no live migration' },
});
