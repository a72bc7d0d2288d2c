import { z } from 'zod';
import {
  CPU_POLICIES,
  CPU_ROLES,
  DATAPATH_REQUESTS,
  DATAPATHS,
  EMULATOR_THREAD_POLICIES,
  EXIT_CLASSES,
  HOST_STATES,
  INTERFACE_CONNECTIONS,
  HUGEPAGE_SIZES,
  MACVTAP_MODES,
  NATIVE_VLAN_MODES,
  NETWORK_KINDS,
  NUMA_POLICIES,
  PLAN_NIC_MODELS,
  THREAD_POLICIES,
  VF_STATES,
  VLAN_PROTOCOLS,
} from './enums';
import { DATAPATH_REASONS, SHARED_REASONS, type DatapathReasonCode, type SharedReasonCode } from './datapaths';
import { VIRT_TYPES } from './guest-cpu';
import { fleetGroupSchema } from './groups';
import { foreignDomainSchema, hostBridgeSchema } from './host-facts';
import { domainNameSchema, macAddressSchema, mtuSchema, trunkVlanIdSchema, trunkVlansSchema, vlanIdSchema } from './values';

/**
 * Placement contracts: the fleet snapshot the engine reads, the VM request it answers,
 * and the plan or reasoned rejection it returns (libs/placement, docs/placement.md).
 */

// ---------------------------------------------------------------------------------------
// Reason codes. Stable strings: the API, the UI and operators' scripts match on them, so
// never rename one. Codes one datapath owns are declared in its module (./datapaths), codes
// several share in ./datapaths/shared.ts, the rest here.

/** One line per code, for operators; docs/placement.md ties each to its rule. */
export const CORE_REASONS = {
  NETWORK_UNKNOWN: 'an interface names a network that does not exist',
  DATAPATH_NOT_SUPPORTED_BY_NETWORK: "the explicit datapath cannot be built on that network's kind",
  NO_HOSTS: 'the fleet has no hosts',
  HOST_NOT_REQUESTED: 'the request pins another host',
  HOST_AVOIDED: 'the request lists this host in avoidHosts',
  HOST_IN_MAINTENANCE: 'the host is in maintenance',
  HOST_NOT_READY: 'the host is registered or still being discovered',
  HOST_UNREACHABLE: 'the host is unreachable',
  HOST_LACKS_VIRTUALIZATION: 'no VT-x (vmx) or no /dev/kvm on the host',
  NETWORK_NOT_ON_HOST: 'the network is not mapped to any NIC on this host',
  OVS_UNAVAILABLE: 'the network is an OVS bridge but the host runs no Open vSwitch',
  BRIDGE_NOT_ON_HOST: "discovery found no bridge of the network's name and kind (Linux or OVS) on the host",
  NIC_BANDWIDTH_EXHAUSTED: "the NIC's speed minus bandwidth already promised is below minBandwidthMbps",
  NIC_MAX_MTU_BELOW_NETWORK: "the network's MTU is above the most the NIC can take (its maxmtu in ip -d link)",
  NIC_MTU_BELOW_NETWORK: "the NIC's MTU is below the network's: a VF, a macvtap device or a bridge's uplink carries no more than it",
  NICS_ON_DIFFERENT_NUMA_NODES: 'under numaPolicy REQUIRED, the NICs the interfaces need sit on different NUMA nodes',
  INSUFFICIENT_DEDICATED_CPUS_ON_NIC_NODE: "not enough free CPUs on the NUMA node of the VM's NIC",
  INSUFFICIENT_DEDICATED_CPUS: 'not enough free CPUs on any usable NUMA node',
  INSUFFICIENT_SHARED_CPU_CAPACITY: 'the shared CPU pool of the node is full at the configured overcommit ratio',
  THREAD_POLICY_NEEDS_SMT: 'threadPolicy REQUIRE needs hyperthread siblings; the host has one thread per core',
  INSUFFICIENT_SIBLING_PAIRS: 'threadPolicy REQUIRE: not enough cores with both siblings free',
  INSUFFICIENT_ISOLATED_CORES: 'threadPolicy ISOLATE: not enough cores with every sibling free',
  NO_CPU_FOR_NIC_IRQS: 'no free CPU left on the node for the NIC interrupts (or the I/O CPU share is zero)',
  MEMORY_ON_NODE: 'not enough free memory on the NUMA node',
  INSUFFICIENT_MEMORY: 'not enough free memory on the host',
  HUGEPAGES_ON_NODE: 'not enough free hugepages of the requested size on the NUMA node',
  GROUP_UNKNOWN: 'the request names an affinity group that does not exist',
  GROUP_ANTI_AFFINITY: 'hard anti-affinity: the host already runs maxPerHost members of the group',
  GROUP_AFFINITY: "hard affinity: the group's members run on another host",
} as const;

