import type { Datapath, ExitClass, InterfaceConnection, NetworkKind, NicModel, VlanProtocol } from '../enums';
import type { FleetHostCapabilities } from '../placement';
import type { SharedReasonCode } from './shared';
import type { VfKnob } from './vf-drivers';

/**
 * Everything netpin knows about one datapath, declared in that datapath's own module
 * (libs/contracts/src/datapaths/<name>.ts). Code elsewhere reads these fields through the
 * registry or keeps tables typed `Record<Datapath, …>`, so a new datapath does not compile
 * until every place handles it (docs/placement.md "Adding a datapath").
 *
 * `R` is the datapath's own reason codes: the keys of `reasons`. Codes several datapaths
 * share (a missing /dev/vhost-net, no free VF ...) live in ./shared.ts.
 */
export interface DatapathDefinition<D extends Datapath = Datapath, R extends string = string> {
  readonly id: D;
  /** AUTO preference and the datapath weigher's value: higher is faster; unique. */
  readonly rank: number;
  /** AUTO tries it; false = only when asked for by name. */
  readonly auto: boolean;
  /** Network kinds that can carry it, and how the guest interface is connected there. */
  readonly connections: Readonly<Partial<Record<NetworkKind, InterfaceConnection>>>;
  /** Drivers the guest must have. */
  readonly guest: readonly GuestNeed[];
  /** Host capabilities (found by discovery) it cannot run without, each with its reason. */
  readonly host: readonly HostNeed<R>[];
  /** What it takes from a NIC carrying the network: a free VF of it, or nothing of its own. */
  readonly nicResource: NicResource;
  /** VF knobs an interface's request needs from the PF's driver (VF datapaths), each with its reason. */
  readonly vfDriverNeeds: readonly VfDriverNeed<R>[];
  /** How it appears in libvirt XML besides the connection's interface type. */
  readonly xml: InterfaceXml;
  /** Per connection, how a network's VLAN trunk reaches the interface; a connection not listed cannot carry one. */
  readonly vlanTrunk: VlanTrunkSupport;
  /** The VLAN protocols it can tag the network's VLAN with (802.1ad also needs its VF knob, vfDriverNeeds). */
  readonly vlanProtocols: readonly VlanProtocol[];
  /** How the host enforces an interface's minBandwidthMbps and maxBandwidthMbps. */
  readonly bandwidth: BandwidthEnforcement;
  /** What the guest's memory must be: anything, or shared huge pages a userspace switch can map. */
  readonly memory: MemoryNeed<R>;
  /** The datapath type the network's Open vSwitch bridge must have on the host (OVS connections), or null. */
  readonly ovsBridge: OvsBridgeNeed<R> | null;
  /** Capacity it takes on the VM's NUMA node besides CPUs and memory: one PMD slot per queue, or nothing. */
  readonly switchResource: SwitchResource<R>;
  /** Queues scale with vCPUs (virtio multiqueue), or one queue (emulated models). */
  readonly multiqueue: boolean;
  /** Predicted cost per packet (docs/datapaths.md, "Cost and performance"). */
  readonly cost: { readonly exitsPerPacket: ExitClass; readonly cpusPerFlow: number; readonly relativeCost: number };
  readonly liveMigration: LiveMigration<R>;
  /** What the agent sets up on the host before the domain is defined, and resets on teardown. */
  readonly hostSetup: HostSetup;
  /** Reason codes only this datapath produces, with the one-line description operators see. */
  readonly reasons: Readonly<Record<R, string>>;
  /** CLI spellings (`--net physnet0:<alias>`); the first is the canonical one. */
  readonly cli: { readonly aliases: readonly [string, ...string[]] };
  /** Web UI / API wording. */
  readonly ui: { readonly label: string; readonly help: string };
}

export type HostCapabilityKey = keyof FleetHostCapabilities;

/** Guest drivers a datapath may need: virtio-net, or the VF's own driver (VmRequest.guest keys). */
export const GUEST_NEEDS = ['virtio', 'vfDriver'] as const;
export type GuestNeed = (typeof GUEST_NEEDS)[number];

export interface HostNeed<R extends string = string> {
  readonly capability: HostCapabilityKey;
  readonly reason: R | SharedReasonCode;
  /** Detail line of the rejection, e.g. "VHOST_BRIDGE needs /dev/vhost-net". */
  readonly detail: string;
}

/**
 * VF: a free VF of a NIC carrying the network. VDPA_VF: a free VF of a NIC whose VFs are vdpa
 * management devices (`vdpa mgmtdev show` lists `pci/<VF address>`: mlx5_vdpa, ifcvf).
 */
export type NicResource = 'VF' | 'VDPA_VF' | 'NONE';
/** It takes a VF (of any kind) from its NIC: the VF pool, VF knobs and VF release apply. */
export function takesVf(r: NicResource): boolean {
  return r !== 'NONE';
}

