import type {
  CpuRole,
  Datapath,
  ForeignDomain,
  GroupEnforcement,
  GroupPolicy,
  GuestCpuSetting,
  HostBridge,
  HostState,
  HugepagePool,
  NativeVlanMode,
  NetworkKind,
  PlacementPlan,
  VirtType,
  VmState,
  VlanProtocol,
} from '@netpin/contracts';

/** Domain views returned by the repositories; callers never see Prisma types. */
export interface HostCapabilities {
  vmx: boolean;
  svm: boolean;
  ept: boolean;
  npt: boolean;
  iommu: boolean;
  kvm: boolean;
  vhostNet: boolean;
  ovs: boolean;
  ovsDpdk: boolean;
  vhostVdpa: boolean;
}

export interface HostRecord {
  id: string;
  name: string;
  address: string;
  port: number;
  sshUser: string;
  credentialRef: string;
  hostKeyFingerprint: string | null;
  trustOnFirstUse: boolean;
  state: HostState;
  stateReason: string | null;
  labels: Record<string, string>;
  virtType: VirtType;
  guestCpu: GuestCpuSetting;
  capabilities: HostCapabilities;
  /** Linux and OVS bridges discovery found; null until a discovery read them. */
  bridges: HostBridge[] | null;
  /** Domains netpin did not define, with the CPUs and PCI devices they hold (discovery). */
  foreignDomains: ForeignDomain[];
  /** CPUs OVS-DPDK's PMD threads run on (discovery); never given to a VM. */
  pmdCpus: number[];
  lastDiscoveredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CpuRecord {
  cpuId: number;
  socket: number;
  core: number;
  numaNode: number;
  siblings: number[];
  reservedForHost: boolean;
  allocation: { vmId: string; role: CpuRole | 'ISOLATION' } | null;
}

export interface NumaNodeRecord {
  hostId: string;
  index: number;
  memoryMiB: number;
  hugepages: HugepagePool[];
  cpus: CpuRecord[];
}

export interface NicIrqRecord {
  irq: number;
  queue: number;
  label: string;
  affinity: number[];
}

export interface VfRecord {
  index: number;
  pciAddress: string | null;
  mac: string | null;
  vlan: number;
  qos: number;
  spoofchk: boolean;
  trust: boolean;
  linkState: string;
  minTxRateMbps: number;
  maxTxRateMbps: number;
  allocatedToVmId: string | null;
}

export interface NicRecord {
  id: string;
  hostId: string;
  name: string;
  pciAddress: string;
  driver: string | null;
  /** PCI vendor and device id ("8086", "10fb"); null until discovery read them. */
  vendorId: string | null;
  deviceId: string | null;
  numaNode: number | null;
  speedMbps: number | null;
  /** The MTU now and the most the driver takes; null until discovery read them. */
  mtu: number | null;
  maxMtu: number | null;
  linkState: string;
  combinedQueues: number;
  maxCombinedQueues: number;
  sriovTotalVfs: number;
  sriovNumVfs: number;
  vdpaVfs: boolean;
  irqs: NicIrqRecord[];
  vfs: VfRecord[];
}

export interface NetworkMappingRecord {
  hostId: string;
  hostName: string;
  nicId: string;
  nicName: string;
}

export interface NetworkRecord {
  id: string;
  name: string;
  kind: NetworkKind;
  bridge: string | null;
  physnet: string | null;
  vlan: number | null;
  macvtapMode: string | null;
  /** null = the host's default. */
  mtu: number | null;
  vlanProtocol: VlanProtocol;
  /** Ascending; empty = not a trunk. */
  trunkVlans: number[];
  nativeVlan: number | null;
  nativeVlanMode: NativeVlanMode;
  mappings: NetworkMappingRecord[];
  createdAt: Date;
}

export interface GroupRecord {
  id: string;
  name: string;
  policy: GroupPolicy;
  enforcement: GroupEnforcement;
  maxPerHost: number | null;
  /** VMs that are not DELETED. */
  members: number;
  createdAt: Date;
}

export interface VmInterfaceRecord {
  id: string;
  index: number;
  networkId: string;
  datapath: Datapath | null;
  model: string | null;
  mac: string | null;
  vlan: number | null;
  sourceDev: string | null;
  /** null for an SR-IOV VF (its driver decides its queues). */
  queues: number | null;
}

export interface VmRecord {
  id: string;
  name: string;
  hostId: string | null;
  state: VmState;
  vcpus: number;
  memoryMiB: number;
  numaNode: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** Still holds CPUs, VFs, memory on its host. */
  holding: boolean;
  /** Raised by every teardown; host jobs carry it and the agent refuses older ones (STALE_JOB). */
  generation: number;
  /** The placement plan the VM was provisioned from (null before placement). */
  plan: PlacementPlan | null;
  /** The affinity group it joined at create (null once that group is deleted). */
  groupId: string | null;
  interfaces: VmInterfaceRecord[];
  createdAt: Date;
  updatedAt: Date;
}

export interface Page<T> {
  items: T[];
  endCursor: string | null;
  hasNextPage: boolean;
  /** null when the caller did not ask for it (ListOptions.count false): one query fewer. */
  totalCount: number | null;
}

export interface ListOptions {
  /** Count every match too (default true); a GraphQL page counts only when totalCount is selected. */
  count?: boolean;
}