export type ReasonCode = keyof typeof CORE_REASONS | SharedReasonCode | DatapathReasonCode;

/** Every code with its one-line description. */
export const REASON_DESCRIPTIONS: Readonly<Record<ReasonCode, string>> = { ...CORE_REASONS, ...SHARED_REASONS, ...DATAPATH_REASONS };

/** Core codes first, then shared ones, then each datapath's in registry order (rejection summaries break ties in this order). */
export const REASON_CODES: readonly ReasonCode[] = Object.keys(REASON_DESCRIPTIONS).filter(
  (c): c is ReasonCode => c in REASON_DESCRIPTIONS,
);

// ---------------------------------------------------------------------------------------
// Fleet snapshot.

/** Roles a CPU can be held for. ISOLATION = a sibling kept idle for threadPolicy ISOLATE. */
export const CPU_OWNER_ROLES = [...CPU_ROLES, 'ISOLATION'] as const;
export type CpuOwnerRole = (typeof CPU_OWNER_ROLES)[number];
export const PAGED_HUGEPAGE_SIZES = ['SIZE_2M', 'SIZE_1G'] as const;
export type PagedHugepageSize = (typeof PAGED_HUGEPAGE_SIZES)[number];
export const HUGEPAGE_MIB: Readonly<Record<PagedHugepageSize, number>> = { SIZE_2M: 2, SIZE_1G: 1024 };

const id = z.string().min(1).max(128);
const count = z.number().int().min(0);

/** The fastest link an interface's bandwidth may name (400GbE). */
export const MAX_BANDWIDTH_MBPS = 400_000;

export const fleetCpuOwnerSchema = z.object({ vmId: id, role: z.enum(CPU_OWNER_ROLES) });
export type FleetCpuOwner = z.output<typeof fleetCpuOwnerSchema>;

export const fleetCpuSchema = z.object({
  id: count,
  socket: count,
  core: count,
  numaNode: count,
  /** Every hyperthread of the core, this CPU included. */
  siblings: z.array(count),
  reservedForHost: z.boolean(),
  owner: fleetCpuOwnerSchema.nullable(),
});
export type FleetCpu = z.output<typeof fleetCpuSchema>;

export const fleetHugepagePoolSchema = z.object({ size: z.enum(PAGED_HUGEPAGE_SIZES), total: count, free: count });
export type FleetHugepagePool = z.output<typeof fleetHugepagePoolSchema>;

export const fleetNumaNodeSchema = z.object({
  index: count,
  memoryMiB: count,
  /** Memory still free for placement (excludes hugepage pools and every allocation). */
  memoryFreeMiB: count,
  hugepages: z.array(fleetHugepagePoolSchema),
});
export type FleetNumaNode = z.output<typeof fleetNumaNodeSchema>;

export const fleetVfSchema = z.object({
  index: count,
  pciAddress: z.string(),
  state: z.enum(VF_STATES),
  ownerVmId: id.nullable(),
});
export type FleetVf = z.output<typeof fleetVfSchema>;

