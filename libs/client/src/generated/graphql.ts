/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type CpuFeatureInput = {
  /** CPUID flag as libvirt spells it */
  name: string;
  policy: CpuFeaturePolicy;
};

/** libvirt <feature policy> */
export type CpuFeaturePolicy =
  | 'disable'
  | 'forbid'
  | 'force'
  | 'optional'
  | 'require';

export type CpuPolicy =
  | 'DEDICATED'
  | 'SHARED';

/** What a pinned host CPU runs for its VM */
export type CpuRole =
  | 'EMULATOR'
  | 'IRQ'
  | 'ISOLATION'
  | 'VCPU'
  | 'VHOST';

export type CreateApiTokenInput = {
  name: string;
  role: Role;
};

export type CreateGroupInput = {
  enforcement?: GroupEnforcement | null | undefined;
  /** HARD ANTI_AFFINITY only: members one host may hold (1-1000, default 1) */
  maxPerHost?: number | null | undefined;
  name: string;
  policy: GroupPolicy;
};

export type CreateNetworkInput = {
  bridge?: string | null | undefined;
  kind: NetworkKind;
  macvtapMode?: MacvtapMode | null | undefined;
  /** 68-65535; the NICs carrying the network must take it (their maxmtu) */
  mtu?: number | null | undefined;
  name: string;
  /** The trunk's native VLAN (1-4094); needs trunkVlans */
  nativeVlan?: number | null | undefined;
  /** UNTAGGED (default) or TAGGED; needs trunkVlans */
  nativeVlanMode?: NativeVlanMode | null | undefined;
  physnet?: string | null | undefined;
  /** A VLAN trunk instead of an access vlan: 1-4094, distinct, at most 128; only Open vSwitch ports carry it */
  trunkVlans?: Array<number> | null | undefined;
  vlan?: number | null | undefined;
  /** DOT1AD (QinQ) needs a vlan; only VFs whose PF driver takes it carry it */
  vlanProtocol?: VlanProtocol | null | undefined;
};

export type CreateSriovPolicyInput = {
  deviceId?: string | null | undefined;
  driver?: string | null | undefined;
  hostLabels?: Array<LabelInput> | null | undefined;
  hostNamePattern?: string | null | undefined;
  /** auto, enable or disable */
  linkState?: string | null | undefined;
  maxTxRateMbps?: number | null | undefined;
  name: string;
  numVfs: number;
  pfNamePattern?: string | null | undefined;
  priority?: number | null | undefined;
  spoofchk?: boolean | null | undefined;
  trust?: boolean | null | undefined;
  vendorId?: string | null | undefined;
};

export type CreateSshSecretInput = {
  name: string;
  /** An unencrypted OpenSSH or PEM private key. Stored encrypted; never returned, logged or audited. */
  privateKey: string;
};

/** Guest NIC datapath, fastest first */
export type Datapath =
  /** emulated e1000: any guest, many exits */
  | 'E1000'
  /** emulated rtl8139: legacy guests */
  | 'RTL8139'
  /** VF passthrough: lowest cost, no live migration */
  | 'SRIOV'
  /** vDPA: a VF that serves virtio rings in hardware; the guest needs only virtio */
  | 'VDPA'
  /** vhost-net on a Linux bridge */
  | 'VHOST_BRIDGE'
  /** vhost-net on macvtap */
  | 'VHOST_MACVTAP'
  /** vhost-net on Open vSwitch */
  | 'VHOST_OVS'
  /** vhost-user on OVS-DPDK: PMD-polled, needs huge pages and PMD cores on the VM's node */
  | 'VHOST_USER'
  /** virtio in QEMU user space */
  | 'VIRTIO_USERSPACE';

/** AUTO lets netpin choose the fastest datapath the host and guest allow */
export type DatapathRequest =
  | 'AUTO'
  | 'E1000'
  | 'RTL8139'
  | 'SRIOV'
  | 'VDPA'
  | 'VHOST_BRIDGE'
  | 'VHOST_MACVTAP'
  | 'VHOST_OVS'
  | 'VHOST_USER'
  | 'VIRTIO_USERSPACE';

/** How to detach an interface */
export type DetachInterfaceInput = {
  /** Seconds to wait for the guest to release the device (a live detach is a request to the guest, ACPI PCI hot-unplug), 0-600 */
  timeoutSeconds?: number | null | undefined;
};

/** How to empty a host */
export type DrainHostInput = {
  /** VMs moved at the same time, 1-32 */
  maxParallel?: number | null | undefined;
  /** LIVE_MIGRATE: live only (a VM that cannot is listed with the reason); LIVE_MIGRATE_IF_POSSIBLE: live, else cold (stop, move, start); STOP: stop every VM in place */
  strategy?: DrainStrategy | null | undefined;
};

export type DrainStrategy =
  | 'LIVE_MIGRATE'
  | 'LIVE_MIGRATE_IF_POSSIBLE'
  | 'STOP';

export type EmulatorThreads =
  | 'ISOLATE'
  | 'SHARE';

/** HARD: hosts breaking the rule are filtered out (reason codes); SOFT: they are only weighed down */
export type GroupEnforcement =
  | 'HARD'
  | 'SOFT';

/** Keep the members on one host (AFFINITY) or apart (ANTI_AFFINITY) */
export type GroupPolicy =
  | 'AFFINITY'
  | 'ANTI_AFFINITY';

export type GuestCpuInput = {
  /** CPUID flags to add or remove */
  features?: Array<CpuFeatureInput> | null | undefined;
  mode?: GuestCpuMode | null | undefined;
  /** QEMU CPU model, with mode CUSTOM only */
  model?: string | null | undefined;
};

/** libvirt <cpu mode>: host-passthrough, host-model or custom */
export type GuestCpuMode =
  | 'CUSTOM'
  | 'HOST_MODEL'
  | 'HOST_PASSTHROUGH';

/** LINUX: a Linux bridge; OVS: an Open vSwitch bridge */
export type HostBridgeKind =
  | 'LINUX'
  | 'OVS';

export type HostFilterInput = {
  /** Only hosts that carry this network */
  network?: string | null | undefined;
  sriovCapable?: boolean | null | undefined;
  state?: HostState | null | undefined;
};

/** Lifecycle of a hypervisor in the inventory */
export type HostState =
  | 'DISCOVERING'
  | 'MAINTENANCE'
  | 'READY'
  | 'REGISTERED'
  | 'UNREACHABLE';

export type HugepageSize =
  | 'NONE'
  | 'SIZE_1G'
  | 'SIZE_2M';

export type LabelInput = {
  key: string;
  value: string;
};

export type MacvtapMode =
  | 'bridge'
  | 'passthrough'
  | 'private'
  | 'vepa';

export type MaintenanceInput = {
  enabled: boolean;
  reason?: string | null | undefined;
};

export type MapNetworkToNicInput = {
  /** Host name */
  host: string;
  /** Network name */
  network: string;
  /** NIC (PF) interface name on that host */
  nic: string;
};

/** Where and how to move a VM */
export type MigrateVmInput = {
  /** LIVE: the guest keeps running (an SR-IOV VF only with its failover partner); COLD: stopped, moved, started */
  strategy?: MigrationStrategy | null | undefined;
  /** Target host (id or name); absent: placement chooses one (never the VM's own host) */
  targetHost?: string | null | undefined;
};

export type MigrationStrategy =
  | 'COLD'
  | 'LIVE';

/** How a trunk's native VLAN reaches the guest */
export type NativeVlanMode =
  | 'TAGGED'
  | 'UNTAGGED';

/** What a guest interface attaches to on the host */
export type NetworkKind =
  | 'LINUX_BRIDGE'
  | 'MACVTAP'
  | 'OVS_BRIDGE'
  | 'SRIOV_PHYSNET';

export type NumaPolicy =
  | 'NONE'
  | 'PREFERRED'
  | 'REQUIRED';

export type OperationState =
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING'
  | 'SUCCEEDED';

/** Why a host or request was rejected; stable codes (docs/placement.md) */
export type ReasonCode =
  | 'BRIDGE_NOT_ON_HOST'
  | 'BRIDGE_NOT_USERSPACE'
  | 'DATAPATH_NOT_SUPPORTED_BY_NETWORK'
  | 'GROUP_AFFINITY'
  | 'GROUP_ANTI_AFFINITY'
  | 'GROUP_UNKNOWN'
  | 'GUEST_LACKS_VF_DRIVER'
  | 'GUEST_LACKS_VIRTIO'
  | 'HOST_AVOIDED'
  | 'HOST_IN_MAINTENANCE'
  | 'HOST_LACKS_VIRTUALIZATION'
  | 'HOST_NOT_READY'
  | 'HOST_NOT_REQUESTED'
  | 'HOST_UNREACHABLE'
  | 'HUGEPAGES_ON_NODE'
  | 'INSUFFICIENT_DEDICATED_CPUS'
  | 'INSUFFICIENT_DEDICATED_CPUS_ON_NIC_NODE'
  | 'INSUFFICIENT_ISOLATED_CORES'
  | 'INSUFFICIENT_MEMORY'
  | 'INSUFFICIENT_SHARED_CPU_CAPACITY'
  | 'INSUFFICIENT_SIBLING_PAIRS'
  | 'IOMMU_DISABLED'
  | 'LIVE_MIGRATION_NEEDS_VIRTIO'
  | 'MEMORY_ON_NODE'
  | 'NETWORK_NOT_ON_HOST'
  | 'NETWORK_UNKNOWN'
  | 'NICS_ON_DIFFERENT_NUMA_NODES'
  | 'NIC_BANDWIDTH_EXHAUSTED'
  | 'NIC_MAX_MTU_BELOW_NETWORK'
  | 'NIC_MTU_BELOW_NETWORK'
  | 'NO_CPU_FOR_NIC_IRQS'
  | 'NO_FREE_VF'
  | 'NO_FREE_VF_ON_NUMA_NODE'
  | 'NO_HOSTS'
  | 'NO_PMD_ON_NUMA_NODE'
  | 'NO_SRIOV_NIC_FOR_NETWORK'
  | 'NO_VDPA_VF_FOR_NETWORK'
  | 'OVS_DPDK_UNAVAILABLE'
  | 'OVS_UNAVAILABLE'
  | 'PMD_CAPACITY_EXHAUSTED'
  | 'THREAD_POLICY_NEEDS_SMT'
  | 'VDPA_NOT_LIVE_MIGRATABLE'
  | 'VF_DRIVER_LACKS_8021AD'
  | 'VF_DRIVER_LACKS_MIN_TX_RATE'
  | 'VHOST_NET_UNAVAILABLE'
  | 'VHOST_USER_NEEDS_HUGEPAGES'
  | 'VHOST_VDPA_UNAVAILABLE'
  | 'VLAN_PROTOCOL_UNSUPPORTED'
  | 'VLAN_TRUNK_UNSUPPORTED';

export type RegisterHostInput = {
  /** SSH address: IPv4, IPv6 or DNS name */
  address: string;
  /** "file:<path>" (a key in the agent's NETPIN_AGENT_KEY_DIR) or "secret:<name>" (see createSshSecret) */
  credentialRef: string;
  guestCpu?: GuestCpuInput | null | undefined;
  /** Pinned SSH host key, SHA256:<base64> as ssh-keygen -l prints it */
  hostKeyFingerprint?: string | null | undefined;
  labels?: Array<LabelInput> | null | undefined;
  /** Unique DNS-label-like name */
  name: string;
  port?: number | null | undefined;
  sshUser?: string | null | undefined;
  /** Accept and pin the host key seen at first discovery */
  trustOnFirstUse?: boolean | null | undefined;
  virtType?: VirtType | null | undefined;
};

/** viewer reads; operator creates and deletes VMs and runs discovery; admin manages hosts, networks and tokens */
export type Role =
  | 'ADMIN'
  | 'OPERATOR'
  | 'VIEWER';

/** PENDING: a host.configureSriov is queued or waiting; CONVERGED: the PF is as the policy says; BLOCKED: the VF count must change but VMs hold VFs; FAILED: the PF cannot take the policy, or the job failed */
export type SriovTargetState =
  | 'BLOCKED'
  | 'CONVERGED'
  | 'FAILED'
  | 'PENDING';

/** How to stop a VM */
export type StopVmInput = {
  /** Give back its CPUs, VFs and IRQ/RPS settings (the host baseline is restored); starting it again places it anew */
  release?: boolean | null | undefined;
  /** Seconds to wait for the guest to power off after the ACPI shutdown request before forcing it off (0-3600) */
  timeoutSeconds?: number | null | undefined;
};

/** Nova's meaning: REQUIRE sibling pairs, ISOLATE whole cores, PREFER siblings when possible */
export type ThreadPolicy =
  | 'ISOLATE'
  | 'PREFER'
  | 'REQUIRE';

export type UpdateHostInput = {
  address?: string | null | undefined;
  credentialRef?: string | null | undefined;
  guestCpu?: GuestCpuInput | null | undefined;
  hostKeyFingerprint?: string | null | undefined;
  labels?: Array<LabelInput> | null | undefined;
  port?: number | null | undefined;
  sshUser?: string | null | undefined;
  trustOnFirstUse?: boolean | null | undefined;
  virtType?: VirtType | null | undefined;
};

export type UpdateNetworkInput = {
  /** New MTU (null = the host's default); refused (field mtu) above a carrying NIC's maxmtu. Interfaces placed before keep theirs */
  mtu?: number | null | undefined;
  /** Network name */
  network: string;
};

