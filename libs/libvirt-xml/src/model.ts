import type { DomainName, IfName, MacAddress, MacvtapMode, PciAddress, VlanId } from '@netpin/contracts';

/**
 * The part of a libvirt domain netpin decides. Everything else libvirt adds on define or
 * start (uuid when absent, currentMemory, aliases, guest PCI addresses, tap names ...) is
 * outside the model and ignored by `parseDomain`. Optional fields are absent, never
 * undefined-valued, so deep equality works on parse results.
 *
 * CPU sets are sorted, de-duplicated host CPU ids; sizes are MiB except page sizes (KiB,
 * the unit libvirt itself reports them in).
 */
export interface DomainSpec {
  /** <domain type>: kvm (absent) or qemu (TCG emulation, for hosts without /dev/kvm). */
  virtType?: 'qemu';
  name: DomainName;
  uuid?: string;
  /** netpin's ownership mark (<metadata><netpin:vm id=..>): the VM this domain was defined for. */
  owner?: DomainOwner;
  memoryMiB: number;
  vcpus: number;
  /** <memoryBacking><hugepages><page size=.. unit='KiB'/>: 2048 or 1048576. */
  hugepageSizeKiB?: number;
  /** <memoryBacking><access mode='shared'/>: guest RAM a userspace switch maps (vhost-user). */
  memoryAccess?: 'shared';
  cputune?: CpuTune;
  /** <numatune><memory mode nodeset/>. */
  numaMemory?: NumaMemory;
  cpu?: GuestCpu;
  interfaces: InterfaceSpec[];
}

export interface CpuTune {
  vcpupins: VcpuPin[];
  emulatorpin?: number[];
}
export interface VcpuPin {
  vcpu: number;
  cpuset: number[];
}

export const NUMA_MEMORY_MODES = ['strict', 'preferred', 'interleave', 'restrictive'] as const;
export type NumaMemoryMode = (typeof NUMA_MEMORY_MODES)[number];
export interface NumaMemory {
  mode: NumaMemoryMode;
  nodeset: number[];
}

export const NETPIN_XML_NAMESPACE = 'https://netpin.dev/xmlns/domain/1';

/**
 * Written into every domain netpin defines; netpin never destroys, undefines, redefines or
 * repairs a domain that lacks it or names another VM (a same-named domain is someone else's).
 */
export interface DomainOwner {
  vmId: string;
}

export const GUEST_CPU_MODES = ['host-passthrough', 'host-model', 'custom'] as const;
export type GuestCpuModeXml = (typeof GUEST_CPU_MODES)[number];
export const FEATURE_POLICIES = ['force', 'require', 'optional', 'disable', 'forbid'] as const;
export interface CpuFeatureXml {
  name: string;
  policy: (typeof FEATURE_POLICIES)[number];
}

export interface GuestCpu {
  mode: GuestCpuModeXml;
  /** <model fallback='allow'>: only with mode custom. */
  model?: string;
  /** <feature policy name/>, sorted by name. */
  features?: CpuFeatureXml[];
  topology?: CpuTopology;
  /** Guest NUMA cells (<cpu><numa><cell>); cpus are guest vCPU ids. */
  cells?: NumaCell[];
}
export interface CpuTopology {
  sockets: number;
  cores: number;
  threads: number;
}
export interface NumaCell {
  id: number;
  cpus: number[];
  memoryMiB: number;
}

export const NIC_MODELS = ['virtio', 'e1000', 'rtl8139'] as const;
export type NicModel = (typeof NIC_MODELS)[number];

/** vhost = in-kernel virtio backend (optionally multiqueue); qemu = userspace virtio. */
export type NicDriver = { name: 'vhost'; queues?: number } | { name: 'qemu' };

/**
 * virtio-net failover (libvirt <teaming>): the persistent virtio interface carries a user
 * alias "ua-..." that the transient hostdev names; both share one MAC.
 */
export type Teaming = { type: 'persistent' } | { type: 'transient'; persistent: string };

interface InterfaceCommon {
  mac: MacAddress;
  /** User alias; libvirt only keeps aliases starting with "ua-". */
  alias?: string;
  teaming?: Teaming;
}

