import type { Datapath, DatapathCost, InterfaceConnection, NetworkKind, NicModel } from '@netpin/contracts';

/**
 * Datapath facts from kvm-network-datapaths.md section 2 (table) and section 3 (CPUs per
 * flow). Rank orders the AUTO preference: higher is faster.
 */
export const DATAPATH_RANK: Readonly<Record<Datapath, number>> = {
  SRIOV: 6,
  VHOST_MACVTAP: 5,
  VHOST_BRIDGE: 4,
  VHOST_OVS: 3,
  VIRTIO_USERSPACE: 2,
  E1000: 1,
  RTL8139: 0,
};
export const MAX_DATAPATH_RANK = 6;

/** AUTO tries these in order; RTL8139 only when asked for explicitly. */
export const AUTO_ORDER: readonly Datapath[] = ['SRIOV', 'VHOST_MACVTAP', 'VHOST_BRIDGE', 'VHOST_OVS', 'VIRTIO_USERSPACE', 'E1000'];

/**
 * Relative per-packet cost. The ratios are the doc's qualitative order made explicit:
 * emulation pays a VM exit per register access, QEMU-userspace virtio batches exits but
 * copies through user space, vhost removes QEMU from the path, a VF removes the host.
 */
export const DATAPATH_COST: Readonly<Record<Datapath, DatapathCost>> = {
  SRIOV: { datapath: 'SRIOV', exitsPerPacket: 'NONE', cpusPerFlow: 2, relativeCost: 1 },
  VHOST_MACVTAP: { datapath: 'VHOST_MACVTAP', exitsPerPacket: 'BATCHED_KERNEL', cpusPerFlow: 2, relativeCost: 1.8 },
  VHOST_BRIDGE: { datapath: 'VHOST_BRIDGE', exitsPerPacket: 'BATCHED_KERNEL', cpusPerFlow: 2, relativeCost: 2 },
  VHOST_OVS: { datapath: 'VHOST_OVS', exitsPerPacket: 'BATCHED_KERNEL', cpusPerFlow: 2, relativeCost: 2.2 },
  VIRTIO_USERSPACE: { datapath: 'VIRTIO_USERSPACE', exitsPerPacket: 'BATCHED_USERSPACE', cpusPerFlow: 3, relativeCost: 4 },
  E1000: { datapath: 'E1000', exitsPerPacket: 'MANY', cpusPerFlow: 3, relativeCost: 10 },
  RTL8139: { datapath: 'RTL8139', exitsPerPacket: 'MANY', cpusPerFlow: 3, relativeCost: 12 },
};

/** Which datapaths a network kind can carry at all. */
export function datapathsForKind(kind: NetworkKind): readonly Datapath[] {
  switch (kind) {
    case 'SRIOV_PHYSNET':
      // SR-IOV, or the PF itself as a macvtap parent when no VF can be had.
      return ['SRIOV', 'VHOST_MACVTAP', 'VIRTIO_USERSPACE', 'E1000', 'RTL8139'];
    case 'MACVTAP':
      return ['VHOST_MACVTAP', 'VIRTIO_USERSPACE', 'E1000', 'RTL8139'];
    case 'LINUX_BRIDGE':
      return ['VHOST_BRIDGE', 'VIRTIO_USERSPACE', 'E1000', 'RTL8139'];
    case 'OVS_BRIDGE':
      return ['VHOST_OVS', 'VIRTIO_USERSPACE', 'E1000', 'RTL8139'];
  }
}

export function connectionFor(kind: NetworkKind, datapath: Datapath): InterfaceConnection {
  if (datapath === 'SRIOV') return 'HOSTDEV';
  switch (kind) {
    case 'SRIOV_PHYSNET':
    case 'MACVTAP':
      return 'MACVTAP';
    case 'LINUX_BRIDGE':
      return 'BRIDGE';
    case 'OVS_BRIDGE':
      return 'OVS';
  }
}

export function modelFor(datapath: Datapath): NicModel {
  switch (datapath) {
    case 'E1000':
      return 'e1000';
    case 'RTL8139':
      return 'rtl8139';
    case 'SRIOV':
    case 'VHOST_MACVTAP':
    case 'VHOST_BRIDGE':
    case 'VHOST_OVS':
    case 'VIRTIO_USERSPACE':
      return 'virtio';
  }
}

export function usesVhost(datapath: Datapath): boolean {
  return datapath === 'VHOST_MACVTAP' || datapath === 'VHOST_BRIDGE' || datapath === 'VHOST_OVS';
}

export function needsVirtio(datapath: Datapath): boolean {
  return modelFor(datapath) === 'virtio' && datapath !== 'SRIOV';
}

/** Emulated models have one queue; the rest scale with vCPUs, bounded by NIC queues and the cap. */
export function queuesFor(datapath: Datapath, vcpus: number, nicQueues: number | null, cap: number): number {
  if (datapath === 'E1000' || datapath === 'RTL8139') return 1;
  return Math.max(1, Math.min(vcpus, nicQueues ?? vcpus, cap));
}
