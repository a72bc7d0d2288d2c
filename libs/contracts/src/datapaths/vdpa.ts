import { defineDatapath } from './definition';

/**
 * vDPA (virtio data path acceleration): a VF whose NIC serves the guest's virtio rings itself,
 * DMA straight to guest memory like a passed-through VF, while the guest drives a plain
 * virtio-net device (QEMU's vhost-vdpa backend on /dev/vhost-vdpa-N). The guest needs no
 * vendor driver, and the device it sees does not depend on the NIC model. The VF must be a
 * vdpa management device (mlx5_vdpa on ConnectX-6 Dx and later, ifcvf on Intel's N3000/N5000
 * and IFC VFs), and the host needs the vhost_vdpa module so the vdpa device gets a character
 * device rather than a host virtio-net netdev (virtio_vdpa).
 *
 * Rank: below SR-IOV passthrough (the vendor driver in the guest gets every offload of the
 * function; vDPA is limited to the virtio feature set the mgmtdev offers, and the NICs that
 * do it are fewer) and above vhost-user (no PMD cores and no huge pages: the NIC does the
 * switch's work, so no host CPU per packet). AUTO therefore takes it where SR-IOV cannot be
 * placed but a vdpa VF can: no IOMMU, or a guest without the VF's driver.
 */
export const vdpa = defineDatapath<'VDPA', 'VHOST_VDPA_UNAVAILABLE' | 'NO_VDPA_VF_FOR_NETWORK' | 'VDPA_NOT_LIVE_MIGRATABLE'>({
  id: 'VDPA',
  rank: 7,
  auto: true,
  connections: { SRIOV_PHYSNET: 'VDPA' },
  guest: ['virtio'],
  host: [{ capability: 'vhostVdpa', reason: 'VHOST_VDPA_UNAVAILABLE', detail: 'VDPA needs the vhost_vdpa kernel module' }],
  nicResource: 'VDPA_VF',
  vfDriverNeeds: [{ field: 'minBandwidthMbps', knob: 'minTxRate', reason: 'VF_DRIVER_LACKS_MIN_TX_RATE' }],
  xml: { kind: 'emulated', model: 'virtio', driver: 'vhost-vdpa' },
  // a VF's one VLAN; trunks and 802.1ad are not programmed on vDPA VFs
  vlanTrunk: {},
  vlanProtocols: ['DOT1Q'],
  bandwidth: { min: 'VF_MIN_TX_RATE', max: 'VF_MAX_TX_RATE' },
  memory: { kind: 'ANY' },
  ovsBridge: null,
  switchResource: { kind: 'NONE' },
  multiqueue: true,
  // The NIC polls and DMAs like a VF; the guest's kicks go to the device's doorbell, not through the host.
  cost: { exitsPerPacket: 'NONE', cpusPerFlow: 1, relativeCost: 1.1 },
  // QEMU can migrate vhost-vdpa state, but the target needs a vdpa device of its own (another
  // /dev/vhost-vdpa-N) before the incoming QEMU opens it, and libvirt's <teaming> failover takes
  // only a hostdev. vm.migrate does not make vdpa devices on a target yet, so migrateVm refuses a
  // COLD move as well (HOST_DEVICE_NOT_MOVED, apps/api migration.service).
  liveMigration: {
    kind: 'COLD_ONLY',
    reason: 'VDPA_NOT_LIVE_MIGRATABLE',
    refusal: {
      code: 'VDPA_NOT_LIVE_MIGRATABLE',
      description:
        'a vDPA interface is not live migrated by netpin (the target needs its own vdpa device before QEMU starts there); COLD is refused too (HOST_DEVICE_NOT_MOVED) until vm.migrate makes one',
    },
  },
  hostSetup: 'VDPA_DEVICE',
  reasons: {
    VDPA_NOT_LIVE_MIGRATABLE:
      'a liveMigratable interface cannot be vDPA: netpin moves vDPA interfaces only COLD (the target needs its own vdpa device first)',
    VHOST_VDPA_UNAVAILABLE:
      'the host has no vhost_vdpa driver (/sys/bus/vdpa/drivers/vhost_vdpa): vdpa devices would not get a /dev/vhost-vdpa-N',
    NO_VDPA_VF_FOR_NETWORK:
      'no NIC carrying the network has VFs that are vdpa management devices (vdpa mgmtdev show: mlx5_vdpa on ConnectX-6 Dx and later, ifcvf)',
  },
  cli: { aliases: ['vdpa', 'vhost-vdpa'] },
  ui: { label: 'vDPA VF', help: 'vDPA: a VF that serves virtio rings in hardware; the guest needs only virtio' },
});
