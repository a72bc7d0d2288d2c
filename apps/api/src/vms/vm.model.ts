import { GraphQLISODateTime, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import {
  DEFAULT_DETACH_TIMEOUT_SECONDS,
  DEFAULT_SHUTDOWN_TIMEOUT_SECONDS,
  MAX_DEVICE_RELEASE_TIMEOUT_MS,
  MAX_SHUTDOWN_TIMEOUT_SECONDS,
  VM_STATES,
} from '@netpin/contracts';
import { PageInfo } from '../common/page';
import { defineEnum, Prop } from '../common/prop';
import { DatapathEnum, PlanView } from '../placement/plan-view.model';

export const VmStateEnum = defineEnum('VmState', VM_STATES);

@ObjectType()
export class VmInterface {
  @Prop(ID, { description: 'What detachInterface names' }) id!: string;
  @Prop(Int, { description: 'Stable for the life of the interface; a detached one leaves a gap' }) index!: number;
  @Prop(ID) networkId!: string;
  @Prop(DatapathEnum, { nullable: true }) datapath!: string | null;
  @Prop(String, { nullable: true }) model!: string | null;
  @Prop(String, { nullable: true }) mac!: string | null;
  @Prop(Int, { nullable: true }) vlan!: number | null;
  @Prop(String, { nullable: true }) sourceDev!: string | null;
  @Prop(Int, { nullable: true, description: 'virtio queues; null for a VF, whose driver sets its queues' }) queues!: number | null;
}

@ObjectType()
export class Vm {
  @Prop(ID) id!: string;
  @Prop(String) name!: string;
  @Prop(ID, { nullable: true }) hostId!: string | null;
  @Prop(VmStateEnum) state!: string;
  @Prop(Int) vcpus!: number;
  @Prop(Int) memoryMiB!: number;
  @Prop(Int, { nullable: true }) numaNode!: number | null;
  @Prop(String, { nullable: true }) errorCode!: string | null;
  @Prop(String, { nullable: true }) errorMessage!: string | null;
  @Prop(ID, { nullable: true, description: 'The affinity group it joined at create' }) groupId!: string | null;
  @Prop(VmInterface, { array: true }) interfaces!: VmInterface[];
  @Prop(PlanView, { nullable: true, description: 'Where and how the VM runs: pins, NUMA node, datapaths, IRQs' }) plan!: PlanView | null;
  @Prop(GraphQLISODateTime) createdAt!: Date;
  @Prop(GraphQLISODateTime) updatedAt!: Date;
}

@InputType()
export class VmFilterInput {
  @Prop(ID, { optional: true }) hostId?: string | null;
  @Prop(String, { optional: true, description: 'Only VMs on this host (by name)' }) hostName?: string | null;
  @Prop(String, { optional: true, description: 'Only VMs of this name (a name is reused once its VM is DELETED)' }) name?: string | null;
  @Prop(VmStateEnum, { optional: true, description: 'Only VMs in this state (DELETED included when named)' }) state?: string | null;
  @Prop(Boolean, { optional: true, defaultValue: false, description: 'List DELETED VMs too' }) includeDeleted?: boolean | null;
}

@InputType({ description: 'How to stop a VM' })
export class StopVmInput {
  @Prop(Boolean, {
    optional: true,
    defaultValue: false,
    description: 'Give back its CPUs, VFs and IRQ/RPS settings (the host baseline is restored); starting it again places it anew',
  })
  release?: boolean | null;
  @Prop(Int, {
    optional: true,
    defaultValue: DEFAULT_SHUTDOWN_TIMEOUT_SECONDS,
    description: `Seconds to wait for the guest to power off after the ACPI shutdown request before forcing it off (0-${MAX_SHUTDOWN_TIMEOUT_SECONDS})`,
  })
  timeoutSeconds?: number | null;
}

@InputType({ description: 'How to detach an interface' })
export class DetachInterfaceInput {
  @Prop(Int, {
    optional: true,
    defaultValue: DEFAULT_DETACH_TIMEOUT_SECONDS,
    description: `Seconds to wait for the guest to release the device (a live detach is a request to the guest, ACPI PCI hot-unplug), 0-${MAX_DEVICE_RELEASE_TIMEOUT_MS / 1000}`,
  })
  timeoutSeconds?: number | null;
}

@ObjectType()
export class VmConnection {
  @Prop(Vm, { array: true }) nodes!: Vm[];
  @Prop(PageInfo) pageInfo!: PageInfo;
  /** Always counted on REST; on GraphQL only when selected (null otherwise, never sent). */
  @Prop(Int) totalCount!: number | null;
}
