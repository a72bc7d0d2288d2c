import { ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { CPU_POLICIES, DATAPATH_REQUESTS, EMULATOR_THREAD_POLICIES, NUMA_POLICIES, REASON_CODES, THREAD_POLICIES } from '@netpin/contracts';
import { HugepageSizeEnum } from './plan-view.model';
import { defineEnum, Prop } from '../common/prop';
import { Vm } from '../vms/vm.model';
import { PlanView } from './plan-view.model';
import { Operation } from '../operations/operation.model';

export const DatapathRequestEnum = defineEnum(
  'DatapathRequest',
  DATAPATH_REQUESTS,
  'AUTO lets netpin choose the fastest datapath the host and guest allow',
);
export const CpuPolicyEnum = defineEnum('CpuPolicy', CPU_POLICIES);
export const ThreadPolicyEnum = defineEnum(
  'ThreadPolicy',
  THREAD_POLICIES,
  "Nova's meaning: REQUIRE sibling pairs, ISOLATE whole cores, PREFER siblings when possible",
);
export const EmulatorThreadsEnum = defineEnum('EmulatorThreads', EMULATOR_THREAD_POLICIES);
export const NumaPolicyEnum = defineEnum('NumaPolicy', NUMA_POLICIES);
export const ReasonCodeEnum = defineEnum(
  'ReasonCode',
  REASON_CODES,
  'Why a host or request was rejected; stable codes (docs/placement.md)',
);

@InputType()
export class VmInterfaceInput {
  @Prop(String, { description: 'Network name or id' }) network!: string;
  @Prop(DatapathRequestEnum, { optional: true, defaultValue: 'AUTO' }) datapath?: string;
  @Prop(Boolean, { optional: true, defaultValue: false }) liveMigratable?: boolean;
  @Prop(Int, {
    optional: true,
    defaultValue: 0,
    description: "Guaranteed transmit Mbit/s, reserved from the NIC's speed at placement (VF min_tx_rate where the datapath enforces it)",
  })
  minBandwidthMbps?: number;
  @Prop(Int, {
    optional: true,
    defaultValue: 0,
    description: 'Transmit cap in Mbit/s, 0 = none: VF max_tx_rate, or libvirt <bandwidth><outbound> on a tap or macvtap',
  })
  maxBandwidthMbps?: number;
  @Prop(String, { nullable: true }) mac?: string | null;
  @Prop(Int, { nullable: true }) vlan?: number | null;
}

@InputType()
export class VmInput {
  @Prop(String, { example: 'web-01' }) name!: string;
  @Prop(Int, { example: 4 }) vcpus!: number;
  @Prop(Int, { example: 4096 }) memoryMiB!: number;
  @Prop(HugepageSizeEnum, { optional: true, defaultValue: 'NONE' }) hugepages?: string;
  @Prop(CpuPolicyEnum, { optional: true, defaultValue: 'DEDICATED' }) cpuPolicy?: string;
  @Prop(ThreadPolicyEnum, { optional: true, defaultValue: 'PREFER' }) threadPolicy?: string;
  @Prop(EmulatorThreadsEnum, { optional: true, defaultValue: 'SHARE' }) emulatorThreads?: string;
  @Prop(NumaPolicyEnum, { optional: true, defaultValue: 'REQUIRED' }) numaPolicy?: string;
  @Prop(Boolean, { optional: true, defaultValue: true, description: 'The guest has virtio drivers' }) guestVirtio?: boolean;
  @Prop(Boolean, { optional: true, defaultValue: true, description: 'The guest has a driver for the SR-IOV VF' }) guestVfDriver?: boolean;
  @Prop(VmInterfaceInput, { array: true, optional: true }) interfaces?: VmInterfaceInput[];
  @Prop(String, { nullable: true, description: 'Place on this host (name or id)' }) pinHost?: string | null;
  @Prop(String, { nullable: true, description: 'Affinity group (name or id) the VM joins; its policy filters or weighs hosts' })
  group?: string | null;
  @Prop(String, { array: true, optional: true }) avoidHosts?: string[];
}

@ObjectType()
export class ReasonCount {
  @Prop(ReasonCodeEnum) code!: string;
  @Prop(Int) hosts!: number;
  @Prop(String, { array: true }) examples!: string[];
}

@ObjectType()
export class ReasonDetail {
  @Prop(ReasonCodeEnum) code!: string;
  @Prop(String) detail!: string;
}

@ObjectType({ description: 'Why nothing fits: hosts per reason, with examples' })
export class RejectionView {
  @Prop(String) message!: string;
  @Prop(Int) hostsConsidered!: number;
  @Prop(ReasonCount, { array: true }) summary!: ReasonCount[];
  @Prop(ReasonDetail, { array: true }) requestReasons!: ReasonDetail[];
}

@ObjectType()
export class PlacementPreview {
  @Prop(Boolean) fits!: boolean;
  @Prop(PlanView, { nullable: true }) plan!: PlanView | null;
  @Prop(RejectionView, { nullable: true }) rejection!: RejectionView | null;
}

@ObjectType()
export class HostExplanation {
  @Prop(ID) hostId!: string;
  @Prop(String) hostName!: string;
  @Prop(Boolean) fits!: boolean;
  @Prop(ReasonDetail, { array: true }) reasons!: ReasonDetail[];
}

@ObjectType()
export class DatapathCount {
  @Prop(String, { description: "The interfaces' datapaths joined with +" }) datapaths!: string;
  @Prop(Int) count!: number;
}

@ObjectType()
export class HostCapacity {
  @Prop(ID) hostId!: string;
  @Prop(String) hostName!: string;
  @Prop(Int) count!: number;
  @Prop(DatapathCount, { array: true }) byDatapath!: DatapathCount[];
}

@ObjectType({ description: 'How many more VMs of a shape fit' })
export class CapacityReport {
  @Prop(Int) total!: number;
  @Prop(DatapathCount, { array: true }) byDatapath!: DatapathCount[];
  @Prop(HostCapacity, { array: true }) perHost!: HostCapacity[];
  @Prop(ReasonDetail, { array: true, description: 'Why the shape fits no host at all (a VLAN trunk no datapath carries ...)' })
  requestReasons!: ReasonDetail[];
  @Prop(ReasonCount, { array: true, description: 'Hosts that take none of the shape, by the first reason each gave' })
  refusals!: ReasonCount[];
}

@ObjectType()
export class CreateVmPayload {
  @Prop(Vm) vm!: Vm;
  @Prop(Operation) operation!: Operation;
}

@InputType()
export class ExplainInput {
  @Prop(VmInput) input!: VmInput;
  @Prop(String, { description: 'Host name or id' }) host!: string;
}
