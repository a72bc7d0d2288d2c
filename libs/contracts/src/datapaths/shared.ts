import type { Datapath } from '../enums';
import type { GuestNeed, HostNeed } from './definition';

/**
 * Needs several datapaths share, with their reason codes: declared once here and named by
 * each datapath module that has them.
 */
export const SHARED_REASONS = {
  GUEST_LACKS_VIRTIO: 'the datapath needs a virtio driver in the guest',
  GUEST_LACKS_VF_DRIVER: 'the guest has no driver for the VF',
  VHOST_NET_UNAVAILABLE: 'the host has no /dev/vhost-net',
  NO_SRIOV_NIC_FOR_NETWORK: 'no NIC carrying the network has SR-IOV VFs configured',
  NO_FREE_VF: 'every VF on the NICs carrying the network is taken',
  NO_FREE_VF_ON_NUMA_NODE: 'free VFs exist, but not on the NUMA node the VM must use',
  VF_DRIVER_LACKS_MIN_TX_RATE:
    "minBandwidthMbps on a VF needs min_tx_rate, which the PF's driver refuses (ixgbe, i40e, igb; see VF_DRIVER_CAPABILITIES)",
  VLAN_TRUNK_UNSUPPORTED:
    'the network is a VLAN trunk and the datapath cannot carry one there: only Open vSwitch ports (a tap libvirt plugs, or a vhost-user port) take trunks; libvirt refuses <vlan> on a Linux-bridge tap or a macvtap device, and trunks on a VF',
  VLAN_PROTOCOL_UNSUPPORTED:
    "the network's VLAN is 802.1ad (QinQ) and the datapath can only tag 802.1Q: only a VF (ip link set PF vf N vlan X proto 802.1ad) tags 802.1ad",
} as const;
export type SharedReasonCode = keyof typeof SHARED_REASONS;

/** The request-level reason a guest without the driver gets. */
export const GUEST_NEED_REASONS: Readonly<Record<GuestNeed, SharedReasonCode>> = {
  virtio: 'GUEST_LACKS_VIRTIO',
  vfDriver: 'GUEST_LACKS_VF_DRIVER',
};

/** The in-kernel virtio backend (vhost-net) every vhost datapath runs on. */
export function vhostNetNeed(d: Datapath): HostNeed<never> {
  return { capability: 'vhostNet', reason: 'VHOST_NET_UNAVAILABLE', detail: `${d} needs /dev/vhost-net` };
}
