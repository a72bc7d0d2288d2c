import { Allow } from '../auth/auth.decorators';
import { Args, ID, Info, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { selects } from '../common/page';
import { RequestId } from '../common/request-id';
import { Operation } from '../operations/operation.model';
import { CreateVmPayload, VmInput, VmInterfaceInput } from '../placement/placement.model';
import { HotplugService } from './hotplug.service';
import { PowerService } from './power.service';
import { ProvisioningService } from './provisioning.service';
import { DetachInterfaceInput, StopVmInput, Vm, VmConnection, VmFilterInput } from './vm.model';
import { VmService } from './vm.service';

@Resolver(() => Vm)
@Allow('VIEWER')
export class VmResolver {
  constructor(
    private readonly service: VmService,
    private readonly provisioning: ProvisioningService,
    private readonly power: PowerService,
    private readonly hotplug: HotplugService,
  ) {}

  @Query(() => VmConnection, { description: 'VMs, oldest first, cursor-paginated; DELETED ones only when the filter asks for them' })
  vms(
    @Args('filter', { type: () => VmFilterInput, nullable: true }) filter?: VmFilterInput,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<VmConnection> {
    return this.service.list(filter, first, after, { count: !info || selects(info, 'totalCount') });
  }

  @Query(() => Vm)
  vm(@Args('id', { type: () => ID }) id: string): Promise<Vm> {
    return this.service.get(id);
  }

  @Allow('OPERATOR')
  @Mutation(() => CreateVmPayload, {
    description: 'Place and provision a VM. Same idempotencyKey + same input = same VM and operation; different input = CONFLICT',
  })
  createVm(
    @Args('input') input: VmInput,
    @RequestId() requestId: string,
    @Args('idempotencyKey', { nullable: true }) idempotencyKey?: string,
  ): Promise<CreateVmPayload> {
    return this.provisioning.createVm(input, idempotencyKey, requestId);
  }

  @Allow('OPERATOR')
  @Mutation(() => Operation, {
    description:
      'Start a STOPPED VM (or a FAILED one that still holds its host): where it is when it kept its allocations, placed anew when it gave them back',
  })
  startVm(@Args('id', { type: () => ID }) id: string, @RequestId() requestId: string): Promise<Operation> {
    return this.power.startVm(id, requestId);
  }

  @Allow('OPERATOR')
  @Mutation(() => Operation, {
    description: 'Shut a VM down (ACPI, then forced after timeoutSeconds); it keeps its CPUs, VFs and host settings unless release is true',
  })
  stopVm(
    @Args('id', { type: () => ID }) id: string,
    @RequestId() requestId: string,
    @Args('input', { type: () => StopVmInput, nullable: true }) input?: StopVmInput,
  ): Promise<Operation> {
    return this.power.stopVm(id, input, requestId);
  }

  @Allow('OPERATOR')
  @Mutation(() => Operation, { description: 'Reboot a RUNNING VM through ACPI; it keeps its host, CPUs and VFs' })
  rebootVm(@Args('id', { type: () => ID }) id: string, @RequestId() requestId: string): Promise<Operation> {
    return this.power.rebootVm(id, requestId);
  }

  @Allow('OPERATOR')
  @Mutation(() => Operation, {
    description:
      "Hot-plug a NIC into a RUNNING VM (or a STOPPED one that kept its host): placed on the VM's host by the rules of a create, reserved at once; PLACEMENT_REJECTED with reason codes when nothing fits there",
  })
  attachInterface(
    @Args('vmId', { type: () => ID }) vmId: string,
    @Args('input', { type: () => VmInterfaceInput }) input: VmInterfaceInput,
    @RequestId() requestId: string,
  ): Promise<Operation> {
    return this.hotplug.attachInterface(vmId, input, requestId);
  }

  @Allow('OPERATOR')
  @Mutation(() => Operation, {
    description: 'Unplug a NIC (VmInterface.id); its VF, IRQ and RPS settings go back once the guest released it',
  })
  detachInterface(
    @Args('vmId', { type: () => ID }) vmId: string,
    @Args('interfaceId', { type: () => ID }) interfaceId: string,
    @RequestId() requestId: string,
    @Args('input', { type: () => DetachInterfaceInput, nullable: true }) input?: DetachInterfaceInput,
  ): Promise<Operation> {
    return this.hotplug.detachInterface(vmId, interfaceId, requestId, input?.timeoutSeconds);
  }

  @Allow('OPERATOR')
  @Mutation(() => Operation, { description: 'Tear the VM down on its host, then release every CPU and VF' })
  deleteVm(
    @Args('id', { type: () => ID }) id: string,
    @RequestId() requestId: string,
    @Args('force', {
      type: () => Boolean,
      nullable: true,
      defaultValue: false,
      description:
        'Delete in any state: open operations of the VM end, queued jobs are cancelled; an UNREACHABLE host is released in the database only',
    })
    force: boolean,
  ): Promise<Operation> {
    return this.provisioning.deleteVm(id, requestId, force === true);
  }
}
