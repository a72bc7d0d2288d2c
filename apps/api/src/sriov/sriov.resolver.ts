import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../auth/auth.decorators';
import { RequestId } from '../common/request-id';
import { Operation } from '../operations/operation.model';
import { CreateSriovPolicyInput, SriovPolicy, UpdateSriovPolicyInput } from './sriov.model';
import { SriovPolicyService } from './sriov.service';

@Resolver(() => SriovPolicy)
@Allow('VIEWER')
export class SriovPolicyResolver {
  constructor(private readonly service: SriovPolicyService) {}

  @Query(() => [SriovPolicy], { description: 'SR-IOV policies, highest priority first, with their status per matched PF' })
  sriovPolicies(): Promise<SriovPolicy[]> {
    return this.service.list();
  }

  @Query(() => SriovPolicy)
  sriovPolicy(@Args('name') name: string): Promise<SriovPolicy> {
    return this.service.get(name);
  }

  @Allow('ADMIN')
  @Mutation(() => SriovPolicy, { description: 'Create a policy and reconcile: the returned status shows what it started' })
  createSriovPolicy(@Args('input') input: CreateSriovPolicyInput, @RequestId() requestId: string): Promise<SriovPolicy> {
    return this.service.create(input, requestId);
  }

  @Allow('ADMIN')
  @Mutation(() => SriovPolicy)
  updateSriovPolicy(
    @Args('name') name: string,
    @Args('input') input: UpdateSriovPolicyInput,
    @RequestId() requestId: string,
  ): Promise<SriovPolicy> {
    return this.service.update(name, input, requestId);
  }

  @Allow('ADMIN')
  @Mutation(() => SriovPolicy, { description: 'Stop managing the matched PFs; their VFs stay as they are' })
  deleteSriovPolicy(@Args('name') name: string, @RequestId() requestId: string): Promise<SriovPolicy> {
    return this.service.remove(name, requestId);
  }

  @Allow('ADMIN')
  @Mutation(() => [Operation], {
    description: 'Reconcile every policy now (also retries FAILED targets); returns the host.configureSriov operations started',
  })
  reconcileSriovPolicies(@RequestId() requestId: string): Promise<Operation[]> {
    return this.service.reconcile(requestId);
  }
}
