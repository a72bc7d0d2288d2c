/** Shared enums. String unions + const arrays so zod, GraphQL and Prisma can all use them. */
export const HOST_STATES = ['REGISTERED', 'DISCOVERING', 'READY', 'MAINTENANCE', 'UNREACHABLE'] as const;
export type HostState = (typeof HOST_STATES)[number];

export const NETWORK_KINDS = ['LINUX_BRIDGE', 'OVS_BRIDGE', 'MACVTAP', 'SRIOV_PHYSNET'] as const;
export type NetworkKind = (typeof NETWORK_KINDS)[number];

/** Datapaths, fastest first (docs/datapaths.md). */
export const DATAPATHS = [
  'SRIOV',
  'VDPA',
  'VHOST_USER',
  'VHOST_MACVTAP',
  'VHOST_BRIDGE',
  'VHOST_OVS',
  'VIRTIO_USERSPACE',
  'E1000',
  'RTL8139',
] as const;
export type Datapath = (typeof DATAPATHS)[number];
export const DATAPATH_REQUESTS = ['AUTO', ...DATAPATHS] as const;
export type DatapathRequest = (typeof DATAPATH_REQUESTS)[number];

/** How a guest interface is connected on the host (the libvirt interface type follows from it). */
export const INTERFACE_CONNECTIONS = ['HOSTDEV', 'MACVTAP', 'BRIDGE', 'OVS', 'VHOSTUSER', 'VDPA'] as const;
export type InterfaceConnection = (typeof INTERFACE_CONNECTIONS)[number];
/** NIC models libvirt gives the guest (the `<model type>` of a non-hostdev interface). */
export const NIC_MODELS = ['virtio', 'e1000', 'rtl8139'] as const;
export type NicModel = (typeof NIC_MODELS)[number];
/** What the guest sees as its NIC in a plan: an emulated model, or the passed-through VF itself. */
export const PLAN_NIC_MODELS = [...NIC_MODELS, 'vf'] as const;
export type PlanNicModel = (typeof PLAN_NIC_MODELS)[number];
/** Where a packet's VM exits go: every register access, batched via QEMU, batched in the kernel, none. */
export const EXIT_CLASSES = ['MANY', 'BATCHED_USERSPACE', 'BATCHED_KERNEL', 'NONE'] as const;
export type ExitClass = (typeof EXIT_CLASSES)[number];

export const MACVTAP_MODES = ['vepa', 'bridge', 'private', 'passthrough'] as const;
export type MacvtapMode = (typeof MACVTAP_MODES)[number];

/** The ethertype a network's VLAN tag carries: 802.1Q (0x8100), or 802.1ad (0x88a8, QinQ's service tag). */
export const VLAN_PROTOCOLS = ['DOT1Q', 'DOT1AD'] as const;
export type VlanProtocol = (typeof VLAN_PROTOCOLS)[number];
/** How a trunk's native VLAN leaves the port towards the guest (libvirt nativeMode, OVS vlan_mode native-*). */
export const NATIVE_VLAN_MODES = ['UNTAGGED', 'TAGGED'] as const;
export type NativeVlanMode = (typeof NATIVE_VLAN_MODES)[number];

/**
 * A VM's life: PENDING -> PROVISIONING -> RUNNING; power actions move a RUNNING VM through
 * STOPPING to STOPPED (or REBOOTING and back) and a STOPPED one through STARTING to RUNNING;
 * a migration moves a RUNNING VM through MIGRATING to RUNNING on another host (or back on its
 * own after an abort); DELETING -> DELETED ends it. FAILED: the last operation left it in no known good state.
 */
export const VM_STATES = [
  'PENDING',
  'PROVISIONING',
  'RUNNING',
  'STOPPING',
  'STOPPED',
  'STARTING',
  'REBOOTING',
  'MIGRATING',
  'FAILED',
  'DELETING',
  'DELETED',
] as const;
export type VmState = (typeof VM_STATES)[number];

export const OPERATION_STATES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const;
export type OperationState = (typeof OPERATION_STATES)[number];

export const CPU_POLICIES = ['DEDICATED', 'SHARED'] as const;
export type CpuPolicy = (typeof CPU_POLICIES)[number];
export const THREAD_POLICIES = ['PREFER', 'ISOLATE', 'REQUIRE'] as const;
export type ThreadPolicy = (typeof THREAD_POLICIES)[number];
export const EMULATOR_THREAD_POLICIES = ['SHARE', 'ISOLATE'] as const;
export type EmulatorThreadPolicy = (typeof EMULATOR_THREAD_POLICIES)[number];
export const NUMA_POLICIES = ['REQUIRED', 'PREFERRED', 'NONE'] as const;
export type NumaPolicy = (typeof NUMA_POLICIES)[number];
export const HUGEPAGE_SIZES = ['NONE', 'SIZE_2M', 'SIZE_1G'] as const;
export type HugepageSize = (typeof HUGEPAGE_SIZES)[number];

/** What a pinned host CPU is used for. */
export const CPU_ROLES = ['VCPU', 'EMULATOR', 'VHOST', 'IRQ'] as const;
export type CpuRole = (typeof CPU_ROLES)[number];

export const VF_STATES = ['FREE', 'ALLOCATED', 'RESERVED'] as const;
export type VfState = (typeof VF_STATES)[number];

/** API roles, each including the ones before it: viewer < operator < admin. */
export const ROLES = ['VIEWER', 'OPERATOR', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/**
 * How a host drain moves each VM away. LIVE_MIGRATE: live migration only (a VM that cannot move
 * live stays, with the reason). LIVE_MIGRATE_IF_POSSIBLE: live where the VM can, cold (stop,
 * move, start) where a refusal says it cannot (an SR-IOV VF without its failover partner).
 * STOP: stop every VM in place, keeping its allocations.
 */
export const DRAIN_STRATEGIES = ['LIVE_MIGRATE', 'LIVE_MIGRATE_IF_POSSIBLE', 'STOP'] as const;
export type DrainStrategy = (typeof DRAIN_STRATEGIES)[number];

/** Affinity groups (./groups.ts): keep members together or apart; HARD filters hosts, SOFT weighs them. */
export const GROUP_POLICIES = ['AFFINITY', 'ANTI_AFFINITY'] as const;
export type GroupPolicy = (typeof GROUP_POLICIES)[number];
export const GROUP_ENFORCEMENTS = ['HARD', 'SOFT'] as const;
export type GroupEnforcement = (typeof GROUP_ENFORCEMENTS)[number];