export const fleetNicSchema = z.object({
  id,
  name: z.string().min(1),
  pciAddress: z.string(),
  /** The PF's kernel driver (uevent DRIVER=); what its VFs can be given follows VF_DRIVER_CAPABILITIES. */
  driver: z.string().nullable().default(null),
  /** -1 when the platform reports no NUMA affinity. */
  numaNode: z.number().int().min(-1),
  speedMbps: count,
  /** The NIC's MTU now, and the most its driver takes (ip -d link maxmtu); null = not discovered, not checked. */
  mtu: count.nullable().default(null),
  maxMtu: count.nullable().default(null),
  combinedQueues: z.object({ current: count, max: count }),
  queueIrqs: z.array(z.object({ irq: count, queue: count })),
  sriovTotalVfs: count,
  sriovNumVfs: count,
  vfs: z.array(fleetVfSchema),
  /** Its VFs are vdpa management devices (`vdpa mgmtdev show` lists pci/<VF address> for each): a VDPA interface can take one. */
  vdpaVfs: z.boolean().default(false),
});
export type FleetNic = z.output<typeof fleetNicSchema>;

export const fleetHostCapabilitiesSchema = z.object({
  vmx: z.boolean(),
  ept: z.boolean(),
  iommu: z.boolean(),
  kvm: z.boolean(),
  vhostNet: z.boolean(),
  ovs: z.boolean(),
  /** Open vSwitch with DPDK initialised (userspace datapath, vhost-user ports). */
  ovsDpdk: z.boolean().default(false),
  /** The vhost_vdpa driver is loaded: a vdpa device gets a /dev/vhost-vdpa-N for QEMU. */
  vhostVdpa: z.boolean().default(false),
});
export type FleetHostCapabilities = z.output<typeof fleetHostCapabilitiesSchema>;

export const fleetHostSchema = z.object({
  id,
  name: z.string().min(1),
  state: z.enum(HOST_STATES),
  /** KVM needs vmx/svm and /dev/kvm; QEMU (TCG emulation) runs anywhere. */
  virtType: z.enum(VIRT_TYPES).default('KVM'),
  capabilities: fleetHostCapabilitiesSchema,
  /** Linux and OVS bridges discovery found; null = not discovered yet (bridges are then not checked). */
  bridges: z.array(hostBridgeSchema).nullable().default(null),
  /** Domains netpin did not define (discovery): their pinned CPUs and passed-through VFs are unavailable. */
  foreignDomains: z.array(foreignDomainSchema).default([]),
  numaNodes: z.array(fleetNumaNodeSchema).min(1),
  cpus: z.array(fleetCpuSchema),
  /** CPUs the userspace switch's PMD threads poll on (OVS-DPDK pmd-cpu-mask): never given to a VM. */
  pmdCpus: z.array(count).default([]),
  nics: z.array(fleetNicSchema),
});
export type FleetHost = z.output<typeof fleetHostSchema>;

export const fleetNetworkSchema = z.object({
  id,
  name: z.string().min(1),
  kind: z.enum(NETWORK_KINDS),
  bridge: z.string().nullable(),
  physnet: z.string().nullable(),
  vlan: z.number().int().min(0).max(4094).nullable(),
  macvtapMode: z.enum(MACVTAP_MODES).nullable(),
  /** Jumbo frames: the MTU every interface on the network gets; null = the host's default (1500). */
  mtu: mtuSchema.nullable().default(null),
  /** The ethertype of the network's VLAN tag (vlan): 802.1Q, or 802.1ad (QinQ) where a VF can tag it. */
  vlanProtocol: z.enum(VLAN_PROTOCOLS).default('DOT1Q'),
  /** A VLAN trunk: the VLANs tagged to the guest (empty = not a trunk; then vlan is the access VLAN). */
  trunkVlans: trunkVlansSchema.default([]),
  /** The trunk's native VLAN (the guest's untagged traffic, or tagged with nativeVlanMode TAGGED); null = none. */
  nativeVlan: trunkVlanIdSchema.nullable().default(null),
  nativeVlanMode: z.enum(NATIVE_VLAN_MODES).default('UNTAGGED'),
  /** Which NICs carry the network on which host (NetworkNic rows). */
  hosts: z.array(z.object({ hostId: id, nicIds: z.array(id) })),
});
export type FleetNetwork = z.output<typeof fleetNetworkSchema>;