/** Fields to change; null clears a selector field */
export type UpdateSriovPolicyInput = {
  deviceId?: string | null | undefined;
  driver?: string | null | undefined;
  hostLabels?: Array<LabelInput> | null | undefined;
  hostNamePattern?: string | null | undefined;
  /** auto, enable or disable */
  linkState?: string | null | undefined;
  maxTxRateMbps?: number | null | undefined;
  numVfs?: number | null | undefined;
  pfNamePattern?: string | null | undefined;
  priority?: number | null | undefined;
  spoofchk?: boolean | null | undefined;
  trust?: boolean | null | undefined;
  vendorId?: string | null | undefined;
};

/** DISCOVERED: read from the host by discovery; PLANNED: a VM's plan wants it, not applied yet; APPLIED: the agent applied the plan; VERIFIED: a verify found the host in sync with the plan after its last apply */
export type ValueSource =
  | 'APPLIED'
  | 'DISCOVERED'
  | 'PLANNED'
  | 'VERIFIED';

/** KVM (needs VT-x/AMD-V and /dev/kvm) or QEMU (full emulation, TCG) */
export type VirtType =
  | 'KVM'
  | 'QEMU';

/** The VLAN tag's ethertype: DOT1Q (802.1Q) or DOT1AD (802.1ad, QinQ) */
export type VlanProtocol =
  | 'DOT1AD'
  | 'DOT1Q';

export type VmFilterInput = {
  hostId?: string | null | undefined;
  /** Only VMs on this host (by name) */
  hostName?: string | null | undefined;
  /** List DELETED VMs too */
  includeDeleted?: boolean | null | undefined;
  /** Only VMs of this name (a name is reused once its VM is DELETED) */
  name?: string | null | undefined;
  /** Only VMs in this state (DELETED included when named) */
  state?: VmState | null | undefined;
};

export type VmInput = {
  avoidHosts?: Array<string> | null | undefined;
  cpuPolicy?: CpuPolicy | null | undefined;
  emulatorThreads?: EmulatorThreads | null | undefined;
  /** Affinity group (name or id) the VM joins; its policy filters or weighs hosts */
  group?: string | null | undefined;
  /** The guest has a driver for the SR-IOV VF */
  guestVfDriver?: boolean | null | undefined;
  /** The guest has virtio drivers */
  guestVirtio?: boolean | null | undefined;
  hugepages?: HugepageSize | null | undefined;
  interfaces?: Array<VmInterfaceInput> | null | undefined;
  memoryMiB: number;
  name: string;
  numaPolicy?: NumaPolicy | null | undefined;
  /** Place on this host (name or id) */
  pinHost?: string | null | undefined;
  threadPolicy?: ThreadPolicy | null | undefined;
  vcpus: number;
};

export type VmInterfaceInput = {
  datapath?: DatapathRequest | null | undefined;
  liveMigratable?: boolean | null | undefined;
  mac?: string | null | undefined;
  /** Transmit cap in Mbit/s, 0 = none: VF max_tx_rate, or libvirt <bandwidth><outbound> on a tap or macvtap */
  maxBandwidthMbps?: number | null | undefined;
  /** Guaranteed transmit Mbit/s, reserved from the NIC's speed at placement (VF min_tx_rate where the datapath enforces it) */
  minBandwidthMbps?: number | null | undefined;
  /** Network name or id */
  network: string;
  vlan?: number | null | undefined;
};

export type VmState =
  | 'DELETED'
  | 'DELETING'
  | 'FAILED'
  | 'MIGRATING'
  | 'PENDING'
  | 'PROVISIONING'
  | 'REBOOTING'
  | 'RUNNING'
  | 'STARTING'
  | 'STOPPED'
  | 'STOPPING';

export type ApiTokenFieldsFragment = { id: string, name: string, role: Role, prefix: string, createdBy: string | null, createdAt: string, lastUsedAt: string | null, revokedAt: string | null };

export type ApiTokensQueryVariables = Exact<{ [key: string]: never; }>;


export type ApiTokensQuery = { apiTokens: Array<{ id: string, name: string, role: Role, prefix: string, createdBy: string | null, createdAt: string, lastUsedAt: string | null, revokedAt: string | null }> };

export type CreateApiTokenMutationVariables = Exact<{
  input: CreateApiTokenInput;
}>;


export type CreateApiTokenMutation = { createApiToken: { token: string, apiToken: { id: string, name: string, role: Role, prefix: string, createdBy: string | null, createdAt: string, lastUsedAt: string | null, revokedAt: string | null } } };

export type RevokeApiTokenMutationVariables = Exact<{
  id: string;
}>;


export type RevokeApiTokenMutation = { revokeApiToken: { id: string, name: string, role: Role, prefix: string, createdBy: string | null, createdAt: string, lastUsedAt: string | null, revokedAt: string | null } };

export type SshSecretFieldsFragment = { id: string, name: string, fingerprint: string, publicKey: string, keyId: string, current: boolean, hosts: Array<string>, createdBy: string | null, createdAt: string, updatedAt: string };

export type SshSecretsQueryVariables = Exact<{ [key: string]: never; }>;


export type SshSecretsQuery = { sshSecrets: Array<{ id: string, name: string, fingerprint: string, publicKey: string, keyId: string, current: boolean, hosts: Array<string>, createdBy: string | null, createdAt: string, updatedAt: string }> };

export type CreateSshSecretMutationVariables = Exact<{
  input: CreateSshSecretInput;
}>;


export type CreateSshSecretMutation = { createSshSecret: { id: string, name: string, fingerprint: string, publicKey: string, keyId: string, current: boolean, hosts: Array<string>, createdBy: string | null, createdAt: string, updatedAt: string } };

export type DeleteSshSecretMutationVariables = Exact<{
  id: string;
}>;


export type DeleteSshSecretMutation = { deleteSshSecret: { id: string, name: string } };

export type RotateSshSecretsMutationVariables = Exact<{ [key: string]: never; }>;


export type RotateSshSecretsMutation = { rotateSshSecrets: { reencrypted: number, keyId: string } };

export type AuditEventsQueryVariables = Exact<{
  action?: string | null | undefined;
  tokenId?: string | null | undefined;
  first?: number | null | undefined;
}>;


export type AuditEventsQuery = { auditEvents: Array<{ id: string, at: string, tokenId: string | null, actor: string, action: string, targetType: string, targetId: string | null, targetKind: string | null, targetName: string | null, inputJson: string, result: string, count: number, address: string | null, requestId: string | null }> };

export type VmFieldsFragment = { id: string, name: string, state: VmState, hostId: string | null, hostName: string | null, groupId: string | null, numaNode: number | null, vcpus: number, memoryMiB: number, errorCode: string | null, errorMessage: string | null, createdAt: string, updatedAt: string, planState: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } | null, interfaces: Array<{ id: string, index: number, datapath: Datapath | null, model: string | null, queues: number | null, networkId: string, networkName: string | null, mac: string | null, vlan: number | null, sourceDev: string | null }>, plan: { hostName: string, numaNodes: Array<number>, emulatorCpus: Array<number>, vhostCpus: Array<number>, isolatedSiblings: Array<number>, hugepages: HugepageSize, memoryMode: string, penalties: Array<string>, vcpuPins: Array<{ vcpu: number, cpus: Array<number> }>, interfaces: Array<{ index: number, networkName: string, datapath: Datapath, model: string, queues: number | null, nicName: string | null, numaNode: number | null, numaLocal: boolean, failover: boolean, minBandwidthMbps: number, maxBandwidthMbps: number, mtu: number | null, vfIndex: number | null, sourceDevice: string | null, mac: string, vlan: number | null, cost: { exitsPerPacket: string, cpusPerFlow: number, relativeCost: number } }>, irqAffinity: Array<{ irq: number, nicName: string, queue: number, cpus: Array<number> }>, rps: Array<{ nicName: string, rxQueue: number, cpus: Array<number> }>, score: { total: number, breakdown: Array<{ weigher: string, weight: number, value: number, weighted: number }> } } | null };

export type HostTopologyFieldsFragment = { id: string, name: string, address: string, port: number, sshUser: string, state: HostState, stateReason: string | null, lastDiscoveredAt: string | null, credentialRef: string, hostKeyFingerprint: string | null, capabilities: { iommu: boolean, vhostNet: boolean, kvm: boolean, vmx: boolean, svm: boolean, ept: boolean, npt: boolean, ovs: boolean }, bridges: Array<{ name: string, kind: HostBridgeKind }> | null, labels: Array<{ key: string, value: string }>, numaNodes: Array<{ index: number, memoryMiB: number, hugepages: Array<{ sizeKiB: number, total: number, free: number }>, cpus: Array<{ cpuId: number, core: number, socket: number, numaNode: number, siblings: Array<number>, reservedForHost: boolean, allocation: { vmId: string, vmName: string, role: CpuRole } | null, uses: Array<{ role: CpuRole, vmId: string, vmName: string }> }>, cpuCounts: { total: number, reservedForHost: number, usable: number, allocated: number, free: number } }>, nics: Array<{ id: string, name: string, pciAddress: string, driver: string | null, numaNode: number | null, speedMbps: number | null, mtu: number | null, maxMtu: number | null, linkState: string, combinedQueues: number, maxCombinedQueues: number, sriovNumVfs: number, sriovTotalVfs: number, vfCounts: { configured: number, allocated: number, free: number }, irqs: Array<{ irq: number, queue: number, label: string, affinity: Array<number>, discoveredAffinity: Array<number>, ownerVmId: string | null, ownerVmName: string | null, state: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }>, vfs: Array<{ index: number, pciAddress: string | null, mac: string | null, vlan: number, discoveredMac: string | null, linkState: string, spoofchk: boolean, trust: boolean, allocatedToVmId: string | null, allocatedToVmName: string | null, state: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }> }>, cpuCounts: { total: number, reservedForHost: number, usable: number, allocated: number, free: number }, vms: Array<{ id: string, name: string, state: VmState, planState: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }> };

export type RegisterHostMutationVariables = Exact<{
  input: RegisterHostInput;
}>;


export type RegisterHostMutation = { registerHost: { id: string, name: string, address: string, port: number, sshUser: string, state: HostState, stateReason: string | null, lastDiscoveredAt: string | null, credentialRef: string, hostKeyFingerprint: string | null, capabilities: { iommu: boolean, vhostNet: boolean, kvm: boolean, vmx: boolean, svm: boolean, ept: boolean, npt: boolean, ovs: boolean }, bridges: Array<{ name: string, kind: HostBridgeKind }> | null, labels: Array<{ key: string, value: string }>, numaNodes: Array<{ index: number, memoryMiB: number, hugepages: Array<{ sizeKiB: number, total: number, free: number }>, cpus: Array<{ cpuId: number, core: number, socket: number, numaNode: number, siblings: Array<number>, reservedForHost: boolean, allocation: { vmId: string, vmName: string, role: CpuRole } | null, uses: Array<{ role: CpuRole, vmId: string, vmName: string }> }>, cpuCounts: { total: number, reservedForHost: number, usable: number, allocated: number, free: number } }>, nics: Array<{ id: string, name: string, pciAddress: string, driver: string | null, numaNode: number | null, speedMbps: number | null, mtu: number | null, maxMtu: number | null, linkState: string, combinedQueues: number, maxCombinedQueues: number, sriovNumVfs: number, sriovTotalVfs: number, vfCounts: { configured: number, allocated: number, free: number }, irqs: Array<{ irq: number, queue: number, label: string, affinity: Array<number>, discoveredAffinity: Array<number>, ownerVmId: string | null, ownerVmName: string | null, state: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }>, vfs: Array<{ index: number, pciAddress: string | null, mac: string | null, vlan: number, discoveredMac: string | null, linkState: string, spoofchk: boolean, trust: boolean, allocatedToVmId: string | null, allocatedToVmName: string | null, state: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }> }>, cpuCounts: { total: number, reservedForHost: number, usable: number, allocated: number, free: number }, vms: Array<{ id: string, name: string, state: VmState, planState: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }> } };

export type UpdateHostMutationVariables = Exact<{
  id: string;
  input: UpdateHostInput;
}>;


export type UpdateHostMutation = { updateHost: { id: string, name: string, address: string, port: number, sshUser: string, state: HostState, stateReason: string | null, lastDiscoveredAt: string | null, credentialRef: string, hostKeyFingerprint: string | null, capabilities: { iommu: boolean, vhostNet: boolean, kvm: boolean, vmx: boolean, svm: boolean, ept: boolean, npt: boolean, ovs: boolean }, bridges: Array<{ name: string, kind: HostBridgeKind }> | null, labels: Array<{ key: string, value: string }>, numaNodes: Array<{ index: number, memoryMiB: number, hugepages: Array<{ sizeKiB: number, total: number, free: number }>, cpus: Array<{ cpuId: number, core: number, socket: number, numaNode: number, siblings: Array<number>, reservedForHost: boolean, allocation: { vmId: string, vmName: string, role: CpuRole } | null, uses: Array<{ role: CpuRole, vmId: string, vmName: string }> }>, cpuCounts: { total: number, reservedForHost: number, usable: number, allocated: number, free: number } }>, nics: Array<{ id: string, name: string, pciAddress: string, driver: string | null, numaNode: number | null, speedMbps: number | null, mtu: number | null, maxMtu: number | null, linkState: string, combinedQueues: number, maxCombinedQueues: number, sriovNumVfs: number, sriovTotalVfs: number, vfCounts: { configured: number, allocated: number, free: number }, irqs: Array<{ irq: number, queue: number, label: string, affinity: Array<number>, discoveredAffinity: Array<number>, ownerVmId: string | null, ownerVmName: string | null, state: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }>, vfs: Array<{ index: number, pciAddress: string | null, mac: string | null, vlan: number, discoveredMac: string | null, linkState: string, spoofchk: boolean, trust: boolean, allocatedToVmId: string | null, allocatedToVmName: string | null, state: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }> }>, cpuCounts: { total: number, reservedForHost: number, usable: number, allocated: number, free: number }, vms: Array<{ id: string, name: string, state: VmState, planState: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }> } };