/**
 * libvirt `<bandwidth>` of a tap or macvtap interface (inbound = towards the guest, outbound =
 * from it). Rates are libvirt's "kilobytes per second", handed to tc as `kbps`, which tc
 * reads as 1000 bytes/s: 1 Mbit/s is 125 (seen on the real tier: average 125000 became an
 * htb class of rate 1Gbit). burst is in kilobytes. `floor` is left out: libvirt 9.0 takes
 * it only on interfaces of a libvirt <network>, and refuses it on type bridge and direct.
 */
export interface Bandwidth {
  inbound?: BandwidthRate;
  outbound?: BandwidthRate;
}
export interface BandwidthRate {
  average: number;
  peak?: number;
  burst?: number;
}

interface EmulatedNic {
  model: NicModel;
  driver?: NicDriver;
  bandwidth?: Bandwidth;
}

/** SR-IOV VF passed through with VFIO (<interface type='hostdev' managed='yes'>). */
export interface HostdevInterface extends InterfaceCommon {
  type: 'hostdev';
  pciAddress: PciAddress;
  vlan?: VlanId;
}

/** macvtap on a host NIC (<interface type='direct'>). */
export interface DirectInterface extends InterfaceCommon, EmulatedNic {
  type: 'direct';
  sourceDev: IfName;
  mode: MacvtapMode;
}

/** tap on a Linux bridge, or on an Open vSwitch bridge when `openvswitch` is set. */
export interface BridgeInterface extends InterfaceCommon, EmulatedNic {
  type: 'bridge';
  bridge: IfName;
  openvswitch?: boolean;
  /** Only Open vSwitch ports take a VLAN tag. */
  vlan?: VlanId;
  /** A VLAN trunk on the Open vSwitch port (never together with vlan). */
  trunk?: VlanTrunk;
  /** <mtu size>: the tap's MTU (libvirt 9.0 refuses it on type direct and hostdev). */
  mtu?: number;
}

/**
 * `<vlan trunk='yes'><tag id='10'/><tag id='30' nativeMode='untagged'/></vlan>`: the VLANs the
 * port trunks, ascending, the native one (the guest's untagged traffic, or tagged with mode
 * `tagged`) among them. libvirt hands them to Open vSwitch as trunks=…, tag=native and
 * vlan_mode=native-untagged|native-tagged.
 */
export interface VlanTrunk {
  tags: VlanId[];
  native?: { id: VlanId; mode: 'untagged' | 'tagged' };
}

/**
 * vhost-user (<interface type='vhostuser'>): the virtio rings served by a userspace switch over
 * a unix socket. mode server = QEMU creates the socket and the switch's dpdkvhostuserclient
 * port connects to it. Always virtio; `<driver queues>` sets multiqueue (no backend name).
 */
export interface VhostUserInterface extends InterfaceCommon {
  type: 'vhostuser';
  socketPath: string;
  mode: 'server' | 'client';
  model: 'virtio';
  queues?: number;
  /** <mtu size>: QEMU's host_mtu, the MTU the guest is told (the switch port's own is the agent's: mtu_request). */
  mtu?: number;
}

/**
 * vDPA (<interface type='vdpa'>): a vdpa device's character device (/dev/vhost-vdpa-N) that
 * QEMU's vhost-vdpa backend drives; the NIC serves the virtio rings. Always virtio;
 * `<driver queues>` sets multiqueue. libvirt 9.0 refuses <mtu> on it (the device's MTU is set
 * at `vdpa dev add`), and takes <vlan>/<bandwidth> without applying them (no tap, no switch
 * port): the VF's VLAN and rates are set on the PF instead.
 */
export interface VdpaInterface extends InterfaceCommon {
  type: 'vdpa';
  sourceDev: string;
  model: 'virtio';
  queues?: number;
}

export type InterfaceSpec = HostdevInterface | DirectInterface | BridgeInterface | VhostUserInterface | VdpaInterface;

/** A domain XML did not fit the model (code is stable for the agent's error mapping). */
export class LibvirtXmlError extends Error {
  readonly code = 'LIBVIRT_XML_INVALID';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'LibvirtXmlError';
  }
}
