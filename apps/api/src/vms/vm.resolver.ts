import { Allow } from '../auth/auth.decorators';
import { Args, ID, Info, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { selects } from '../common/page';
import { RequestId } from '../common/request-id';
import { Operation } from '../operations/operation.model';
import { CreateVmPayload, VmInput } from '../placement/placement.model';
import { ProvisioningService } from './provisioning.service';
import { Vm, VmConnection, VmFilterInput } from './vm.model';
import { VmService } from './vm.service';

@Resolver(() => Vm)
@Allow('VIEWER')
export class VmResolver {
  constructor(
    private readonly service: VmService,
    private readonly provisioning: ProvisioningService,
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