/**
 * A request field that, when non-zero, the agent carries out with a VF knob (`minBandwidthMbps`
 * becomes the VF's min_tx_rate): a PF whose driver refuses the knob (VF_DRIVER_CAPABILITIES)
 * cannot take the interface.
 */
export interface VfDriverNeed<R extends string = string> {
  /** minBandwidthMbps non-zero, or vlanProtocol DOT1AD on a network (or interface) with a VLAN. */
  readonly field: 'minBandwidthMbps' | 'vlanProtocol';
  readonly knob: VfKnob;
  readonly reason: R | SharedReasonCode;
}

/**
 * A VLAN trunk (several 802.1Q VLANs tagged to the guest, optionally one native VLAN it sends
 * and receives untagged or tagged) per connection:
 * - LIBVIRT_VLAN: libvirt `<vlan trunk='yes'><tag id=…/><tag id=… nativeMode=…/></vlan>`, which
 *   libvirt turns into the OVS port's trunks/tag/vlan_mode when it plugs the tap in;
 * - OVS_PORT: the agent sets trunks/tag/vlan_mode on the vhost-user port it creates (libvirt does
 *   not manage a vhost-user port's switch side).
 * libvirt 9.0 defines `<vlan>` on any interface type but refuses it when the domain starts on a
 * Linux-bridge tap or a non-passthrough macvtap ("vlan tag not supported for this connection
 * type"), and on a VF refuses trunks ("vlan trunking is not supported by SR-IOV network
 * devices"): those connections are left out, and placement refuses them (VLAN_TRUNK_UNSUPPORTED).
 */
export type VlanTrunkSupport = Readonly<Partial<Record<InterfaceConnection, 'LIBVIRT_VLAN' | 'OVS_PORT'>>>;
/** Taps on an Open vSwitch bridge carry trunks through libvirt; nothing else does. */
export const OVS_TAP_TRUNK: VlanTrunkSupport = { OVS: 'LIBVIRT_VLAN' };

/**
 * SHARED_HUGEPAGES: guest RAM on huge pages mapped shared (`<memoryBacking><hugepages/><access
 * mode='shared'/>`), because a userspace switch reads and writes the virtio rings in it. A
 * request without huge pages cannot have the datapath (`reason`, request-level).
 */
export type MemoryNeed<R extends string = string> = { readonly kind: 'ANY' } | { readonly kind: 'SHARED_HUGEPAGES'; readonly reason: R };

/** OVS bridge datapaths: `system` = the kernel module, `netdev` = the userspace (DPDK) datapath. */
export const OVS_DATAPATH_TYPES = ['system', 'netdev'] as const;
export type OvsDatapathType = (typeof OVS_DATAPATH_TYPES)[number];
export interface OvsBridgeNeed<R extends string = string> {
  readonly datapathType: OvsDatapathType;
  readonly reason: R;
}

/**
 * PMD: the userspace switch's poll-mode threads poll each of the interface's queues; PMD cores
 * on the VM's home node give `pmdQueuesPerCore` slots each (placement options). `noPmd` when
 * the node has no PMD core at all, `exhausted` when its slots are taken.
 */
export type SwitchResource<R extends string = string> =
  { readonly kind: 'NONE' } | { readonly kind: 'PMD'; readonly noPmd: R; readonly exhausted: R };

/**
 * libvirt interface details the datapath decides: the guest model and the backend driver.
 * HOSTDEV interfaces have neither (the guest sees the VF itself). `vhost` = the in-kernel
 * virtio backend, whose threads run on the node's I/O CPUs; `qemu` = virtio in QEMU;
 * `vhost-user` = the virtio rings served by a userspace switch over a unix socket;
 * `vhost-vdpa` = the virtio rings served by the NIC itself through a vhost-vdpa character device.
 */
export type InterfaceXml =
  | { readonly kind: 'hostdev' }
  | { readonly kind: 'emulated'; readonly model: NicModel; readonly driver: 'vhost' | 'qemu' | 'vhost-user' | 'vhost-vdpa' | null };

/**
 * NATIVE: libvirt migrates the interface as it is (a tap: the target's XML names its own
 * bridge or macvtap parent). COLD_ONLY: never live (a device netpin would have to create on the
 * target first). FAILOVER: only with a libvirt <teaming> virtio backup (the first
 * of `backups` the host can give); the guest then needs virtio, else `reason`. An interface
 * placed without the backup refuses live migration with `unpaired` (a cold one moves it).
 */