export type ConfigureSriovMutationVariables = Exact<{
  id: string;
  nic: string;
  numVfs: number;
}>;


export type ConfigureSriovMutation = { configureSriov: { id: string, kind: string, targetType: string, targetId: string, targetName: string | null, state: OperationState, progress: number, step: string | null, startedAt: string | null, errorCode: string | null, errorMessage: string | null, errorStderr: string | null, createdAt: string, finishedAt: string | null, steps: Array<{ name: string, state: string, startedAt: string | null, finishedAt: string | null }> } };

export type HostQueryVariables = Exact<{
  id?: string | null | undefined;
  name?: string | null | undefined;
}>;


export type HostQuery = { host: { id: string, name: string, address: string, port: number, sshUser: string, state: HostState, stateReason: string | null, lastDiscoveredAt: string | null, credentialRef: string, hostKeyFingerprint: string | null, capabilities: { iommu: boolean, vhostNet: boolean, kvm: boolean, vmx: boolean, svm: boolean, ept: boolean, npt: boolean, ovs: boolean }, bridges: Array<{ name: string, kind: HostBridgeKind }> | null, labels: Array<{ key: string, value: string }>, numaNodes: Array<{ index: number, memoryMiB: number, hugepages: Array<{ sizeKiB: number, total: number, free: number }>, cpus: Array<{ cpuId: number, core: number, socket: number, numaNode: number, siblings: Array<number>, reservedForHost: boolean, allocation: { vmId: string, vmName: string, role: CpuRole } | null, uses: Array<{ role: CpuRole, vmId: string, vmName: string }> }>, cpuCounts: { total: number, reservedForHost: number, usable: number, allocated: number, free: number } }>, nics: Array<{ id: string, name: string, pciAddress: string, driver: string | null, numaNode: number | null, speedMbps: number | null, mtu: number | null, maxMtu: number | null, linkState: string, combinedQueues: number, maxCombinedQueues: number, sriovNumVfs: number, sriovTotalVfs: number, vfCounts: { configured: number, allocated: number, free: number }, irqs: Array<{ irq: number, queue: number, label: string, affinity: Array<number>, discoveredAffinity: Array<number>, ownerVmId: string | null, ownerVmName: string | null, state: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }>, vfs: Array<{ index: number, pciAddress: string | null, mac: string | null, vlan: number, discoveredMac: string | null, linkState: string, spoofchk: boolean, trust: boolean, allocatedToVmId: string | null, allocatedToVmName: string | null, state: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }> }>, cpuCounts: { total: number, reservedForHost: number, usable: number, allocated: number, free: number }, vms: Array<{ id: string, name: string, state: VmState, planState: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }> } };

export type VmQueryVariables = Exact<{
  id: string;
}>;


export type VmQuery = { vm: { id: string, name: string, state: VmState, hostId: string | null, hostName: string | null, groupId: string | null, numaNode: number | null, vcpus: number, memoryMiB: number, errorCode: string | null, errorMessage: string | null, createdAt: string, updatedAt: string, planState: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } | null, interfaces: Array<{ id: string, index: number, datapath: Datapath | null, model: string | null, queues: number | null, networkId: string, networkName: string | null, mac: string | null, vlan: number | null, sourceDev: string | null }>, plan: { hostName: string, numaNodes: Array<number>, emulatorCpus: Array<number>, vhostCpus: Array<number>, isolatedSiblings: Array<number>, hugepages: HugepageSize, memoryMode: string, penalties: Array<string>, vcpuPins: Array<{ vcpu: number, cpus: Array<number> }>, interfaces: Array<{ index: number, networkName: string, datapath: Datapath, model: string, queues: number | null, nicName: string | null, numaNode: number | null, numaLocal: boolean, failover: boolean, minBandwidthMbps: number, maxBandwidthMbps: number, mtu: number | null, vfIndex: number | null, sourceDevice: string | null, mac: string, vlan: number | null, cost: { exitsPerPacket: string, cpusPerFlow: number, relativeCost: number } }>, irqAffinity: Array<{ irq: number, nicName: string, queue: number, cpus: Array<number> }>, rps: Array<{ nicName: string, rxQueue: number, cpus: Array<number> }>, score: { total: number, breakdown: Array<{ weigher: string, weight: number, value: number, weighted: number }> } } | null } };

export type VmListQueryVariables = Exact<{
  filter?: VmFilterInput | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type VmListQuery = { vms: { totalCount: number, pageInfo: { endCursor: string | null, hasNextPage: boolean }, nodes: Array<{ id: string, name: string, state: VmState, hostId: string | null, hostName: string | null, groupId: string | null, numaNode: number | null, vcpus: number, memoryMiB: number, errorCode: string | null, errorMessage: string | null, createdAt: string, updatedAt: string, planState: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } | null, interfaces: Array<{ id: string, index: number, datapath: Datapath | null, model: string | null, queues: number | null, networkId: string, networkName: string | null, mac: string | null, vlan: number | null, sourceDev: string | null }>, plan: { hostName: string, numaNodes: Array<number>, emulatorCpus: Array<number>, vhostCpus: Array<number>, isolatedSiblings: Array<number>, hugepages: HugepageSize, memoryMode: string, penalties: Array<string>, vcpuPins: Array<{ vcpu: number, cpus: Array<number> }>, interfaces: Array<{ index: number, networkName: string, datapath: Datapath, model: string, queues: number | null, nicName: string | null, numaNode: number | null, numaLocal: boolean, failover: boolean, minBandwidthMbps: number, maxBandwidthMbps: number, mtu: number | null, vfIndex: number | null, sourceDevice: string | null, mac: string, vlan: number | null, cost: { exitsPerPacket: string, cpusPerFlow: number, relativeCost: number } }>, irqAffinity: Array<{ irq: number, nicName: string, queue: number, cpus: Array<number> }>, rps: Array<{ nicName: string, rxQueue: number, cpus: Array<number> }>, score: { total: number, breakdown: Array<{ weigher: string, weight: number, value: number, weighted: number }> } } | null }> } };

export type OperationListQueryVariables = Exact<{
  state?: OperationState | null | undefined;
  kind?: string | null | undefined;
  targetId?: string | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type OperationListQuery = { operations: { totalCount: number, pageInfo: { endCursor: string | null, hasNextPage: boolean }, nodes: Array<{ id: string, kind: string, targetType: string, targetId: string, targetName: string | null, state: OperationState, progress: number, step: string | null, startedAt: string | null, errorCode: string | null, errorMessage: string | null, errorStderr: string | null, createdAt: string, finishedAt: string | null, steps: Array<{ name: string, state: string, startedAt: string | null, finishedAt: string | null }> }> } };

export type CpuFieldsFragment = { cpuId: number, core: number, socket: number, numaNode: number, siblings: Array<number>, reservedForHost: boolean, allocation: { vmId: string, vmName: string, role: CpuRole } | null, uses: Array<{ role: CpuRole, vmId: string, vmName: string }> };

export type ValueStateFieldsFragment = { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null };

export type CpuCountFieldsFragment = { total: number, reservedForHost: number, usable: number, allocated: number, free: number };

export type PlacedVmFieldsFragment = { id: string, name: string, state: VmState, planState: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } };

export type NicFieldsFragment = { id: string, name: string, pciAddress: string, driver: string | null, numaNode: number | null, speedMbps: number | null, mtu: number | null, maxMtu: number | null, linkState: string, combinedQueues: number, maxCombinedQueues: number, sriovNumVfs: number, sriovTotalVfs: number, vfCounts: { configured: number, allocated: number, free: number }, irqs: Array<{ irq: number, queue: number, label: string, affinity: Array<number>, discoveredAffinity: Array<number>, ownerVmId: string | null, ownerVmName: string | null, state: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }>, vfs: Array<{ index: number, pciAddress: string | null, mac: string | null, vlan: number, discoveredMac: string | null, linkState: string, spoofchk: boolean, trust: boolean, allocatedToVmId: string | null, allocatedToVmName: string | null, state: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }> };

export type HostSummaryFieldsFragment = { id: string, name: string, address: string, state: HostState, stateReason: string | null, lastDiscoveredAt: string | null, capabilities: { iommu: boolean, vhostNet: boolean, kvm: boolean, vmx: boolean, svm: boolean, ept: boolean, npt: boolean, ovs: boolean }, labels: Array<{ key: string, value: string }>, numaNodes: Array<{ index: number, memoryMiB: number, hugepages: Array<{ sizeKiB: number, total: number, free: number }>, cpuCounts: { total: number, reservedForHost: number, usable: number, allocated: number, free: number } }>, nics: Array<{ id: string, name: string, numaNode: number | null, sriovNumVfs: number, sriovTotalVfs: number, vfCounts: { configured: number, allocated: number, free: number } }>, cpuCounts: { total: number, reservedForHost: number, usable: number, allocated: number, free: number } };

export type FleetQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: HostFilterInput | null | undefined;
}>;


export type FleetQuery = { hosts: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, name: string, address: string, state: HostState, stateReason: string | null, lastDiscoveredAt: string | null, capabilities: { iommu: boolean, vhostNet: boolean, kvm: boolean, vmx: boolean, svm: boolean, ept: boolean, npt: boolean, ovs: boolean }, labels: Array<{ key: string, value: string }>, numaNodes: Array<{ index: number, memoryMiB: number, hugepages: Array<{ sizeKiB: number, total: number, free: number }>, cpuCounts: { total: number, reservedForHost: number, usable: number, allocated: number, free: number } }>, nics: Array<{ id: string, name: string, numaNode: number | null, sriovNumVfs: number, sriovTotalVfs: number, vfCounts: { configured: number, allocated: number, free: number } }>, cpuCounts: { total: number, reservedForHost: number, usable: number, allocated: number, free: number } }> } };

export type HostDetailQueryVariables = Exact<{
  name: string;
}>;


export type HostDetailQuery = { host: { id: string, name: string, address: string, port: number, sshUser: string, state: HostState, stateReason: string | null, lastDiscoveredAt: string | null, capabilities: { iommu: boolean, vhostNet: boolean, kvm: boolean, vmx: boolean, svm: boolean, ept: boolean, npt: boolean, ovs: boolean }, foreignDomains: Array<{ name: string, cpus: Array<number>, pciDevices: Array<string> }>, labels: Array<{ key: string, value: string }>, numaNodes: Array<{ index: number, memoryMiB: number, hugepages: Array<{ sizeKiB: number, total: number, free: number }>, cpus: Array<{ cpuId: number, core: number, socket: number, numaNode: number, siblings: Array<number>, reservedForHost: boolean, allocation: { vmId: string, vmName: string, role: CpuRole } | null, uses: Array<{ role: CpuRole, vmId: string, vmName: string }> }>, cpuCounts: { total: number, reservedForHost: number, usable: number, allocated: number, free: number } }>, nics: Array<{ id: string, name: string, pciAddress: string, driver: string | null, numaNode: number | null, speedMbps: number | null, mtu: number | null, maxMtu: number | null, linkState: string, combinedQueues: number, maxCombinedQueues: number, sriovNumVfs: number, sriovTotalVfs: number, vfCounts: { configured: number, allocated: number, free: number }, irqs: Array<{ irq: number, queue: number, label: string, affinity: Array<number>, discoveredAffinity: Array<number>, ownerVmId: string | null, ownerVmName: string | null, state: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }>, vfs: Array<{ index: number, pciAddress: string | null, mac: string | null, vlan: number, discoveredMac: string | null, linkState: string, spoofchk: boolean, trust: boolean, allocatedToVmId: string | null, allocatedToVmName: string | null, state: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }> }>, cpuCounts: { total: number, reservedForHost: number, usable: number, allocated: number, free: number }, vms: Array<{ id: string, name: string, state: VmState, planState: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } }> } };

export type HostNamesQueryVariables = Exact<{ [key: string]: never; }>;


export type HostNamesQuery = { hosts: { nodes: Array<{ id: string, name: string, state: HostState, nics: Array<{ id: string, name: string, numaNode: number | null }> }> } };

export type SetHostMaintenanceMutationVariables = Exact<{
  id: string;
  input: MaintenanceInput;
}>;


export type SetHostMaintenanceMutation = { setHostMaintenance: { id: string, state: HostState, stateReason: string | null } };

export type NetworkFieldsFragment = { id: string, name: string, kind: NetworkKind, bridge: string | null, macvtapMode: MacvtapMode | null, physnet: string | null, vlan: number | null, vlanProtocol: VlanProtocol, trunkVlans: Array<number>, nativeVlan: number | null, nativeVlanMode: NativeVlanMode, mtu: number | null, createdAt: string, mappings: Array<{ hostId: string, hostName: string, nicId: string, nicName: string }> };

export type NetworksQueryVariables = Exact<{ [key: string]: never; }>;


export type NetworksQuery = { networks: Array<{ id: string, name: string, kind: NetworkKind, bridge: string | null, macvtapMode: MacvtapMode | null, physnet: string | null, vlan: number | null, vlanProtocol: VlanProtocol, trunkVlans: Array<number>, nativeVlan: number | null, nativeVlanMode: NativeVlanMode, mtu: number | null, createdAt: string, mappings: Array<{ hostId: string, hostName: string, nicId: string, nicName: string }> }> };

export type CreateNetworkMutationVariables = Exact<{
  input: CreateNetworkInput;
}>;


export type CreateNetworkMutation = { createNetwork: { id: string, name: string, kind: NetworkKind, bridge: string | null, macvtapMode: MacvtapMode | null, physnet: string | null, vlan: number | null, vlanProtocol: VlanProtocol, trunkVlans: Array<number>, nativeVlan: number | null, nativeVlanMode: NativeVlanMode, mtu: number | null, createdAt: string, mappings: Array<{ hostId: string, hostName: string, nicId: string, nicName: string }> } };

