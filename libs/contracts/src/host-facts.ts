import { z } from 'zod';
import { OVS_DATAPATH_TYPES } from './datapaths/definition';
import { VLAN_PROTOCOLS, type NetworkKind } from './enums';
import { vdpaDeviceNameSchema, vdpaMgmtdevSchema } from './vdpa';
import { anyMacSchema, hostTextSchema, ifNameSchema, pciAddressSchema } from './values';

/**
 * What discovery learns about a hypervisor (docs/datapaths.md,
 * "Inventory"). Built by @netpin/host-ops `assembleFacts` from raw command output, persisted
 * by the API as JSON and read back through this schema, so every field is plain JSON.
 * Sizes are KiB and rates Mbit/s, as the kernel reports them.
 */
const uint = z.number().int().min(0);
const cpuIds = z.array(uint);

/** One logical CPU (a hyperthread) and where it sits. */
export const hostCpuSchema = z.object({
  cpu: uint,
  /** Core id as lscpu numbers it: unique across sockets. */
  core: uint,
  socket: uint,
  node: uint,
  /** All logical CPUs on the same core, this one included. */
  siblings: cpuIds,
});
export type HostCpu = z.output<typeof hostCpuSchema>;

export const hugepagePoolSchema = z.object({
  sizeKiB: z.number().int().positive(),
  total: uint,
  free: uint,
});
export type HugepagePool = z.output<typeof hugepagePoolSchema>;

export const numaNodeFactsSchema = z.object({
  id: uint,
  cpus: cpuIds,
  memTotalKiB: uint,
  memFreeKiB: uint,
  hugepages: z.array(hugepagePoolSchema),
});
export type NumaNodeFacts = z.output<typeof numaNodeFactsSchema>;

export const VF_LINK_STATES = ['auto', 'enable', 'disable'] as const;
export type VfLinkState = (typeof VF_LINK_STATES)[number];

/** A virtual function as the PF driver reports it (`ip link show` vf lines + virtfnN links). */
export const vfFactsSchema = z.object({
  index: uint,
  /** From the PF's device/virtfnN symlink; null when the link was not readable. */
  pciAddress: pciAddressSchema.nullable(),
  /** 00:00:00:00:00:00 when unset. */
  mac: anyMacSchema,
  /** 0 when untagged. */
  vlan: uint,
  qos: uint,
  /** The tag's ethertype: iproute2 prints ", vlan protocol 802.1ad" only when it is not 802.1Q. */
  vlanProtocol: z.enum(VLAN_PROTOCOLS).default('DOT1Q'),
  /** null when the driver does not report the attribute. */
  spoofChk: z.boolean().nullable(),
  trust: z.boolean().nullable(),
  linkState: z.enum(VF_LINK_STATES).nullable(),
  /** 0 means unlimited. */
  maxTxRateMbps: uint,
  minTxRateMbps: uint,
});
export type VfFacts = z.output<typeof vfFactsSchema>;

/** A NIC hardware queue interrupt (RSS queue), with its current affinity. */
export const nicQueueIrqSchema = z.object({
  irq: uint,
  /** Action name from /proc/interrupts, e.g. "i40e-ens1f0-TxRx-3". */
  name: hostTextSchema(128),
  queue: uint,
  /** From /proc/irq/N/smp_affinity_list; null when it was not readable. */
  affinity: cpuIds.nullable(),
});
export type NicQueueIrq = z.output<typeof nicQueueIrqSchema>;

export const nicChannelsSchema = z.object({
  maxCombined: uint,
  combined: uint,
  maxRx: uint,
  rx: uint,
  maxTx: uint,
  tx: uint,
});
export type NicChannels = z.output<typeof nicChannelsSchema>;

export const nicFactsSchema = z.object({
  name: ifNameSchema,
  pciAddress: pciAddressSchema,
  driver: hostTextSchema(64).nullable(),
  /** PCI vendor and device id from sysfs device/vendor and device/device ("0x8086" -> "8086"). */
  vendorId: z
    .string()
    .regex(/^[0-9a-f]{4}$/)
    .nullable()
    .default(null),
  deviceId: z
    .string()
    .regex(/^[0-9a-f]{4}$/)
    .nullable()
    .default(null),
  mac: anyMacSchema,
  mtu: z.number().int().positive(),
  /** The most the driver takes (`ip -d link` maxmtu); null when ip does not say. */
  maxMtu: uint.nullable().default(null),
  operState: hostTextSchema(32),
  /** null when the link is down or the driver does not say. */
  speedMbps: uint.nullable(),
  /** null when the platform has no NUMA information (sysfs numa_node is -1). */
  numaNode: uint.nullable(),
  /** Set when this netdev is itself a VF of a PF on the same host. */
  vfOf: z.object({ pf: ifNameSchema, index: uint }).nullable(),
  /** From `ethtool -l`; null when the driver does not support it. */
  channels: nicChannelsSchema.nullable(),
  rxQueues: uint,
  txQueues: uint,
  /** Per receive queue RPS CPUs (empty list = RPS off). */
  rps: z.array(z.object({ queue: uint, cpus: cpuIds })),
  irqs: z.array(nicQueueIrqSchema),
  /** Every VF of it is a vdpa management device (`vdpa mgmtdev show` lists pci/<VF address>): vDPA can use them. */
  vdpaVfs: z.boolean().default(false),
  /** null when the device is not SR-IOV capable. */
  sriov: z
    .object({
      totalVfs: uint,
      numVfs: uint,
      vfs: z.array(vfFactsSchema),
    })
    .nullable(),
});
export type NicFacts = z.output<typeof nicFactsSchema>;

