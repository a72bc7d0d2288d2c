import { GraphQLISODateTime, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { CPU_FEATURE_POLICIES, CPU_OWNER_ROLES, GUEST_CPU_MODES, HOST_BRIDGE_KINDS, HOST_STATES, VIRT_TYPES } from '@netpin/contracts';
import { PageInfo } from '../common/page';
import { defineEnum, Prop } from '../common/prop';
import { VmStateEnum } from '../vms/vm.model';
import { VALUE_SOURCES } from './topology-view';

export const HostStateEnum = defineEnum('HostState', HOST_STATES, 'Lifecycle of a hypervisor in the inventory');
export const CpuRoleEnum = defineEnum('CpuRole', CPU_OWNER_ROLES, 'What a pinned host CPU runs for its VM');
export const VirtTypeEnum = defineEnum('VirtType', VIRT_TYPES, 'KVM (needs VT-x/AMD-V and /dev/kvm) or QEMU (full emulation, TCG)');
export const GuestCpuModeEnum = defineEnum('GuestCpuMode', GUEST_CPU_MODES, 'libvirt <cpu mode>: host-passthrough, host-model or custom');
export const CpuFeaturePolicyEnum = defineEnum('CpuFeaturePolicy', CPU_FEATURE_POLICIES, 'libvirt <feature policy>');

@ObjectType()
@InputType('CpuFeatureInput')
export class CpuFeature {
  @Prop(String, { description: 'CPUID flag as libvirt spells it', example: 'arch-capabilities' }) name!: string;
  @Prop(CpuFeaturePolicyEnum) policy!: string;
}

@ObjectType({ description: "How the host's guests see their CPU (like Nova's cpu_mode, cpu_models, cpu_model_extra_flags)" })
@InputType('GuestCpuInput')
export class GuestCpu {
  @Prop(GuestCpuModeEnum, { optional: true, defaultValue: 'HOST_PASSTHROUGH' }) mode!: string;
  @Prop(String, { nullable: true, description: 'QEMU CPU model, with mode CUSTOM only', example: 'qemu64' }) model?: string | null;
  @Prop(CpuFeature, { array: true, optional: true, description: 'CPUID flags to add or remove' }) features?: CpuFeature[];
}

export const ValueSourceEnum = defineEnum(
  'ValueSource',
  VALUE_SOURCES,
  "DISCOVERED: read from the host by discovery; PLANNED: a VM's plan wants it, not applied yet; APPLIED: the agent applied the plan; VERIFIED: a verify found the host in sync with the plan after its last apply",
);

@ObjectType({ description: 'Where a shown value comes from, and since when' })
export class ValueState {
  @Prop(ValueSourceEnum) source!: string;
  @Prop(GraphQLISODateTime, { nullable: true, description: 'When it was discovered, applied or last verified; null while only planned' })
  at!: Date | null;
  @Prop(ID, { nullable: true, description: 'The VM whose plan set the value (null when discovered)' }) vmId!: string | null;
  @Prop(String, { nullable: true }) vmName!: string | null;
}

@ObjectType()
@InputType('LabelInput')
export class Label {
  @Prop(String) key!: string;
  @Prop(String) value!: string;
}

@ObjectType({ description: 'CPU and platform features found by discovery (docs/datapaths.md, "Host facts discovery reads")' })
export class HostCapabilities {
  @Prop(Boolean) vmx!: boolean;
  @Prop(Boolean) svm!: boolean;
  @Prop(Boolean) ept!: boolean;
  @Prop(Boolean) npt!: boolean;
  @Prop(Boolean, { description: 'VT-d / AMD-Vi IOMMU enabled: required for SR-IOV passthrough' }) iommu!: boolean;
  @Prop(Boolean) kvm!: boolean;
  @Prop(Boolean, { description: '/dev/vhost-net present' }) vhostNet!: boolean;
  @Prop(Boolean, { description: 'Open vSwitch runs (ovs-vsctl list-br answered)' }) ovs!: boolean;
  @Prop(Boolean, { description: 'Open vSwitch with DPDK initialised (dpdk_initialized): vhost-user ports possible' }) ovsDpdk!: boolean;
  @Prop(Boolean, { description: 'the vhost_vdpa driver is loaded (/sys/bus/vdpa/drivers/vhost_vdpa): vDPA interfaces possible' })
  vhostVdpa!: boolean;
}

export const HostBridgeKindEnum = defineEnum('HostBridgeKind', HOST_BRIDGE_KINDS, 'LINUX: a Linux bridge; OVS: an Open vSwitch bridge');

@ObjectType({ description: 'A bridge discovery found on the host (ip -d link show kind bridge; ovs-vsctl list-br)' })
export class HostBridge {
  @Prop(String) name!: string;
  @Prop(HostBridgeKindEnum) kind!: string;
  @Prop(String, {
    nullable: true,
    description: "OVS bridges: 'system' (kernel) or 'netdev' (userspace, DPDK); null for Linux bridges and when unknown",
  })
  datapathType!: string | null;
}

@ObjectType({ description: 'A libvirt domain on the host that netpin did not define (no netpin mark), and what it holds' })
export class ForeignDomain {
  @Prop(String) name!: string;
  @Prop(Int, {
    array: true,
    description: 'Host CPUs it is pinned to (vcpupin, emulatorpin, iothreadpin, vcpu cpuset); placement never uses them',
  })
  cpus!: number[];
  @Prop(String, { array: true, description: 'Host PCI devices passed through to it (VFs among them); placement never gives those VFs' })
  pciDevices!: string[];
}

@ObjectType({ description: 'The VM a CPU is accounted to (one per CPU), and for what' })
export class CpuAllocation {
  @Prop(ID) vmId!: string;
  @Prop(String) vmName!: string;
  @Prop(CpuRoleEnum) role!: string;
}

@ObjectType({ description: 'One role a CPU plays for one VM' })
export class CpuUse {
  @Prop(CpuRoleEnum) role!: string;
  @Prop(ID) vmId!: string;
  @Prop(String) vmName!: string;
}

@ObjectType({ description: 'CPU counts; free = neither reserved for the host nor allocated, usable = total - reservedForHost' })
export class CpuCounts {
  @Prop(Int) total!: number;
  @Prop(Int) reservedForHost!: number;
  @Prop(Int) usable!: number;
  @Prop(Int) allocated!: number;
  @Prop(Int) free!: number;
}

@ObjectType({ description: 'Configured VFs of a PF (sriov_numvfs), and how many VMs hold' })
export class VfCounts {
  @Prop(Int) configured!: number;
  @Prop(Int) allocated!: number;
  @Prop(Int) free!: number;
}

@ObjectType()
export class Cpu {
  @Prop(Int, { description: 'Logical CPU id as the kernel numbers it' }) cpuId!: number;
  @Prop(Int) socket!: number;
  @Prop(Int) core!: number;
  @Prop(Int) numaNode!: number;
  @Prop(Int, { array: true, description: 'Hyperthread siblings, including this CPU' }) siblings!: number[];
  @Prop(Boolean) reservedForHost!: boolean;
  @Prop(CpuAllocation, { nullable: true }) allocation!: CpuAllocation | null;
  @Prop(CpuUse, {
    array: true,
    description:
      "Every role the CPU plays, the accounted one first: an I/O CPU runs NIC IRQs and the vhost threads of every VM using the node's NICs",
  })
  uses!: CpuUse[];
}

@ObjectType()
export class HugepagePool {
  @Prop(Int) sizeKiB!: number;
  @Prop(Int) total!: number;
  @Prop(Int) free!: number;
}

@ObjectType()
export class NumaNode {
  @Prop(Int) index!: number;
  @Prop(Int) memoryMiB!: number;
  @Prop(HugepagePool, { array: true }) hugepages!: HugepagePool[];
  @Prop(Cpu, { array: true }) cpus!: Cpu[];
  @Prop(CpuCounts) cpuCounts!: CpuCounts;
}

@ObjectType()
export class NicIrq {
  @Prop(Int) irq!: number;
  @Prop(Int) queue!: number;
  @Prop(String) label!: string;
  @Prop(Int, {
    array: true,
    description: "CPUs the IRQ is pinned to: the placed VM's plan when one pins it, else what discovery read (see state)",
  })
  affinity!: number[];
  @Prop(Int, { array: true, description: 'CPUs in /proc/irq/N/smp_affinity_list at the last discovery' }) discoveredAffinity!: number[];
  @Prop(ID, { nullable: true, description: 'The VM holding the CPUs the IRQ is pinned to' }) ownerVmId!: string | null;
  @Prop(String, { nullable: true }) ownerVmName!: string | null;
  @Prop(ValueState) state!: ValueState;
}

@ObjectType({ description: 'An SR-IOV virtual function' })
export class Vf {
  @Prop(Int) index!: number;
  @Prop(String, { nullable: true }) pciAddress!: string | null;
  @Prop(String, { nullable: true, description: "The MAC the holding VM's plan gave it, else what discovery read (see state)" }) mac!:
    string | null;
  @Prop(Int, { description: "The VLAN the holding VM's plan gave it, else what discovery read; 0 = untagged" }) vlan!: number;
  @Prop(String, { nullable: true }) discoveredMac!: string | null;
  @Prop(Int) discoveredVlan!: number;
  @Prop(Int) qos!: number;
  @Prop(Boolean) spoofchk!: boolean;
  @Prop(Boolean) trust!: boolean;
  @Prop(String) linkState!: string;
  @Prop(Int) minTxRateMbps!: number;
  @Prop(Int) maxTxRateMbps!: number;
  @Prop(ID, { nullable: true }) allocatedToVmId!: string | null;
  @Prop(String, { nullable: true }) allocatedToVmName!: string | null;
  @Prop(ValueState) state!: ValueState;
}

@ObjectType({ description: 'A physical NIC (PF when SR-IOV capable)' })
export class Nic {
  @Prop(ID) id!: string;
  @Prop(String) name!: string;
  @Prop(String) pciAddress!: string;
  @Prop(String, { nullable: true }) driver!: string | null;
  @Prop(String, { nullable: true, description: 'PCI vendor id from sysfs, e.g. 8086' }) vendorId!: string | null;
  @Prop(String, { nullable: true, description: 'PCI device id from sysfs, e.g. 10fb' }) deviceId!: string | null;
  @Prop(Int, { nullable: true }) numaNode!: number | null;
  @Prop(Int, { nullable: true }) speedMbps!: number | null;
  @Prop(Int, { nullable: true, description: 'MTU now; null until discovered' }) mtu!: number | null;
  @Prop(Int, { nullable: true, description: 'The most the driver takes (ip -d link maxmtu)' }) maxMtu!: number | null;
  @Prop(String) linkState!: string;
  @Prop(Int) combinedQueues!: number;
  @Prop(Int) maxCombinedQueues!: number;
  @Prop(Int) sriovTotalVfs!: number;
  @Prop(Int) sriovNumVfs!: number;
  @Prop(NicIrq, { array: true }) irqs!: NicIrq[];
  @Prop(Vf, { array: true, description: 'The configured VFs (sriovNumVfs of them); sriovTotalVfs is only a maximum' }) vfs!: Vf[];
  @Prop(VfCounts) vfCounts!: VfCounts;
}

@ObjectType({ description: 'A VM holding CPUs, VFs or memory on a host' })
export class PlacedVm {
  @Prop(ID) id!: string;
  @Prop(String) name!: string;
  @Prop(VmStateEnum) state!: string;
  @Prop(ValueState, { description: "Whether the VM's plan is applied and verified on the host, and since when" }) planState!: ValueState;
}

@ObjectType({ description: 'A KVM hypervisor' })
export class Host {
  @Prop(ID) id!: string;
  @Prop(String) name!: string;
  @Prop(String) address!: string;
  @Prop(Int) port!: number;
  @Prop(String) sshUser!: string;
  @Prop(String, { description: 'Reference to the SSH key the agent uses (file:... or secret:...); never key material' })
  credentialRef!: string;
  @Prop(String, { nullable: true }) hostKeyFingerprint!: string | null;
  @Prop(Boolean) trustOnFirstUse!: boolean;
  @Prop(HostStateEnum) state!: string;
  @Prop(String, { nullable: true }) stateReason!: string | null;
  @Prop(Label, { array: true }) labels!: Label[];
  @Prop(VirtTypeEnum, { description: 'The libvirt domain type netpin defines here' }) virtType!: string;
  @Prop(GuestCpu) guestCpu!: GuestCpu;
  @Prop(HostCapabilities) capabilities!: HostCapabilities;
  @Prop(HostBridge, { array: true, nullable: true, description: 'Linux and OVS bridges discovery found; null until a discovery read them' })
  bridges!: HostBridge[] | null;
  @Prop(ForeignDomain, { array: true, description: 'Domains netpin did not define, as the last discovery found them' })
  foreignDomains!: ForeignDomain[];
  @Prop(Int, { array: true, description: "CPUs OVS-DPDK's PMD threads poll on (pmd-cpu-mask); placement never gives them to a VM" })
  pmdCpus!: number[];
  @Prop(GraphQLISODateTime, { nullable: true }) lastDiscoveredAt!: Date | null;
  @Prop(GraphQLISODateTime) createdAt!: Date;
  @Prop(GraphQLISODateTime) updatedAt!: Date;
}

/** REST shape of one host with its topology (GraphQL resolves these lazily instead). */
@ObjectType({ isAbstract: true })
export class HostDetail extends Host {
  @Prop(NumaNode, { array: true }) numaNodes!: NumaNode[];
  @Prop(Nic, { array: true }) nics!: Nic[];
  @Prop(PlacedVm, { array: true }) vms!: PlacedVm[];
  @Prop(CpuCounts) cpuCounts!: CpuCounts;
}

@ObjectType()
export class HostConnection {
  @Prop(Host, { array: true }) nodes!: Host[];
  @Prop(PageInfo) pageInfo!: PageInfo;
  /** Always counted on REST; on GraphQL only when selected (null otherwise, never sent). */
  @Prop(Int) totalCount!: number | null;
}

@InputType()
export class RegisterHostInput {
  @Prop(String, { description: 'Unique DNS-label-like name', example: 'kvm-01' }) name!: string;
  @Prop(String, { description: 'SSH address: IPv4, IPv6 or DNS name', example: '10.0.0.11' }) address!: string;
  @Prop(Int, { optional: true, defaultValue: 22 }) port?: number;
  @Prop(String, { optional: true, defaultValue: 'root' }) sshUser?: string;
  @Prop(String, {
    description: '"file:<path>" (a key in the agent\'s NETPIN_AGENT_KEY_DIR) or "secret:<name>" (see createSshSecret)',
    example: 'file:id_ed25519',
  })
  credentialRef!: string;
  @Prop(String, { nullable: true, description: 'Pinned SSH host key, SHA256:<base64> as ssh-keygen -l prints it' }) hostKeyFingerprint?:
    string | null;
  @Prop(Boolean, { optional: true, defaultValue: false, description: 'Accept and pin the host key seen at first discovery' })
  trustOnFirstUse?: boolean;
  @Prop(Label, { array: true, optional: true }) labels?: Label[];
  @Prop(VirtTypeEnum, { optional: true, defaultValue: 'KVM' }) virtType?: string;
  @Prop(GuestCpu, { optional: true }) guestCpu?: GuestCpu;
}

@InputType()
export class UpdateHostInput {
  @Prop(String, { optional: true }) address?: string;
  @Prop(Int, { optional: true }) port?: number;
  @Prop(String, { optional: true }) sshUser?: string;
  @Prop(String, { optional: true }) credentialRef?: string;
  @Prop(String, { nullable: true }) hostKeyFingerprint?: string | null;
  @Prop(Boolean, { optional: true }) trustOnFirstUse?: boolean;
  @Prop(Label, { array: true, optional: true }) labels?: Label[];
  @Prop(VirtTypeEnum, { optional: true }) virtType?: string;
  @Prop(GuestCpu, { optional: true }) guestCpu?: GuestCpu;
}

@InputType()
export class HostFilterInput {
  @Prop(HostStateEnum, { optional: true }) state?: string;
  @Prop(Boolean, { optional: true }) sriovCapable?: boolean;
  @Prop(String, { optional: true, description: 'Only hosts that carry this network' }) network?: string;
}

@InputType()
export class MaintenanceInput {
  @Prop(Boolean) enabled!: boolean;
  @Prop(String, { nullable: true }) reason?: string | null;
}

@InputType()
export class SriovInput {
  @Prop(Int, { description: 'VF count to configure (0 removes every VF)' }) numVfs!: number;
}