/** What one placed VM holds on its host; applyPlan adds one, releaseVm removes it. */
export const fleetAllocationSchema = z.object({
  vmId: id,
  vmName: z.string(),
  hostId: id,
  cpus: z.array(z.object({ cpu: count, role: z.enum(CPU_OWNER_ROLES) })),
  /** Shared-policy vCPUs counted against a node's shared pool (no exclusive CPUs). */
  sharedVcpus: z.array(z.object({ node: count, vcpus: count })),
  memory: z.array(z.object({ node: count, mib: count })),
  hugepages: z.array(z.object({ node: count, size: z.enum(PAGED_HUGEPAGE_SIZES), pages: count })),
  vfs: z.array(z.object({ nicId: id, vfIndex: count })),
  bandwidth: z.array(z.object({ nicId: id, mbps: count })),
  /** Nodes whose I/O CPU set (NIC IRQs, vhost threads) this VM relies on. */
  ioNodes: z.array(count),
  /** The affinity group (id) the VM is a member of: its rules count this allocation. */
  group: id.nullable().default(null),
  /** PMD slots (one per vhost-user queue) the VM takes on a node. */
  pmdQueues: z.array(z.object({ node: count, queues: count })).default([]),
});
export type FleetAllocation = z.output<typeof fleetAllocationSchema>;

export const fleetSnapshotSchema = z.object({
  hosts: z.array(fleetHostSchema),
  networks: z.array(fleetNetworkSchema),
  allocations: z.array(fleetAllocationSchema),
  /** Affinity groups a request may name (unset = none). */
  groups: z.array(fleetGroupSchema).optional(),
});
export type FleetSnapshot = z.output<typeof fleetSnapshotSchema>;

// ---------------------------------------------------------------------------------------
// VM request.

export const vmInterfaceRequestSchema = z
  .object({
    /** Network name or id. */
    network: z.string().min(1).max(128),
    datapath: z.enum(DATAPATH_REQUESTS).default('AUTO'),
    liveMigratable: z.boolean().default(false),
    /** Guaranteed transmit rate, reserved from the chosen NIC's speed (0 = none). */
    minBandwidthMbps: count.max(MAX_BANDWIDTH_MBPS).default(0),
    /** Transmit cap (0 = none): VF max_tx_rate or libvirt <bandwidth><outbound>, as the datapath declares. */
    maxBandwidthMbps: count.max(MAX_BANDWIDTH_MBPS).default(0),
    mac: macAddressSchema.optional(),
    vlan: vlanIdSchema.optional(),
  })
  .superRefine((i, ctx) => {
    if (i.maxBandwidthMbps > 0 && i.maxBandwidthMbps < i.minBandwidthMbps)
      ctx.addIssue({ code: 'custom', path: ['maxBandwidthMbps'], message: 'maxBandwidthMbps must be at least minBandwidthMbps' });
  });
export type VmInterfaceRequest = z.output<typeof vmInterfaceRequestSchema>;