export const hostCapabilitiesSchema = z.object({
  /** Hardware virtualisation extension from /proc/cpuinfo flags. */
  virtExtension: z.enum(['vmx', 'svm']).nullable(),
  /** EPT (Intel) or NPT (AMD) second-level address translation. */
  secondLevelPaging: z.boolean(),
  /** An IOMMU is registered (/sys/class/iommu non-empty). */
  iommu: z.boolean(),
  /** The kernel command line asks for it (intel_iommu=on, amd_iommu=on, iommu=pt ...). */
  iommuOnCmdline: z.boolean(),
  kvm: z.boolean(),
  vhostNet: z.boolean(),
  vfio: z.boolean(),
  /** Open vSwitch runs: `ovs-vsctl list-br` answered (absent or failing = not running). */
  ovs: z.boolean(),
  /** OVS initialised DPDK (`ovs-vsctl get Open_vSwitch . dpdk_initialized` is true). */
  ovsDpdk: z.boolean().default(false),
  /** The vhost_vdpa driver is registered on the vdpa bus (/sys/bus/vdpa/drivers/vhost_vdpa). */
  vhostVdpa: z.boolean().default(false),
  hugepageSizesKiB: z.array(z.number().int().positive()),
});
export type HostCapabilities = z.output<typeof hostCapabilitiesSchema>;

export const HOST_BRIDGE_KINDS = ['LINUX', 'OVS'] as const;
export type HostBridgeKind = (typeof HOST_BRIDGE_KINDS)[number];

/**
 * A bridge a network can name: a Linux bridge (`ip -d link show` kind `bridge`) or an Open
 * vSwitch bridge (`ovs-vsctl list-br`, only while OVS runs). Stored in Host.bridges.
 */
export const hostBridgeSchema = z.object({
  name: ifNameSchema,
  kind: z.enum(HOST_BRIDGE_KINDS),
  /** OVS bridges: `system` (kernel) or `netdev` (userspace, DPDK); null for Linux bridges and when unknown (= system). */
  datapathType: z.enum(OVS_DATAPATH_TYPES).nullable().default(null),
});
export type HostBridge = z.output<typeof hostBridgeSchema>;
export const hostBridgesSchema = z.array(hostBridgeSchema);

/** The bridge kind a network kind is carried by (LINUX_BRIDGE and OVS_BRIDGE networks name one). */
export const NETWORK_BRIDGE_KINDS: Readonly<Partial<Record<NetworkKind, HostBridgeKind>>> = { LINUX_BRIDGE: 'LINUX', OVS_BRIDGE: 'OVS' };

/**
 * A libvirt domain on the host without netpin's ownership mark (someone else's VM) and what
 * it holds: placement never gives those CPUs or VFs to a netpin VM. Stored in Host.foreignDomains.
 */
export const foreignDomainSchema = z.object({
  name: hostTextSchema(256),
  /** Host CPUs it is pinned to: every <vcpupin>, <emulatorpin>, <iothreadpin> and <vcpu cpuset>. Empty = not pinned. */
  cpus: cpuIds,
  /** PCI addresses of the host devices passed to it (<hostdev> and <interface type='hostdev'>): VFs among them. */
  pciDevices: z.array(pciAddressSchema),
});
export type ForeignDomain = z.output<typeof foreignDomainSchema>;
export const foreignDomainsSchema = z.array(foreignDomainSchema);

export const hostFactsSchema = z.object({
  cpus: z.array(hostCpuSchema),
  numaNodes: z.array(numaNodeFactsSchema),
  nics: z.array(nicFactsSchema),
  bridges: hostBridgesSchema.default([]),
  foreignDomains: foreignDomainsSchema.default([]),
  /** CPUs OVS-DPDK's PMD threads run on (other_config:pmd-cpu-mask, or its default); empty without OVS-DPDK. */
  pmdCpus: cpuIds.default([]),
  /** vdpa management devices (`vdpa -j mgmtdev show`) and vdpa devices (`vdpa -j dev show`); empty without the vdpa bus. */
  vdpa: z
    .object({
      mgmtdevs: z.array(vdpaMgmtdevSchema).max(4096),
      devices: z.array(z.object({ name: vdpaDeviceNameSchema, mgmtdev: vdpaMgmtdevSchema })).max(4096),
    })
    .default({ mgmtdevs: [], devices: [] }),
  capabilities: hostCapabilitiesSchema,
});
export type HostFacts = z.output<typeof hostFactsSchema>;