export type UpdateNetworkMutationVariables = Exact<{
  input: UpdateNetworkInput;
}>;


export type UpdateNetworkMutation = { updateNetwork: { id: string, name: string, kind: NetworkKind, bridge: string | null, macvtapMode: MacvtapMode | null, physnet: string | null, vlan: number | null, vlanProtocol: VlanProtocol, trunkVlans: Array<number>, nativeVlan: number | null, nativeVlanMode: NativeVlanMode, mtu: number | null, createdAt: string, mappings: Array<{ hostId: string, hostName: string, nicId: string, nicName: string }> } };

export type MapNetworkToNicMutationVariables = Exact<{
  input: MapNetworkToNicInput;
}>;


export type MapNetworkToNicMutation = { mapNetworkToNic: { id: string, name: string, kind: NetworkKind, bridge: string | null, macvtapMode: MacvtapMode | null, physnet: string | null, vlan: number | null, vlanProtocol: VlanProtocol, trunkVlans: Array<number>, nativeVlan: number | null, nativeVlanMode: NativeVlanMode, mtu: number | null, createdAt: string, mappings: Array<{ hostId: string, hostName: string, nicId: string, nicName: string }> } };

export type UnmapNetworkFromNicMutationVariables = Exact<{
  input: MapNetworkToNicInput;
}>;


export type UnmapNetworkFromNicMutation = { unmapNetworkFromNic: { id: string, name: string, kind: NetworkKind, bridge: string | null, macvtapMode: MacvtapMode | null, physnet: string | null, vlan: number | null, vlanProtocol: VlanProtocol, trunkVlans: Array<number>, nativeVlan: number | null, nativeVlanMode: NativeVlanMode, mtu: number | null, createdAt: string, mappings: Array<{ hostId: string, hostName: string, nicId: string, nicName: string }> } };

export type DeleteNetworkMutationVariables = Exact<{
  id: string;
}>;


export type DeleteNetworkMutation = { deleteNetwork: { id: string } };