export const vmRequestSchema = z
  .object({
    name: domainNameSchema,
    /** Defaults to the name; allocations and CPU owners are keyed by it. */
    vmId: id.optional(),
    vcpus: z.number().int().min(1).max(512),
    memoryMiB: z
      .number()
      .int()
      .min(64)
      .max(16 * 1024 * 1024),
    hugepages: z.enum(HUGEPAGE_SIZES).default('NONE'),
    cpuPolicy: z.enum(CPU_POLICIES).default('DEDICATED'),
    threadPolicy: z.enum(THREAD_POLICIES).default('PREFER'),
    emulatorThreads: z.enum(EMULATOR_THREAD_POLICIES).default('SHARE'),
    numaPolicy: z.enum(NUMA_POLICIES).default('REQUIRED'),
    guest: z.object({ virtio: z.boolean().default(true), vfDriver: z.boolean().default(true) }).default({ virtio: true, vfDriver: true }),
    interfaces: z.array(vmInterfaceRequestSchema).max(16).default([]),
    pinHost: z.string().min(1).optional(),
    /** Affinity group (name or id) the VM joins; its policy filters or weighs hosts. */
    group: z.string().min(1).max(128).optional(),
    avoidHosts: z.array(z.string().min(1)).max(1000).default([]),
  })
  .superRefine((r, ctx) => {
    if (r.hugepages !== 'NONE' && r.memoryMiB % HUGEPAGE_MIB[r.hugepages] !== 0) {
      ctx.addIssue({ code: 'custom', path: ['memoryMiB'], message: `memoryMiB must be a multiple of the ${r.hugepages} page size` });
    }
    if (r.cpuPolicy === 'SHARED' && (r.threadPolicy !== 'PREFER' || r.emulatorThreads !== 'SHARE')) {
      ctx.addIssue({
        code: 'custom',
        path: ['threadPolicy'],
        message: 'threadPolicy and emulatorThreads apply to DEDICATED cpuPolicy only',
      });
    }
  });
export type VmRequest = z.output<typeof vmRequestSchema>;
export type VmRequestInput = z.input<typeof vmRequestSchema>;

// ---------------------------------------------------------------------------------------
// Plan and rejection.

const cpuList = z.array(count);

export const datapathCostSchema = z.object({
  datapath: z.enum(DATAPATHS),
  /** Where a packet's VM exits go: every register access, batched via QEMU, batched in kernel, none. */
  exitsPerPacket: z.enum(EXIT_CLASSES),
  /** CPUs one flow keeps busy (section 3 of the datapath doc). */
  cpusPerFlow: z.number().int(),
  /** Relative cost per packet, SR-IOV = 1. */
  relativeCost: z.number(),
});
export type DatapathCost = z.output<typeof datapathCostSchema>;

const planNicSchema = z.object({
  connection: z.enum(INTERFACE_CONNECTIONS),
  datapath: z.enum(DATAPATHS),
  /** 'vf' for a passed-through VF: the guest drives the NIC's own function, not a model QEMU emulates. */
  model: z.enum(PLAN_NIC_MODELS),
  vhost: z.boolean(),
  nicId: z.string().nullable(),
  nicName: z.string().nullable(),
  pfPciAddress: z.string().nullable(),
  vf: z.object({ index: count, pciAddress: z.string() }).nullable(),
  /** macvtap parent device, bridge name or OVS bridge name. */
  sourceDevice: z.string().nullable(),
  macvtapMode: z.enum(MACVTAP_MODES).nullable(),
  /** vhost-user: the OVS port netpin creates (dpdkvhostuserclient) and the socket QEMU serves it on. */
  vhostUser: z.object({ port: z.string(), socketPath: z.string() }).nullable().default(null),
  /**
   * vDPA: the vdpa device netpin creates on the VF (`vdpa dev add name <device> mgmtdev <mgmtdev>`).
   * Its /dev/vhost-vdpa-N is known only once it exists: the agent puts it into the domain XML.
   */
  vdpa: z.object({ device: z.string(), mgmtdev: z.string() }).nullable().default(null),
  /** virtio queues libvirt sets up; null for a VF, whose queues its driver decides. */
  queues: z.number().int().min(1).nullable(),
  numaNode: z.number().int().nullable(),
});

/** A trunk as the interface carries it: its VLANs and the native one (also listed in `vlans`). */
export const planTrunkSchema = z.object({
  vlans: z.array(trunkVlanIdSchema).min(1),
  native: z.object({ vlan: trunkVlanIdSchema, mode: z.enum(NATIVE_VLAN_MODES) }).nullable(),
});
export type PlanTrunk = z.output<typeof planTrunkSchema>;