export type LiveMigration<R extends string = string> =
  | { readonly kind: 'NATIVE' }
  /**
   * Never live: placement refuses it for a liveMigratable interface (`reason`), and migrateVm
   * refuses LIVE for an interface placed with it (`refusal`); COLD re-places it.
   */
  | {
      readonly kind: 'COLD_ONLY';
      readonly reason: R;
      readonly refusal: { readonly code: string; readonly description: string };
    }
  | {
      readonly kind: 'FAILOVER';
      readonly backups: readonly Datapath[];
      readonly reason: R | SharedReasonCode;
      /** migrateVm's refusal (LIVE) of an interface placed without the backup: a code of its own, not placement's. */
      readonly unpaired: { readonly code: string; readonly description: string };
    };

/**
 * Bandwidth as the host can enforce it (docs/datapaths.md, "Bandwidth and MTU"). Placement
 * reserves minBandwidthMbps from the chosen NIC's speed for every datapath; on the host:
 * - VF_MIN_TX_RATE / VF_MAX_TX_RATE: the VF's `min_tx_rate` / `max_tx_rate` (what the PF's
 *   driver takes: VF_DRIVER_CAPABILITIES);
 * - RESERVED_ONLY: nothing enforces the minimum. libvirt's `floor` would, but only on an
 *   interface of a libvirt `<network>`; libvirt 9.0 refuses it on type bridge and direct
 *   ("floor attribute is not supported for this config"), the types netpin defines;
 * - LIBVIRT_OUTBOUND: libvirt `<bandwidth><outbound average=…>` on the tap or macvtap (the
 *   guest's transmit, as a VF's max_tx_rate is), which libvirt turns into a tc policer.
 * - OVS_INGRESS_POLICING: the vhost-user port's `ingress_policing_rate` (kbit/s; the guest's
 *   transmit is the port's ingress), set by the agent with the port; libvirt has no
 *   `<bandwidth>` for type vhostuser.
 */
export interface BandwidthEnforcement {
  readonly min: 'VF_MIN_TX_RATE' | 'RESERVED_ONLY';
  readonly max: 'VF_MAX_TX_RATE' | 'LIBVIRT_OUTBOUND' | 'OVS_INGRESS_POLICING';
}
/** The tap-based datapaths' bandwidth: the maximum in libvirt XML, the minimum only reserved. */
export const TAP_BANDWIDTH: BandwidthEnforcement = { min: 'RESERVED_ONLY', max: 'LIBVIRT_OUTBOUND' };
/**
 * How a network's MTU reaches an interface of each connection type. LIBVIRT_MTU: libvirt
 * `<mtu size=…>` sets the tap's MTU (and tells a virtio guest through host_mtu). NIC_MTU:
 * libvirt 9.0 refuses `<mtu>` on type direct and hostdev ("setting MTU on interface type …
 * is not supported yet"); a macvtap device takes its lower device's MTU and a VF cannot
 * exceed its PF's, so the NIC's own MTU must already be at least the network's.
 */
export const CONNECTION_MTU: Readonly<Record<InterfaceConnection, 'LIBVIRT_MTU' | 'NIC_MTU'>> = {
  HOSTDEV: 'NIC_MTU',
  MACVTAP: 'NIC_MTU',
  BRIDGE: 'LIBVIRT_MTU',
  OVS: 'LIBVIRT_MTU',
  VHOSTUSER: 'LIBVIRT_MTU',
  // libvirt 9.0 refuses <mtu> on type vdpa too (same message); the agent gives the vdpa device the MTU.
  VDPA: 'NIC_MTU',
};
/**
 * VF: `ip link set PF vf N mac … vlan … rate …` before define, clean defaults on teardown.
 * VHOSTUSER_PORT: a dpdkvhostuserclient port on the OVS bridge before define, removed on teardown.
 * VDPA_DEVICE: the VF's attributes as for VF, then `vdpa dev add` on the VF's management device
 * before define (its /dev/vhost-vdpa-N goes into the domain XML), `vdpa dev del` on teardown.
 */
export type HostSetup = 'NONE' | 'VF' | 'VHOSTUSER_PORT' | 'VDPA_DEVICE';

/**
 * The host setups the agent makes outside vm.apply, on a running VM's host (vm.attachInterface)
 * and on a migration's target (vm.migrate): a VF's attributes and a vhost-user port. A vdpa
 * device is made only by vm.apply, before define, so a datapath needing one (VDPA_DEVICE) is
 * neither hot-plugged nor migrated.
 */
export const SETUPS_BEYOND_APPLY: ReadonlySet<HostSetup> = new Set<HostSetup>(['NONE', 'VF', 'VHOSTUSER_PORT']);

/** Identity with the literal types kept, so the registry can derive the reason codes. */
export function defineDatapath<D extends Datapath, R extends string = never>(d: DatapathDefinition<D, R>): DatapathDefinition<D, R> {
  return d;
}