export type VmsQueryVariables = Exact<{
  filter?: VmFilterInput | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type VmsQuery = { vms: { totalCount: number, pageInfo: { endCursor: string | null, hasNextPage: boolean }, nodes: Array<{ id: string, name: string, state: VmState, hostId: string | null, hostName: string | null, numaNode: number | null, vcpus: number, memoryMiB: number, errorCode: string | null, errorMessage: string | null, createdAt: string, planState: { source: ValueSource, at: string | null, vmId: string | null, vmName: string | null } | null, interfaces: Array<{ id: string, index: number, datapath: Datapath | null, model: string | null, queues: number | null, networkId: string, networkName: string | null, mac: string | null, vlan: number | null, sourceDev: string | null }> }> } };

export type HostDriftQueryVariables = Exact<{
  hostId: string;
}>;


export type HostDriftQuery = { driftEvents: Array<{ id: string, vmId: string | null, vmName: string | null, field: string, expected: string, actual: string, detectedAt: string, repairedAt: string | null }> };

export type CheckDriftMutationVariables = Exact<{
  hostId: string;
}>;


export type CheckDriftMutation = { checkDrift: Array<{ id: string }> };

export type ReconcileHostMutationVariables = Exact<{
  hostId: string;
}>;


export type ReconcileHostMutation = { reconcileHost: Array<{ id: string }> };

export type GroupFieldsFragment = { id: string, name: string, policy: GroupPolicy, enforcement: GroupEnforcement, maxPerHost: number | null, members: number, createdAt: string };

export type GroupsQueryVariables = Exact<{ [key: string]: never; }>;


export type GroupsQuery = { groups: Array<{ id: string, name: string, policy: GroupPolicy, enforcement: GroupEnforcement, maxPerHost: number | null, members: number, createdAt: string }> };

export type CreateGroupMutationVariables = Exact<{
  input: CreateGroupInput;
}>;


export type CreateGroupMutation = { createGroup: { id: string, name: string, policy: GroupPolicy, enforcement: GroupEnforcement, maxPerHost: number | null, members: number, createdAt: string } };

export type DeleteGroupMutationVariables = Exact<{
  ref: string;
}>;


export type DeleteGroupMutation = { deleteGroup: { id: string, name: string, policy: GroupPolicy, enforcement: GroupEnforcement, maxPerHost: number | null, members: number, createdAt: string } };

export type PlanFieldsFragment = { hostName: string, numaNodes: Array<number>, emulatorCpus: Array<number>, vhostCpus: Array<number>, isolatedSiblings: Array<number>, hugepages: HugepageSize, memoryMode: string, penalties: Array<string>, vcpuPins: Array<{ vcpu: number, cpus: Array<number> }>, interfaces: Array<{ index: number, networkName: string, datapath: Datapath, model: string, queues: number | null, nicName: string | null, numaNode: number | null, numaLocal: boolean, failover: boolean, minBandwidthMbps: number, maxBandwidthMbps: number, mtu: number | null, vfIndex: number | null, sourceDevice: string | null, mac: string, vlan: number | null, cost: { exitsPerPacket: string, cpusPerFlow: number, relativeCost: number } }>, irqAffinity: Array<{ irq: number, nicName: string, queue: number, cpus: Array<number> }>, rps: Array<{ nicName: string, rxQueue: number, cpus: Array<number> }>, score: { total: number, breakdown: Array<{ weigher: string, weight: number, value: number, weighted: number }> } };

export type PreviewPlacementQueryVariables = Exact<{
  input: VmInput;
}>;


export type PreviewPlacementQuery = { previewPlacement: { fits: boolean, plan: { hostName: string, numaNodes: Array<number>, emulatorCpus: Array<number>, vhostCpus: Array<number>, isolatedSiblings: Array<number>, hugepages: HugepageSize, memoryMode: string, penalties: Array<string>, vcpuPins: Array<{ vcpu: number, cpus: Array<number> }>, interfaces: Array<{ index: number, networkName: string, datapath: Datapath, model: string, queues: number | null, nicName: string | null, numaNode: number | null, numaLocal: boolean, failover: boolean, minBandwidthMbps: number, maxBandwidthMbps: number, mtu: number | null, vfIndex: number | null, sourceDevice: string | null, mac: string, vlan: number | null, cost: { exitsPerPacket: string, cpusPerFlow: number, relativeCost: number } }>, irqAffinity: Array<{ irq: number, nicName: string, queue: number, cpus: Array<number> }>, rps: Array<{ nicName: string, rxQueue: number, cpus: Array<number> }>, score: { total: number, breakdown: Array<{ weigher: string, weight: number, value: number, weighted: number }> } } | null, rejection: { message: string, hostsConsidered: number, summary: Array<{ code: ReasonCode, hosts: number, examples: Array<string> }>, requestReasons: Array<{ code: ReasonCode, detail: string }> } | null } };

export type ExplainPlacementQueryVariables = Exact<{
  input: VmInput;
  host: string;
}>;


export type ExplainPlacementQuery = { explainPlacement: { hostName: string, fits: boolean, reasons: Array<{ code: ReasonCode, detail: string }> } };

export type CapacityQueryVariables = Exact<{
  input: VmInput;
}>;


export type CapacityQuery = { capacity: { total: number, byDatapath: Array<{ datapaths: string, count: number }>, perHost: Array<{ hostName: string, count: number, byDatapath: Array<{ datapaths: string, count: number }> }>, requestReasons: Array<{ code: ReasonCode, detail: string }>, refusals: Array<{ code: ReasonCode, hosts: number }> } };

export type OperationFieldsFragment = { id: string, kind: string, targetType: string, targetId: string, targetName: string | null, state: OperationState, progress: number, step: string | null, startedAt: string | null, errorCode: string | null, errorMessage: string | null, errorStderr: string | null, createdAt: string, finishedAt: string | null, steps: Array<{ name: string, state: string, startedAt: string | null, finishedAt: string | null }> };

export type CreateVmMutationVariables = Exact<{
  input: VmInput;
  idempotencyKey?: string | null | undefined;
}>;


export type CreateVmMutation = { createVm: { vm: { id: string, name: string, state: VmState }, operation: { id: string, kind: string, targetType: string, targetId: string, targetName: string | null, state: OperationState, progress: number, step: string | null, startedAt: string | null, errorCode: string | null, errorMessage: string | null, errorStderr: string | null, createdAt: string, finishedAt: string | null, steps: Array<{ name: string, state: string, startedAt: string | null, finishedAt: string | null }> } } };

export type DeleteVmMutationVariables = Exact<{
  id: string;
  force?: boolean | null | undefined;
}>;


export type DeleteVmMutation = { deleteVm: { id: string, kind: string, targetType: string, targetId: string, targetName: string | null, state: OperationState, progress: number, step: string | null, startedAt: string | null, errorCode: string | null, errorMessage: string | null, errorStderr: string | null, createdAt: string, finishedAt: string | null, steps: Array<{ name: string, state: string, startedAt: string | null, finishedAt: string | null }> } };

export type StartVmMutationVariables = Exact<{
  id: string;
}>;


export type StartVmMutation = { startVm: { id: string, kind: string, targetType: string, targetId: string, targetName: string | null, state: OperationState, progress: number, step: string | null, startedAt: string | null, errorCode: string | null, errorMessage: string | null, errorStderr: string | null, createdAt: string, finishedAt: string | null, steps: Array<{ name: string, state: string, startedAt: string | null, finishedAt: string | null }> } };

export type StopVmMutationVariables = Exact<{
  id: string;
  input?: StopVmInput | null | undefined;
}>;


export type StopVmMutation = { stopVm: { id: string, kind: string, targetType: string, targetId: string, targetName: string | null, state: OperationState, progress: number, step: string | null, startedAt: string | null, errorCode: string | null, errorMessage: string | null, errorStderr: string | null, createdAt: string, finishedAt: string | null, steps: Array<{ name: string, state: string, startedAt: string | null, finishedAt: string | null }> } };

export type RebootVmMutationVariables = Exact<{
  id: string;
}>;


export type RebootVmMutation = { rebootVm: { id: string, kind: string, targetType: string, targetId: string, targetName: string | null, state: OperationState, progress: number, step: string | null, startedAt: string | null, errorCode: string | null, errorMessage: string | null, errorStderr: string | null, createdAt: string, finishedAt: string | null, steps: Array<{ name: string, state: string, startedAt: string | null, finishedAt: string | null }> } };

export type MigrateVmMutationVariables = Exact<{
  id: string;
  input?: MigrateVmInput | null | undefined;
}>;


export type MigrateVmMutation = { migrateVm: { id: string, kind: string, targetType: string, targetId: string, targetName: string | null, state: OperationState, progress: number, step: string | null, startedAt: string | null, errorCode: string | null, errorMessage: string | null, errorStderr: string | null, createdAt: string, finishedAt: string | null, steps: Array<{ name: string, state: string, startedAt: string | null, finishedAt: string | null }> } };

export type PreviewMigrationQueryVariables = Exact<{
  vmId: string;
  input?: MigrateVmInput | null | undefined;
}>;


export type PreviewMigrationQuery = { previewMigration: { vmId: string, strategy: MigrationStrategy, possible: boolean, steps: Array<string>, sourceHost: { id: string, name: string } | null, targetHost: { id: string, name: string } | null, refusals: Array<{ code: string, message: string, interfaceIndex: number | null }>, rejection: { message: string } | null } };

export type AttachInterfaceMutationVariables = Exact<{
  vmId: string;
  input: VmInterfaceInput;
}>;


export type AttachInterfaceMutation = { attachInterface: { id: string, kind: string, targetType: string, targetId: string, targetName: string | null, state: OperationState, progress: number, step: string | null, startedAt: string | null, errorCode: string | null, errorMessage: string | null, errorStderr: string | null, createdAt: string, finishedAt: string | null, steps: Array<{ name: string, state: string, startedAt: string | null, finishedAt: string | null }> } };

export type DetachInterfaceMutationVariables = Exact<{
  vmId: string;
  interfaceId: string;
  input?: DetachInterfaceInput | null | undefined;
}>;


export type DetachInterfaceMutation = { detachInterface: { id: string, kind: string, targetType: string, targetId: string, targetName: string | null, state: OperationState, progress: number, step: string | null, startedAt: string | null, errorCode: string | null, errorMessage: string | null, errorStderr: string | null, createdAt: string, finishedAt: string | null, steps: Array<{ name: string, state: string, startedAt: string | null, finishedAt: string | null }> } };

export type DiscoverHostMutationVariables = Exact<{
  id: string;
}>;


export type DiscoverHostMutation = { discoverHost: { id: string, kind: string, targetType: string, targetId: string, targetName: string | null, state: OperationState, progress: number, step: string | null, startedAt: string | null, errorCode: string | null, errorMessage: string | null, errorStderr: string | null, createdAt: string, finishedAt: string | null, steps: Array<{ name: string, state: string, startedAt: string | null, finishedAt: string | null }> } };

export type OperationQueryVariables = Exact<{
  id: string;
}>;


export type OperationQuery = { operation: { id: string, kind: string, targetType: string, targetId: string, targetName: string | null, state: OperationState, progress: number, step: string | null, startedAt: string | null, errorCode: string | null, errorMessage: string | null, errorStderr: string | null, createdAt: string, finishedAt: string | null, steps: Array<{ name: string, state: string, startedAt: string | null, finishedAt: string | null }> } };

export type OperationsQueryVariables = Exact<{
  state?: OperationState | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type OperationsQuery = { operations: { totalCount: number, pageInfo: { endCursor: string | null, hasNextPage: boolean }, nodes: Array<{ id: string, kind: string, targetType: string, targetId: string, targetName: string | null, state: OperationState, progress: number, step: string | null, startedAt: string | null, errorCode: string | null, errorMessage: string | null, errorStderr: string | null, createdAt: string, finishedAt: string | null, steps: Array<{ name: string, state: string, startedAt: string | null, finishedAt: string | null }> }> } };

export type OperationUpdatedSubscriptionVariables = Exact<{
  id?: string | null | undefined;
}>;


export type OperationUpdatedSubscription = { operationUpdated: { id: string, kind: string, targetType: string, targetId: string, targetName: string | null, state: OperationState, progress: number, step: string | null, startedAt: string | null, errorCode: string | null, errorMessage: string | null, errorStderr: string | null, createdAt: string, finishedAt: string | null, steps: Array<{ name: string, state: string, startedAt: string | null, finishedAt: string | null }> } };

export type DrainHostMutationVariables = Exact<{
  id: string;
  input?: DrainHostInput | null | undefined;
}>;


export type DrainHostMutation = { drainHost: { id: string, kind: string, targetType: string, targetId: string, targetName: string | null, state: OperationState, progress: number, step: string | null, startedAt: string | null, errorCode: string | null, errorMessage: string | null, errorStderr: string | null, createdAt: string, finishedAt: string | null, steps: Array<{ name: string, state: string, startedAt: string | null, finishedAt: string | null }> } };

export type UndrainHostMutationVariables = Exact<{
  id: string;
}>;


export type UndrainHostMutation = { undrainHost: { id: string, name: string, state: HostState } };

export type OperationResultQueryVariables = Exact<{
  id: string;
}>;


export type OperationResultQuery = { operation: { id: string, resultJson: string | null } };

export type SriovPolicyFieldsFragment = { id: string, name: string, priority: number, hostNamePattern: string | null, pfNamePattern: string | null, driver: string | null, vendorId: string | null, deviceId: string | null, numVfs: number, spoofchk: boolean, trust: boolean, linkState: string, maxTxRateMbps: number, updatedAt: string, hostLabels: Array<{ key: string, value: string }>, status: { hostsMatched: number, pfsMatched: number, converged: number, pending: number, blocked: number, failed: number, targets: Array<{ hostId: string, hostName: string, nicId: string, nicName: string, state: SriovTargetState, reason: string | null, blockedBy: Array<string>, operationId: string | null, updatedAt: string }> } };

export type SriovPoliciesQueryVariables = Exact<{ [key: string]: never; }>;


export type SriovPoliciesQuery = { sriovPolicies: Array<{ id: string, name: string, priority: number, hostNamePattern: string | null, pfNamePattern: string | null, driver: string | null, vendorId: string | null, deviceId: string | null, numVfs: number, spoofchk: boolean, trust: boolean, linkState: string, maxTxRateMbps: number, updatedAt: string, hostLabels: Array<{ key: string, value: string }>, status: { hostsMatched: number, pfsMatched: number, converged: number, pending: number, blocked: number, failed: number, targets: Array<{ hostId: string, hostName: string, nicId: string, nicName: string, state: SriovTargetState, reason: string | null, blockedBy: Array<string>, operationId: string | null, updatedAt: string }> } }> };

export type SriovPolicyQueryVariables = Exact<{
  name: string;
}>;


export type SriovPolicyQuery = { sriovPolicy: { id: string, name: string, priority: number, hostNamePattern: string | null, pfNamePattern: string | null, driver: string | null, vendorId: string | null, deviceId: string | null, numVfs: number, spoofchk: boolean, trust: boolean, linkState: string, maxTxRateMbps: number, updatedAt: string, hostLabels: Array<{ key: string, value: string }>, status: { hostsMatched: number, pfsMatched: number, converged: number, pending: number, blocked: number, failed: number, targets: Array<{ hostId: string, hostName: string, nicId: string, nicName: string, state: SriovTargetState, reason: string | null, blockedBy: Array<string>, operationId: string | null, updatedAt: string }> } } };

export type CreateSriovPolicyMutationVariables = Exact<{
  input: CreateSriovPolicyInput;
}>;


export type CreateSriovPolicyMutation = { createSriovPolicy: { id: string, name: string, priority: number, hostNamePattern: string | null, pfNamePattern: string | null, driver: string | null, vendorId: string | null, deviceId: string | null, numVfs: number, spoofchk: boolean, trust: boolean, linkState: string, maxTxRateMbps: number, updatedAt: string, hostLabels: Array<{ key: string, value: string }>, status: { hostsMatched: number, pfsMatched: number, converged: number, pending: number, blocked: number, failed: number, targets: Array<{ hostId: string, hostName: string, nicId: string, nicName: string, state: SriovTargetState, reason: string | null, blockedBy: Array<string>, operationId: string | null, updatedAt: string }> } } };

export type UpdateSriovPolicyMutationVariables = Exact<{
  name: string;
  input: UpdateSriovPolicyInput;
}>;


export type UpdateSriovPolicyMutation = { updateSriovPolicy: { id: string, name: string, priority: number, hostNamePattern: string | null, pfNamePattern: string | null, driver: string | null, vendorId: string | null, deviceId: string | null, numVfs: number, spoofchk: boolean, trust: boolean, linkState: string, maxTxRateMbps: number, updatedAt: string, hostLabels: Array<{ key: string, value: string }>, status: { hostsMatched: number, pfsMatched: number, converged: number, pending: number, blocked: number, failed: number, targets: Array<{ hostId: string, hostName: string, nicId: string, nicName: string, state: SriovTargetState, reason: string | null, blockedBy: Array<string>, operationId: string | null, updatedAt: string }> } } };

export type DeleteSriovPolicyMutationVariables = Exact<{
  name: string;
}>;


export type DeleteSriovPolicyMutation = { deleteSriovPolicy: { name: string } };

export type ReconcileSriovPoliciesMutationVariables = Exact<{ [key: string]: never; }>;


export type ReconcileSriovPoliciesMutation = { reconcileSriovPolicies: Array<{ id: string, kind: string, targetId: string, state: OperationState }> };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ApiTokenFieldsFragmentDoc = new TypedDocumentString(`
    fragment ApiTokenFields on ApiToken {
  id
  name
  role
  prefix
  createdBy
  createdAt
  lastUsedAt
  revokedAt
}
    `, {"fragmentName":"ApiTokenFields"}) as unknown as TypedDocumentString<ApiTokenFieldsFragment, unknown>;
export const SshSecretFieldsFragmentDoc = new TypedDocumentString(`
    fragment SshSecretFields on SshSecret {
  id
  name
  fingerprint
  publicKey
  keyId
  current
  hosts
  createdBy
  createdAt
  updatedAt
}
    `, {"fragmentName":"SshSecretFields"}) as unknown as TypedDocumentString<SshSecretFieldsFragment, unknown>;
export const ValueStateFieldsFragmentDoc = new TypedDocumentString(`
    fragment ValueStateFields on ValueState {
  source
  at
  vmId
  vmName
}
    `, {"fragmentName":"ValueStateFields"}) as unknown as TypedDocumentString<ValueStateFieldsFragment, unknown>;
export const PlanFieldsFragmentDoc = new TypedDocumentString(`
    fragment PlanFields on PlanView {
  hostName
  numaNodes
  vcpuPins {
    vcpu
    cpus
  }
  emulatorCpus
  vhostCpus
  isolatedSiblings
  hugepages
  memoryMode
  interfaces {
    index
    networkName
    datapath
    model
    queues
    nicName
    numaNode
    numaLocal
    failover
    minBandwidthMbps
    maxBandwidthMbps
    mtu
    vfIndex
    sourceDevice
    mac
    vlan
    cost {
      exitsPerPacket
      cpusPerFlow
      relativeCost
    }
  }
  irqAffinity {
    irq
    nicName
    queue
    cpus
  }
  rps {
    nicName
    rxQueue
    cpus
  }
  score {
    total
    breakdown {
      weigher
      weight
      value
      weighted
    }
  }
  penalties
}
    `, {"fragmentName":"PlanFields"}) as unknown as TypedDocumentString<PlanFieldsFragment, unknown>;
export const VmFieldsFragmentDoc = new TypedDocumentString(`
    fragment VmFields on Vm {
  id
  name
  state
  hostId
  hostName
  groupId
  planState {
    ...ValueStateFields
  }
  numaNode
  vcpus
  memoryMiB
  errorCode
  errorMessage
  createdAt
  updatedAt
  interfaces {
    id
    index
    datapath
    model
    queues
    networkId
    networkName
    mac
    vlan
    sourceDev
  }
  plan {
    ...PlanFields
  }
}
    fragment ValueStateFields on ValueState {
  source
  at
  vmId
  vmName
}
fragment PlanFields on PlanView {
  hostName
  numaNodes
  vcpuPins {
    vcpu
    cpus
  }
  emulatorCpus
  vhostCpus
  isolatedSiblings
  hugepages
  memoryMode
  interfaces {
    index
    networkName
    datapath
    model
    queues
    nicName
    numaNode
    numaLocal
    failover
    minBandwidthMbps
    maxBandwidthMbps
    mtu
    vfIndex
    sourceDevice
    mac
    vlan
    cost {
      exitsPerPacket
      cpusPerFlow
      relativeCost
    }
  }
  irqAffinity {
    irq
    nicName
    queue
    cpus
  }
  rps {
    nicName
    rxQueue
    cpus
  }
  score {
    total
    breakdown {
      weigher
      weight
      value
      weighted
    }
  }
  penalties
}`, {"fragmentName":"VmFields"}) as unknown as TypedDocumentString<VmFieldsFragment, unknown>;
export const CpuFieldsFragmentDoc = new TypedDocumentString(`
    fragment CpuFields on Cpu {
  cpuId
  core
  socket
  numaNode
  siblings
  reservedForHost
  allocation {
    vmId
    vmName
    role
  }
  uses {
    role
    vmId
    vmName
  }
}
    `, {"fragmentName":"CpuFields"}) as unknown as TypedDocumentString<CpuFieldsFragment, unknown>;
export const CpuCountFieldsFragmentDoc = new TypedDocumentString(`
    fragment CpuCountFields on CpuCounts {
  total
  reservedForHost
  usable
  allocated
  free
}
    `, {"fragmentName":"CpuCountFields"}) as unknown as TypedDocumentString<CpuCountFieldsFragment, unknown>;
export const NicFieldsFragmentDoc = new TypedDocumentString(`
    fragment NicFields on Nic {
  id
  name
  pciAddress
  driver
  numaNode
  speedMbps
  mtu
  maxMtu
  linkState
  combinedQueues
  maxCombinedQueues
  sriovNumVfs
  sriovTotalVfs
  vfCounts {
    configured
    allocated
    free
  }
  irqs {
    irq
    queue
    label
    affinity
    discoveredAffinity
    ownerVmId
    ownerVmName
    state {
      ...ValueStateFields
    }
  }
  vfs {
    index
    pciAddress
    mac
    vlan
    discoveredMac
    linkState
    spoofchk
    trust
    allocatedToVmId
    allocatedToVmName
    state {
      ...ValueStateFields
    }
  }
}
    fragment ValueStateFields on ValueState {
  source
  at
  vmId
  vmName
}`, {"fragmentName":"NicFields"}) as unknown as TypedDocumentString<NicFieldsFragment, unknown>;
export const PlacedVmFieldsFragmentDoc = new TypedDocumentString(`
    fragment PlacedVmFields on PlacedVm {
  id
  name
  state
  planState {
    ...ValueStateFields
  }
}
    fragment ValueStateFields on ValueState {
  source
  at
  vmId
  vmName
}`, {"fragmentName":"PlacedVmFields"}) as unknown as TypedDocumentString<PlacedVmFieldsFragment, unknown>;
export const HostTopologyFieldsFragmentDoc = new TypedDocumentString(`
    fragment HostTopologyFields on Host {
  id
  name
  address
  port
  sshUser
  state
  stateReason
  lastDiscoveredAt
  credentialRef
  hostKeyFingerprint
  capabilities {
    iommu
    vhostNet
    kvm
    vmx
    svm
    ept
    npt
    ovs
  }
  bridges {
    name
    kind
  }
  labels {
    key
    value
  }
  numaNodes {
    index
    memoryMiB
    hugepages {
      sizeKiB
      total
      free
    }
    cpus {
      ...CpuFields
    }
    cpuCounts {
      ...CpuCountFields
    }
  }
  nics {
    ...NicFields
  }
  cpuCounts {
    ...CpuCountFields
  }
  vms {
    ...PlacedVmFields
  }
}
    fragment CpuFields on Cpu {
  cpuId
  core
  socket
  numaNode
  siblings
  reservedForHost
  allocation {
    vmId
    vmName
    role
  }
  uses {
    role
    vmId
    vmName
  }
}
fragment ValueStateFields on ValueState {
  source
  at
  vmId
  vmName
}
fragment CpuCountFields on CpuCounts {
  total
  reservedForHost
  usable
  allocated
  free
}
fragment PlacedVmFields on PlacedVm {
  id
  name
  state
  planState {
    ...ValueStateFields
  }
}
fragment NicFields on Nic {
  id
  name
  pciAddress
  driver
  numaNode
  speedMbps
  mtu
  maxMtu
  linkState
  combinedQueues
  maxCombinedQueues
  sriovNumVfs
  sriovTotalVfs
  vfCounts {
    configured
    allocated
    free
  }
  irqs {
    irq
    queue
    label
    affinity
    discoveredAffinity
    ownerVmId
    ownerVmName
    state {
      ...ValueStateFields
    }
  }
  vfs {
    index
    pciAddress
    mac
    vlan
    discoveredMac
    linkState
    spoofchk
    trust
    allocatedToVmId
    allocatedToVmName
    state {
      ...ValueStateFields
    }
  }
}`, {"fragmentName":"HostTopologyFields"}) as unknown as TypedDocumentString<HostTopologyFieldsFragment, unknown>;
export const HostSummaryFieldsFragmentDoc = new TypedDocumentString(`
    fragment HostSummaryFields on Host {
  id
  name
  address
  state
  stateReason
  lastDiscoveredAt
  capabilities {
    iommu
    vhostNet
    kvm
    vmx
    svm
    ept
    npt
    ovs
  }
  labels {
    key
    value
  }
  numaNodes {
    index
    memoryMiB
    hugepages {
      sizeKiB
      total
      free
    }
    cpuCounts {
      ...CpuCountFields
    }
  }
  nics {
    id
    name
    numaNode
    sriovNumVfs
    sriovTotalVfs
    vfCounts {
      configured
      allocated
      free
    }
  }
  cpuCounts {
    ...CpuCountFields
  }
}
    fragment CpuCountFields on CpuCounts {
  total
  reservedForHost
  usable
  allocated
  free
}`, {"fragmentName":"HostSummaryFields"}) as unknown as TypedDocumentString<HostSummaryFieldsFragment, unknown>;
export const NetworkFieldsFragmentDoc = new TypedDocumentString(`
    fragment NetworkFields on Network {
  id
  name
  kind
  bridge
  macvtapMode
  physnet
  vlan
  vlanProtocol
  trunkVlans
  nativeVlan
  nativeVlanMode
  mtu
  createdAt
  mappings {
    hostId
    hostName
    nicId
    nicName
  }
}
    `, {"fragmentName":"NetworkFields"}) as unknown as TypedDocumentString<NetworkFieldsFragment, unknown>;
export const GroupFieldsFragmentDoc = new TypedDocumentString(`
    fragment GroupFields on Group {
  id
  name
  policy
  enforcement
  maxPerHost
  members
  createdAt
}
    `, {"fragmentName":"GroupFields"}) as unknown as TypedDocumentString<GroupFieldsFragment, unknown>;
export const OperationFieldsFragmentDoc = new TypedDocumentString(`
    fragment OperationFields on Operation {
  id
  kind
  targetType
  targetId
  targetName
  state
  progress
  step
  steps {
    name
    state
    startedAt
    finishedAt
  }
  startedAt
  errorCode
  errorMessage
  errorStderr
  createdAt
  finishedAt
}
    `, {"fragmentName":"OperationFields"}) as unknown as TypedDocumentString<OperationFieldsFragment, unknown>;
export const SriovPolicyFieldsFragmentDoc = new TypedDocumentString(`
    fragment SriovPolicyFields on SriovPolicy {
  id
  name
  priority
  hostNamePattern
  hostLabels {
    key
    value
  }
  pfNamePattern
  driver
  vendorId
  deviceId
  numVfs
  spoofchk
  trust
  linkState
  maxTxRateMbps
  updatedAt
  status {
    hostsMatched
    pfsMatched
    converged
    pending
    blocked
    failed
    targets {
      hostId
      hostName
      nicId
      nicName
      state
      reason
      blockedBy
      operationId
      updatedAt
    }
  }
}
    `, {"fragmentName":"SriovPolicyFields"}) as unknown as TypedDocumentString<SriovPolicyFieldsFragment, unknown>;
export const ApiTokensDocument = new TypedDocumentString(`
    query ApiTokens {
  apiTokens {
    ...ApiTokenFields
  }
}
    fragment ApiTokenFields on ApiToken {
  id
  name
  role
  prefix
  createdBy
  createdAt
  lastUsedAt
  revokedAt
}`) as unknown as TypedDocumentString<ApiTokensQuery, ApiTokensQueryVariables>;
export const CreateApiTokenDocument = new TypedDocumentString(`
    mutation CreateApiToken($input: CreateApiTokenInput!) {
  createApiToken(input: $input) {
    token
    apiToken {
      ...ApiTokenFields
    }
  }
}
    fragment ApiTokenFields on ApiToken {
  id
  name
  role
  prefix
  createdBy
  createdAt
  lastUsedAt
  revokedAt
}`) as unknown as TypedDocumentString<CreateApiTokenMutation, CreateApiTokenMutationVariables>;
export const RevokeApiTokenDocument = new TypedDocumentString(`
    mutation RevokeApiToken($id: ID!) {
  revokeApiToken(id: $id) {
    ...ApiTokenFields
  }
}
    fragment ApiTokenFields on ApiToken {
  id
  name
  role
  prefix
  createdBy
  createdAt
  lastUsedAt
  revokedAt
}`) as unknown as TypedDocumentString<RevokeApiTokenMutation, RevokeApiTokenMutationVariables>;
export const SshSecretsDocument = new TypedDocumentString(`
    query SshSecrets {
  sshSecrets {
    ...SshSecretFields
  }
}
    fragment SshSecretFields on SshSecret {
  id
  name
  fingerprint
  publicKey
  keyId
  current
  hosts
  createdBy
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<SshSecretsQuery, SshSecretsQueryVariables>;
export const CreateSshSecretDocument = new TypedDocumentString(`
    mutation CreateSshSecret($input: CreateSshSecretInput!) {
  createSshSecret(input: $input) {
    ...SshSecretFields
  }
}
    fragment SshSecretFields on SshSecret {
  id
  name
  fingerprint
  publicKey
  keyId
  current
  hosts
  createdBy
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CreateSshSecretMutation, CreateSshSecretMutationVariables>;
export const DeleteSshSecretDocument = new TypedDocumentString(`
    mutation DeleteSshSecret($id: ID!) {
  deleteSshSecret(id: $id) {
    id
    name
  }
}
    `) as unknown as TypedDocumentString<DeleteSshSecretMutation, DeleteSshSecretMutationVariables>;
export const RotateSshSecretsDocument = new TypedDocumentString(`
    mutation RotateSshSecrets {
  rotateSshSecrets {
    reencrypted
    keyId
  }
}
    `) as unknown as TypedDocumentString<RotateSshSecretsMutation, RotateSshSecretsMutationVariables>;
export const AuditEventsDocument = new TypedDocumentString(`
    query AuditEvents($action: String, $tokenId: ID, $first: Int) {
  auditEvents(action: $action, tokenId: $tokenId, first: $first) {
    id
    at
    tokenId
    actor
    action
    targetType
    targetId
    targetKind
    targetName
    inputJson
    result
    count
    address
    requestId
  }
}
    `) as unknown as TypedDocumentString<AuditEventsQuery, AuditEventsQueryVariables>;
export const RegisterHostDocument = new TypedDocumentString(`
    mutation RegisterHost($input: RegisterHostInput!) {
  registerHost(input: $input) {
    ...HostTopologyFields
  }
}
    fragment HostTopologyFields on Host {
  id
  name
  address
  port
  sshUser
  state
  stateReason
  lastDiscoveredAt
  credentialRef
  hostKeyFingerprint
  capabilities {
    iommu
    vhostNet
    kvm
    vmx
    svm
    ept
    npt
    ovs
  }
  bridges {
    name
    kind
  }
  labels {
    key
    value
  }
  numaNodes {
    index
    memoryMiB
    hugepages {
      sizeKiB
      total
      free
    }
    cpus {
      ...CpuFields
    }
    cpuCounts {
      ...CpuCountFields
    }
  }
  nics {
    ...NicFields
  }
  cpuCounts {
    ...CpuCountFields
  }
  vms {
    ...PlacedVmFields
  }
}
fragment CpuFields on Cpu {
  cpuId
  core
  socket
  numaNode
  siblings
  reservedForHost
  allocation {
    vmId
    vmName
    role
  }
  uses {
    role
    vmId
    vmName
  }
}
fragment ValueStateFields on ValueState {
  source
  at
  vmId
  vmName
}
fragment CpuCountFields on CpuCounts {
  total
  reservedForHost
  usable
  allocated
  free
}
fragment PlacedVmFields on PlacedVm {
  id
  name
  state
  planState {
    ...ValueStateFields
  }
}
fragment NicFields on Nic {
  id
  name
  pciAddress
  driver
  numaNode
  speedMbps
  mtu
  maxMtu
  linkState
  combinedQueues
  maxCombinedQueues
  sriovNumVfs
  sriovTotalVfs
  vfCounts {
    configured
    allocated
    free
  }
  irqs {
    irq
    queue
    label
    affinity
    discoveredAffinity
    ownerVmId
    ownerVmName
    state {
      ...ValueStateFields
    }
  }
  vfs {
    index
    pciAddress
    mac
    vlan
    discoveredMac
    linkState
    spoofchk
    trust
    allocatedToVmId
    allocatedToVmName
    state {
      ...ValueStateFields
    }
  }
}`) as unknown as TypedDocumentString<RegisterHostMutation, RegisterHostMutationVariables>;
export const UpdateHostDocument = new TypedDocumentString(`
    mutation UpdateHost($id: ID!, $input: UpdateHostInput!) {
  updateHost(id: $id, input: $input) {
    ...HostTopologyFields
  }
}
    fragment HostTopologyFields on Host {
  id
  name
  address
  port
  sshUser
  state
  stateReason
  lastDiscoveredAt
  credentialRef
  hostKeyFingerprint
  capabilities {
    iommu
    vhostNet
    kvm
    vmx
    svm
    ept
    npt
    ovs
  }
  bridges {
    name
    kind
  }
  labels {
    key
    value
  }
  numaNodes {
    index
    memoryMiB
    hugepages {
      sizeKiB
      total
      free
    }
    cpus {
      ...CpuFields
    }
    cpuCounts {
      ...CpuCountFields
    }
  }
  nics {
    ...NicFields
  }
  cpuCounts {
    ...CpuCountFields
  }
  vms {
    ...PlacedVmFields
  }
}
fragment CpuFields on Cpu {
  cpuId
  core
  socket
  numaNode
  siblings
  reservedForHost
  allocation {
    vmId
    vmName
    role
  }
  uses {
    role
    vmId
    vmName
  }
}
fragment ValueStateFields on ValueState {
  source
  at
  vmId
  vmName
}
fragment CpuCountFields on CpuCounts {
  total
  reservedForHost
  usable
  allocated
  free
}
fragment PlacedVmFields on PlacedVm {
  id
  name
  state
  planState {
    ...ValueStateFields
  }
}
fragment NicFields on Nic {
  id
  name
  pciAddress
  driver
  numaNode
  speedMbps
  mtu
  maxMtu
  linkState
  combinedQueues
  maxCombinedQueues
  sriovNumVfs
  sriovTotalVfs
  vfCounts {
    configured
    allocated
    free
  }
  irqs {
    irq
    queue
    label
    affinity
    discoveredAffinity
    ownerVmId
    ownerVmName
    state {
      ...ValueStateFields
    }
  }
  vfs {
    index
    pciAddress
    mac
    vlan
    discoveredMac
    linkState
    spoofchk
    trust
    allocatedToVmId
    allocatedToVmName
    state {
      ...ValueStateFields
    }
  }
}`) as unknown as TypedDocumentString<UpdateHostMutation, UpdateHostMutationVariables>;
export const ConfigureSriovDocument = new TypedDocumentString(`
    mutation ConfigureSriov($id: ID!, $nic: String!, $numVfs: Int!) {
  configureSriov(id: $id, nic: $nic, numVfs: $numVfs) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  kind
  targetType
  targetId
  targetName
  state
  progress
  step
  steps {
    name
    state
    startedAt
    finishedAt
  }
  startedAt
  errorCode
  errorMessage
  errorStderr
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<ConfigureSriovMutation, ConfigureSriovMutationVariables>;
export const HostDocument = new TypedDocumentString(`
    query Host($id: ID, $name: String) {
  host(id: $id, name: $name) {
    ...HostTopologyFields
  }
}
    fragment HostTopologyFields on Host {
  id
  name
  address
  port
  sshUser
  state
  stateReason
  lastDiscoveredAt
  credentialRef
  hostKeyFingerprint
  capabilities {
    iommu
    vhostNet
    kvm
    vmx
    svm
    ept
    npt
    ovs
  }
  bridges {
    name
    kind
  }
  labels {
    key
    value
  }
  numaNodes {
    index
    memoryMiB
    hugepages {
      sizeKiB
      total
      free
    }
    cpus {
      ...CpuFields
    }
    cpuCounts {
      ...CpuCountFields
    }
  }
  nics {
    ...NicFields
  }
  cpuCounts {
    ...CpuCountFields
  }
  vms {
    ...PlacedVmFields
  }
}
fragment CpuFields on Cpu {
  cpuId
  core
  socket
  numaNode
  siblings
  reservedForHost
  allocation {
    vmId
    vmName
    role
  }
  uses {
    role
    vmId
    vmName
  }
}
fragment ValueStateFields on ValueState {
  source
  at
  vmId
  vmName
}
fragment CpuCountFields on CpuCounts {
  total
  reservedForHost
  usable
  allocated
  free
}
fragment PlacedVmFields on PlacedVm {
  id
  name
  state
  planState {
    ...ValueStateFields
  }
}
fragment NicFields on Nic {
  id
  name
  pciAddress
  driver
  numaNode
  speedMbps
  mtu
  maxMtu
  linkState
  combinedQueues
  maxCombinedQueues
  sriovNumVfs
  sriovTotalVfs
  vfCounts {
    configured
    allocated
    free
  }
  irqs {
    irq
    queue
    label
    affinity
    discoveredAffinity
    ownerVmId
    ownerVmName
    state {
      ...ValueStateFields
    }
  }
  vfs {
    index
    pciAddress
    mac
    vlan
    discoveredMac
    linkState
    spoofchk
    trust
    allocatedToVmId
    allocatedToVmName
    state {
      ...ValueStateFields
    }
  }
}`) as unknown as TypedDocumentString<HostQuery, HostQueryVariables>;
export const VmDocument = new TypedDocumentString(`
    query Vm($id: ID!) {
  vm(id: $id) {
    ...VmFields
  }
}
    fragment VmFields on Vm {
  id
  name
  state
  hostId
  hostName
  groupId
  planState {
    ...ValueStateFields
  }
  numaNode
  vcpus
  memoryMiB
  errorCode
  errorMessage
  createdAt
  updatedAt
  interfaces {
    id
    index
    datapath
    model
    queues
    networkId
    networkName
    mac
    vlan
    sourceDev
  }
  plan {
    ...PlanFields
  }
}
fragment ValueStateFields on ValueState {
  source
  at
  vmId
  vmName
}
fragment PlanFields on PlanView {
  hostName
  numaNodes
  vcpuPins {
    vcpu
    cpus
  }
  emulatorCpus
  vhostCpus
  isolatedSiblings
  hugepages
  memoryMode
  interfaces {
    index
    networkName
    datapath
    model
    queues
    nicName
    numaNode
    numaLocal
    failover
    minBandwidthMbps
    maxBandwidthMbps
    mtu
    vfIndex
    sourceDevice
    mac
    vlan
    cost {
      exitsPerPacket
      cpusPerFlow
      relativeCost
    }
  }
  irqAffinity {
    irq
    nicName
    queue
    cpus
  }
  rps {
    nicName
    rxQueue
    cpus
  }
  score {
    total
    breakdown {
      weigher
      weight
      value
      weighted
    }
  }
  penalties
}`) as unknown as TypedDocumentString<VmQuery, VmQueryVariables>;
export const VmListDocument = new TypedDocumentString(`
    query VmList($filter: VmFilterInput, $first: Int, $after: String) {
  vms(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo {
      endCursor
      hasNextPage
    }
    nodes {
      ...VmFields
    }
  }
}
    fragment VmFields on Vm {
  id
  name
  state
  hostId
  hostName
  groupId
  planState {
    ...ValueStateFields
  }
  numaNode
  vcpus
  memoryMiB
  errorCode
  errorMessage
  createdAt
  updatedAt
  interfaces {
    id
    index
    datapath
    model
    queues
    networkId
    networkName
    mac
    vlan
    sourceDev
  }
  plan {
    ...PlanFields
  }
}
fragment ValueStateFields on ValueState {
  source
  at
  vmId
  vmName
}
fragment PlanFields on PlanView {
  hostName
  numaNodes
  vcpuPins {
    vcpu
    cpus
  }
  emulatorCpus
  vhostCpus
  isolatedSiblings
  hugepages
  memoryMode
  interfaces {
    index
    networkName
    datapath
    model
    queues
    nicName
    numaNode
    numaLocal
    failover
    minBandwidthMbps
    maxBandwidthMbps
    mtu
    vfIndex
    sourceDevice
    mac
    vlan
    cost {
      exitsPerPacket
      cpusPerFlow
      relativeCost
    }
  }
  irqAffinity {
    irq
    nicName
    queue
    cpus
  }
  rps {
    nicName
    rxQueue
    cpus
  }
  score {
    total
    breakdown {
      weigher
      weight
      value
      weighted
    }
  }
  penalties
}`) as unknown as TypedDocumentString<VmListQuery, VmListQueryVariables>;
export const OperationListDocument = new TypedDocumentString(`
    query OperationList($state: OperationState, $kind: String, $targetId: ID, $first: Int, $after: String) {
  operations(
    state: $state
    kind: $kind
    targetId: $targetId
    first: $first
    after: $after
  ) {
    totalCount
    pageInfo {
      endCursor
      hasNextPage
    }
    nodes {
      ...OperationFields
    }
  }
}
    fragment OperationFields on Operation {
  id
  kind
  targetType
  targetId
  targetName
  state
  progress
  step
  steps {
    name
    state
    startedAt
    finishedAt
  }
  startedAt
  errorCode
  errorMessage
  errorStderr
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<OperationListQuery, OperationListQueryVariables>;
export const FleetDocument = new TypedDocumentString(`
    query Fleet($first: Int, $after: String, $filter: HostFilterInput) {
  hosts(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      ...HostSummaryFields
    }
  }
}
    fragment CpuCountFields on CpuCounts {
  total
  reservedForHost
  usable
  allocated
  free
}
fragment HostSummaryFields on Host {
  id
  name
  address
  state
  stateReason
  lastDiscoveredAt
  capabilities {
    iommu
    vhostNet
    kvm
    vmx
    svm
    ept
    npt
    ovs
  }
  labels {
    key
    value
  }
  numaNodes {
    index
    memoryMiB
    hugepages {
      sizeKiB
      total
      free
    }
    cpuCounts {
      ...CpuCountFields
    }
  }
  nics {
    id
    name
    numaNode
    sriovNumVfs
    sriovTotalVfs
    vfCounts {
      configured
      allocated
      free
    }
  }
  cpuCounts {
    ...CpuCountFields
  }
}`) as unknown as TypedDocumentString<FleetQuery, FleetQueryVariables>;
export const HostDetailDocument = new TypedDocumentString(`
    query HostDetail($name: String!) {
  host(name: $name) {
    id
    name
    address
    port
    sshUser
    state
    stateReason
    lastDiscoveredAt
    capabilities {
      iommu
      vhostNet
      kvm
      vmx
      svm
      ept
      npt
      ovs
    }
    foreignDomains {
      name
      cpus
      pciDevices
    }
    labels {
      key
      value
    }
    numaNodes {
      index
      memoryMiB
      hugepages {
        sizeKiB
        total
        free
      }
      cpus {
        ...CpuFields
      }
      cpuCounts {
        ...CpuCountFields
      }
    }
    nics {
      ...NicFields
    }
    cpuCounts {
      ...CpuCountFields
    }
    vms {
      ...PlacedVmFields
    }
  }
}
    fragment CpuFields on Cpu {
  cpuId
  core
  socket
  numaNode
  siblings
  reservedForHost
  allocation {
    vmId
    vmName
    role
  }
  uses {
    role
    vmId
    vmName
  }
}
fragment ValueStateFields on ValueState {
  source
  at
  vmId
  vmName
}
fragment CpuCountFields on CpuCounts {
  total
  reservedForHost
  usable
  allocated
  free
}
fragment PlacedVmFields on PlacedVm {
  id
  name
  state
  planState {
    ...ValueStateFields
  }
}
fragment NicFields on Nic {
  id
  name
  pciAddress
  driver
  numaNode
  speedMbps
  mtu
  maxMtu
  linkState
  combinedQueues
  maxCombinedQueues
  sriovNumVfs
  sriovTotalVfs
  vfCounts {
    configured
    allocated
    free
  }
  irqs {
    irq
    queue
    label
    affinity
    discoveredAffinity
    ownerVmId
    ownerVmName
    state {
      ...ValueStateFields
    }
  }
  vfs {
    index
    pciAddress
    mac
    vlan
    discoveredMac
    linkState
    spoofchk
    trust
    allocatedToVmId
    allocatedToVmName
    state {
      ...ValueStateFields
    }
  }
}`) as unknown as TypedDocumentString<HostDetailQuery, HostDetailQueryVariables>;
export const HostNamesDocument = new TypedDocumentString(`
    query HostNames {
  hosts(first: 500) {
    nodes {
      id
      name
      state
      nics {
        id
        name
        numaNode
      }
    }
  }
}
    `) as unknown as TypedDocumentString<HostNamesQuery, HostNamesQueryVariables>;
export const SetHostMaintenanceDocument = new TypedDocumentString(`
    mutation SetHostMaintenance($id: ID!, $input: MaintenanceInput!) {
  setHostMaintenance(id: $id, input: $input) {
    id
    state
    stateReason
  }
}
    `) as unknown as TypedDocumentString<SetHostMaintenanceMutation, SetHostMaintenanceMutationVariables>;
export const NetworksDocument = new TypedDocumentString(`
    query Networks {
  networks {
    ...NetworkFields
  }
}
    fragment NetworkFields on Network {
  id
  name
  kind
  bridge
  macvtapMode
  physnet
  vlan
  vlanProtocol
  trunkVlans
  nativeVlan
  nativeVlanMode
  mtu
  createdAt
  mappings {
    hostId
    hostName
    nicId
    nicName
  }
}`) as unknown as TypedDocumentString<NetworksQuery, NetworksQueryVariables>;
export const CreateNetworkDocument = new TypedDocumentString(`
    mutation CreateNetwork($input: CreateNetworkInput!) {
  createNetwork(input: $input) {
    ...NetworkFields
  }
}
    fragment NetworkFields on Network {
  id
  name
  kind
  bridge
  macvtapMode
  physnet
  vlan
  vlanProtocol
  trunkVlans
  nativeVlan
  nativeVlanMode
  mtu
  createdAt
  mappings {
    hostId
    hostName
    nicId
    nicName
  }
}`) as unknown as TypedDocumentString<CreateNetworkMutation, CreateNetworkMutationVariables>;
export const UpdateNetworkDocument = new TypedDocumentString(`
    mutation UpdateNetwork($input: UpdateNetworkInput!) {
  updateNetwork(input: $input) {
    ...NetworkFields
  }
}
    fragment NetworkFields on Network {
  id
  name
  kind
  bridge
  macvtapMode
  physnet
  vlan
  vlanProtocol
  trunkVlans
  nativeVlan
  nativeVlanMode
  mtu
  createdAt
  mappings {
    hostId
    hostName
    nicId
    nicName
  }
}`) as unknown as TypedDocumentString<UpdateNetworkMutation, UpdateNetworkMutationVariables>;
export const MapNetworkToNicDocument = new TypedDocumentString(`
    mutation MapNetworkToNic($input: MapNetworkToNicInput!) {
  mapNetworkToNic(input: $input) {
    ...NetworkFields
  }
}
    fragment NetworkFields on Network {
  id
  name
  kind
  bridge
  macvtapMode
  physnet
  vlan
  vlanProtocol
  trunkVlans
  nativeVlan
  nativeVlanMode
  mtu
  createdAt
  mappings {
    hostId
    hostName
    nicId
    nicName
  }
}`) as unknown as TypedDocumentString<MapNetworkToNicMutation, MapNetworkToNicMutationVariables>;
export const UnmapNetworkFromNicDocument = new TypedDocumentString(`
    mutation UnmapNetworkFromNic($input: MapNetworkToNicInput!) {
  unmapNetworkFromNic(input: $input) {
    ...NetworkFields
  }
}
    fragment NetworkFields on Network {
  id
  name
  kind
  bridge
  macvtapMode
  physnet
  vlan
  vlanProtocol
  trunkVlans
  nativeVlan
  nativeVlanMode
  mtu
  createdAt
  mappings {
    hostId
    hostName
    nicId
    nicName
  }
}`) as unknown as TypedDocumentString<UnmapNetworkFromNicMutation, UnmapNetworkFromNicMutationVariables>;
export const DeleteNetworkDocument = new TypedDocumentString(`
    mutation DeleteNetwork($id: ID!) {
  deleteNetwork(id: $id) {
    id
  }
}
    `) as unknown as TypedDocumentString<DeleteNetworkMutation, DeleteNetworkMutationVariables>;
export const VmsDocument = new TypedDocumentString(`
    query Vms($filter: VmFilterInput, $first: Int, $after: String) {
  vms(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo {
      endCursor
      hasNextPage
    }
    nodes {
      id
      name
      state
      hostId
      hostName
      planState {
        ...ValueStateFields
      }
      numaNode
      vcpus
      memoryMiB
      errorCode
      errorMessage
      createdAt
      interfaces {
        id
        index
        datapath
        model
        queues
        networkId
        networkName
        mac
        vlan
        sourceDev
      }
    }
  }
}
    fragment ValueStateFields on ValueState {
  source
  at
  vmId
  vmName
}`) as unknown as TypedDocumentString<VmsQuery, VmsQueryVariables>;
export const HostDriftDocument = new TypedDocumentString(`
    query HostDrift($hostId: ID!) {
  driftEvents(hostId: $hostId, first: 20) {
    id
    vmId
    vmName
    field
    expected
    actual
    detectedAt
    repairedAt
  }
}
    `) as unknown as TypedDocumentString<HostDriftQuery, HostDriftQueryVariables>;
export const CheckDriftDocument = new TypedDocumentString(`
    mutation CheckDrift($hostId: ID!) {
  checkDrift(hostId: $hostId) {
    id
  }
}
    `) as unknown as TypedDocumentString<CheckDriftMutation, CheckDriftMutationVariables>;
export const ReconcileHostDocument = new TypedDocumentString(`
    mutation ReconcileHost($hostId: ID!) {
  reconcileHost(hostId: $hostId) {
    id
  }
}
    `) as unknown as TypedDocumentString<ReconcileHostMutation, ReconcileHostMutationVariables>;
export const GroupsDocument = new TypedDocumentString(`
    query Groups {
  groups {
    ...GroupFields
  }
}
    fragment GroupFields on Group {
  id
  name
  policy
  enforcement
  maxPerHost
  members
  createdAt
}`) as unknown as TypedDocumentString<GroupsQuery, GroupsQueryVariables>;
export const CreateGroupDocument = new TypedDocumentString(`
    mutation CreateGroup($input: CreateGroupInput!) {
  createGroup(input: $input) {
    ...GroupFields
  }
}
    fragment GroupFields on Group {
  id
  name
  policy
  enforcement
  maxPerHost
  members
  createdAt
}`) as unknown as TypedDocumentString<CreateGroupMutation, CreateGroupMutationVariables>;
export const DeleteGroupDocument = new TypedDocumentString(`
    mutation DeleteGroup($ref: String!) {
  deleteGroup(ref: $ref) {
    ...GroupFields
  }
}
    fragment GroupFields on Group {
  id
  name
  policy
  enforcement
  maxPerHost
  members
  createdAt
}`) as unknown as TypedDocumentString<DeleteGroupMutation, DeleteGroupMutationVariables>;
export const PreviewPlacementDocument = new TypedDocumentString(`
    query PreviewPlacement($input: VmInput!) {
  previewPlacement(input: $input) {
    fits
    plan {
      ...PlanFields
    }
    rejection {
      message
      hostsConsidered
      summary {
        code
        hosts
        examples
      }
      requestReasons {
        code
        detail
      }
    }
  }
}
    fragment PlanFields on PlanView {
  hostName
  numaNodes
  vcpuPins {
    vcpu
    cpus
  }
  emulatorCpus
  vhostCpus
  isolatedSiblings
  hugepages
  memoryMode
  interfaces {
    index
    networkName
    datapath
    model
    queues
    nicName
    numaNode
    numaLocal
    failover
    minBandwidthMbps
    maxBandwidthMbps
    mtu
    vfIndex
    sourceDevice
    mac
    vlan
    cost {
      exitsPerPacket
      cpusPerFlow
      relativeCost
    }
  }
  irqAffinity {
    irq
    nicName
    queue
    cpus
  }
  rps {
    nicName
    rxQueue
    cpus
  }
  score {
    total
    breakdown {
      weigher
      weight
      value
      weighted
    }
  }
  penalties
}`) as unknown as TypedDocumentString<PreviewPlacementQuery, PreviewPlacementQueryVariables>;
export const ExplainPlacementDocument = new TypedDocumentString(`
    query ExplainPlacement($input: VmInput!, $host: String!) {
  explainPlacement(input: $input, host: $host) {
    hostName
    fits
    reasons {
      code
      detail
    }
  }
}
    `) as unknown as TypedDocumentString<ExplainPlacementQuery, ExplainPlacementQueryVariables>;
export const CapacityDocument = new TypedDocumentString(`
    query Capacity($input: VmInput!) {
  capacity(input: $input) {
    total
    byDatapath {
      datapaths
      count
    }
    perHost {
      hostName
      count
      byDatapath {
        datapaths
        count
      }
    }
    requestReasons {
      code
      detail
    }
    refusals {
      code
      hosts
    }
  }
}
    `) as unknown as TypedDocumentString<CapacityQuery, CapacityQueryVariables>;
export const CreateVmDocument = new TypedDocumentString(`
    mutation CreateVm($input: VmInput!, $idempotencyKey: String) {
  createVm(input: $input, idempotencyKey: $idempotencyKey) {
    vm {
      id
      name
      state
    }
    operation {
      ...OperationFields
    }
  }
}
    fragment OperationFields on Operation {
  id
  kind
  targetType
  targetId
  targetName
  state
  progress
  step
  steps {
    name
    state
    startedAt
    finishedAt
  }
  startedAt
  errorCode
  errorMessage
  errorStderr
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<CreateVmMutation, CreateVmMutationVariables>;
export const DeleteVmDocument = new TypedDocumentString(`
    mutation DeleteVm($id: ID!, $force: Boolean) {
  deleteVm(id: $id, force: $force) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  kind
  targetType
  targetId
  targetName
  state
  progress
  step
  steps {
    name
    state
    startedAt
    finishedAt
  }
  startedAt
  errorCode
  errorMessage
  errorStderr
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<DeleteVmMutation, DeleteVmMutationVariables>;
export const StartVmDocument = new TypedDocumentString(`
    mutation StartVm($id: ID!) {
  startVm(id: $id) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  kind
  targetType
  targetId
  targetName
  state
  progress
  step
  steps {
    name
    state
    startedAt
    finishedAt
  }
  startedAt
  errorCode
  errorMessage
  errorStderr
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<StartVmMutation, StartVmMutationVariables>;
export const StopVmDocument = new TypedDocumentString(`
    mutation StopVm($id: ID!, $input: StopVmInput) {
  stopVm(id: $id, input: $input) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  kind
  targetType
  targetId
  targetName
  state
  progress
  step
  steps {
    name
    state
    startedAt
    finishedAt
  }
  startedAt
  errorCode
  errorMessage
  errorStderr
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<StopVmMutation, StopVmMutationVariables>;
export const RebootVmDocument = new TypedDocumentString(`
    mutation RebootVm($id: ID!) {
  rebootVm(id: $id) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  kind
  targetType
  targetId
  targetName
  state
  progress
  step
  steps {
    name
    state
    startedAt
    finishedAt
  }
  startedAt
  errorCode
  errorMessage
  errorStderr
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<RebootVmMutation, RebootVmMutationVariables>;
export const MigrateVmDocument = new TypedDocumentString(`
    mutation MigrateVm($id: ID!, $input: MigrateVmInput) {
  migrateVm(id: $id, input: $input) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  kind
  targetType
  targetId
  targetName
  state
  progress
  step
  steps {
    name
    state
    startedAt
    finishedAt
  }
  startedAt
  errorCode
  errorMessage
  errorStderr
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<MigrateVmMutation, MigrateVmMutationVariables>;
export const PreviewMigrationDocument = new TypedDocumentString(`
    query PreviewMigration($vmId: ID!, $input: MigrateVmInput) {
  previewMigration(vmId: $vmId, input: $input) {
    vmId
    strategy
    possible
    sourceHost {
      id
      name
    }
    targetHost {
      id
      name
    }
    refusals {
      code
      message
      interfaceIndex
    }
    steps
    rejection {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<PreviewMigrationQuery, PreviewMigrationQueryVariables>;
export const AttachInterfaceDocument = new TypedDocumentString(`
    mutation AttachInterface($vmId: ID!, $input: VmInterfaceInput!) {
  attachInterface(vmId: $vmId, input: $input) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  kind
  targetType
  targetId
  targetName
  state
  progress
  step
  steps {
    name
    state
    startedAt
    finishedAt
  }
  startedAt
  errorCode
  errorMessage
  errorStderr
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<AttachInterfaceMutation, AttachInterfaceMutationVariables>;
export const DetachInterfaceDocument = new TypedDocumentString(`
    mutation DetachInterface($vmId: ID!, $interfaceId: ID!, $input: DetachInterfaceInput) {
  detachInterface(vmId: $vmId, interfaceId: $interfaceId, input: $input) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  kind
  targetType
  targetId
  targetName
  state
  progress
  step
  steps {
    name
    state
    startedAt
    finishedAt
  }
  startedAt
  errorCode
  errorMessage
  errorStderr
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<DetachInterfaceMutation, DetachInterfaceMutationVariables>;
export const DiscoverHostDocument = new TypedDocumentString(`
    mutation DiscoverHost($id: ID!) {
  discoverHost(id: $id) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  kind
  targetType
  targetId
  targetName
  state
  progress
  step
  steps {
    name
    state
    startedAt
    finishedAt
  }
  startedAt
  errorCode
  errorMessage
  errorStderr
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<DiscoverHostMutation, DiscoverHostMutationVariables>;
export const OperationDocument = new TypedDocumentString(`
    query Operation($id: ID!) {
  operation(id: $id) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  kind
  targetType
  targetId
  targetName
  state
  progress
  step
  steps {
    name
    state
    startedAt
    finishedAt
  }
  startedAt
  errorCode
  errorMessage
  errorStderr
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<OperationQuery, OperationQueryVariables>;
export const OperationsDocument = new TypedDocumentString(`
    query Operations($state: OperationState, $first: Int, $after: String) {
  operations(state: $state, first: $first, after: $after) {
    totalCount
    pageInfo {
      endCursor
      hasNextPage
    }
    nodes {
      ...OperationFields
    }
  }
}
    fragment OperationFields on Operation {
  id
  kind
  targetType
  targetId
  targetName
  state
  progress
  step
  steps {
    name
    state
    startedAt
    finishedAt
  }
  startedAt
  errorCode
  errorMessage
  errorStderr
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<OperationsQuery, OperationsQueryVariables>;
export const OperationUpdatedDocument = new TypedDocumentString(`
    subscription OperationUpdated($id: ID) {
  operationUpdated(id: $id) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  kind
  targetType
  targetId
  targetName
  state
  progress
  step
  steps {
    name
    state
    startedAt
    finishedAt
  }
  startedAt
  errorCode
  errorMessage
  errorStderr
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<OperationUpdatedSubscription, OperationUpdatedSubscriptionVariables>;
export const DrainHostDocument = new TypedDocumentString(`
    mutation DrainHost($id: ID!, $input: DrainHostInput) {
  drainHost(id: $id, input: $input) {
    ...OperationFields
  }
}
    fragment OperationFields on Operation {
  id
  kind
  targetType
  targetId
  targetName
  state
  progress
  step
  steps {
    name
    state
    startedAt
    finishedAt
  }
  startedAt
  errorCode
  errorMessage
  errorStderr
  createdAt
  finishedAt
}`) as unknown as TypedDocumentString<DrainHostMutation, DrainHostMutationVariables>;
export const UndrainHostDocument = new TypedDocumentString(`
    mutation UndrainHost($id: ID!) {
  undrainHost(id: $id) {
    id
    name
    state
  }
}
    `) as unknown as TypedDocumentString<UndrainHostMutation, UndrainHostMutationVariables>;
export const OperationResultDocument = new TypedDocumentString(`
    query OperationResult($id: ID!) {
  operation(id: $id) {
    id
    resultJson
  }
}
    `) as unknown as TypedDocumentString<OperationResultQuery, OperationResultQueryVariables>;
export const SriovPoliciesDocument = new TypedDocumentString(`
    query SriovPolicies {
  sriovPolicies {
    ...SriovPolicyFields
  }
}
    fragment SriovPolicyFields on SriovPolicy {
  id
  name
  priority
  hostNamePattern
  hostLabels {
    key
    value
  }
  pfNamePattern
  driver
  vendorId
  deviceId
  numVfs
  spoofchk
  trust
  linkState
  maxTxRateMbps
  updatedAt
  status {
    hostsMatched
    pfsMatched
    converged
    pending
    blocked
    failed
    targets {
      hostId
      hostName
      nicId
      nicName
      state
      reason
      blockedBy
      operationId
      updatedAt
    }
  }
}`) as unknown as TypedDocumentString<SriovPoliciesQuery, SriovPoliciesQueryVariables>;
export const SriovPolicyDocument = new TypedDocumentString(`
    query SriovPolicy($name: String!) {
  sriovPolicy(name: $name) {
    ...SriovPolicyFields
  }
}
    fragment SriovPolicyFields on SriovPolicy {
  id
  name
  priority
  hostNamePattern
  hostLabels {
    key
    value
  }
  pfNamePattern
  driver
  vendorId
  deviceId
  numVfs
  spoofchk
  trust
  linkState
  maxTxRateMbps
  updatedAt
  status {
    hostsMatched
    pfsMatched
    converged
    pending
    blocked
    failed
    targets {
      hostId
      hostName
      nicId
      nicName
      state
      reason
      blockedBy
      operationId
      updatedAt
    }
  }
}`) as unknown as TypedDocumentString<SriovPolicyQuery, SriovPolicyQueryVariables>;
export const CreateSriovPolicyDocument = new TypedDocumentString(`
    mutation CreateSriovPolicy($input: CreateSriovPolicyInput!) {
  createSriovPolicy(input: $input) {
    ...SriovPolicyFields
  }
}
    fragment SriovPolicyFields on SriovPolicy {
  id
  name
  priority
  hostNamePattern
  hostLabels {
    key
    value
  }
  pfNamePattern
  driver
  vendorId
  deviceId
  numVfs
  spoofchk
  trust
  linkState
  maxTxRateMbps
  updatedAt
  status {
    hostsMatched
    pfsMatched
    converged
    pending
    blocked
    failed
    targets {
      hostId
      hostName
      nicId
      nicName
      state
      reason
      blockedBy
      operationId
      updatedAt
    }
  }
}`) as unknown as TypedDocumentString<CreateSriovPolicyMutation, CreateSriovPolicyMutationVariables>;
export const UpdateSriovPolicyDocument = new TypedDocumentString(`
    mutation UpdateSriovPolicy($name: String!, $input: UpdateSriovPolicyInput!) {
  updateSriovPolicy(name: $name, input: $input) {
    ...SriovPolicyFields
  }
}
    fragment SriovPolicyFields on SriovPolicy {
  id
  name
  priority
  hostNamePattern
  hostLabels {
    key
    value
  }
  pfNamePattern
  driver
  vendorId
  deviceId
  numVfs
  spoofchk
  trust
  linkState
  maxTxRateMbps
  updatedAt
  status {
    hostsMatched
    pfsMatched
    converged
    pending
    blocked
    failed
    targets {
      hostId
      hostName
      nicId
      nicName
      state
      reason
      blockedBy
      operationId
      updatedAt
    }
  }
}`) as unknown as TypedDocumentString<UpdateSriovPolicyMutation, UpdateSriovPolicyMutationVariables>;
export const DeleteSriovPolicyDocument = new TypedDocumentString(`
    mutation DeleteSriovPolicy($name: String!) {
  deleteSriovPolicy(name: $name) {
    name
  }
}
    `) as unknown as TypedDocumentString<DeleteSriovPolicyMutation, DeleteSriovPolicyMutationVariables>;
export const ReconcileSriovPoliciesDocument = new TypedDocumentString(`
    mutation ReconcileSriovPolicies {
  reconcileSriovPolicies {
    id
    kind
    targetId
    state
  }
}
    `) as unknown as TypedDocumentString<ReconcileSriovPoliciesMutation, ReconcileSriovPoliciesMutationVariables>;