export const planInterfaceSchema = planNicSchema.extend({
  index: count,
  networkId: z.string(),
  networkName: z.string(),
  mac: z.string(),
  vlan: z.number().int().nullable(),
  /** The ethertype of `vlan`'s tag. */
  vlanProtocol: z.enum(VLAN_PROTOCOLS).default('DOT1Q'),
  /** The network's trunk (then vlan is null); null for an access or untagged interface. */
  trunk: planTrunkSchema.nullable().default(null),
  liveMigratable: z.boolean(),
  minBandwidthMbps: count,
  maxBandwidthMbps: count.default(0),
  /** The network's MTU (null = the host's default), as CONNECTION_MTU says it reaches the interface. */
  mtu: count.nullable().default(null),
  /** True when the NIC sits on the VM's NUMA node (or has no NUMA affinity). */
  numaLocal: z.boolean(),
  /** libvirt <teaming>: the virtio interface that carries traffic while the VF is unplugged. */
  failoverBackup: planNicSchema.nullable(),
  cost: datapathCostSchema,
});
export type PlanInterface = z.output<typeof planInterfaceSchema>;

export const scoreSchema = z.object({
  total: z.number(),
  breakdown: z.array(z.object({ weigher: z.string(), value: z.number(), weight: z.number(), weighted: z.number() })),
});
export type PlanScore = z.output<typeof scoreSchema>;

export const placementPlanSchema = z.object({
  vmId: id,
  vmName: z.string(),
  hostId: id,
  hostName: z.string(),
  /** NUMA nodes the VM uses; the first is its home node (the NIC node when there is one). */
  numaNodes: z.array(count).min(1),
  numaPolicy: z.enum(NUMA_POLICIES),
  cpuPolicy: z.enum(CPU_POLICIES),
  threadPolicy: z.enum(THREAD_POLICIES),
  /** Dedicated: one pCPU per vCPU. Shared: each vCPU floats over the node's shared pool. */
  vcpuPins: z.array(z.object({ vcpu: count, cpus: cpuList })),
  isolatedSiblings: cpuList,
  emulatorCpus: cpuList,
  vhostCpus: cpuList,
  /** I/O CPU sets per node (NIC IRQs + vhost); newlyAllocated when this plan claims them. */
  ioCpus: z.array(z.object({ node: count, cpus: cpuList, newlyAllocated: z.boolean() })),
  memory: z.object({
    mode: z.enum(['strict', 'interleave']),
    perNode: z.array(z.object({ node: count, mib: count })),
    hugepages: z.enum(HUGEPAGE_SIZES),
    pagesPerNode: z.array(z.object({ node: count, pages: count })),
  }),
  interfaces: z.array(planInterfaceSchema),
  irqAffinity: z.array(z.object({ nicId: z.string(), nicName: z.string(), irq: count, queue: count, cpus: cpuList })),
  rps: z.array(z.object({ nicId: z.string(), nicName: z.string(), rxQueue: count, cpus: cpuList })),
  score: scoreSchema,
  /** Departures from the ideal the operator should know about (e.g. PREFERRED NUMA misses). */
  penalties: z.array(z.string()),
  /** Exactly what applyPlan records and releaseVm gives back. */
  allocation: fleetAllocationSchema,
});
export type PlacementPlan = z.output<typeof placementPlanSchema>;

export const rejectionSchema = z.object({
  vmName: z.string(),
  hostsConsidered: count,
  /** Request-level reasons: no host was even examined. */
  requestReasons: z.array(z.object({ code: z.enum(REASON_CODES), detail: z.string() })),
  summary: z.array(z.object({ code: z.enum(REASON_CODES), hosts: count, examples: z.array(z.string()) })),
  message: z.string(),
});
export type Rejection = z.output<typeof rejectionSchema>;

export const hostReasonSchema = z.object({ code: z.enum(REASON_CODES), detail: z.string() });
export type HostReason = z.output<typeof hostReasonSchema>;
