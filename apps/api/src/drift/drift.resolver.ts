import { Allow } from '../auth/auth.decorators';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequestId } from '../common/request-id';
import { Operation } from '../operations/operation.model';
import { DriftEvent } from './drift.model';
import { DriftQueryService } from './drift-query.service';
import { DriftService } from './drift.service';

@Resolver(() => DriftEvent)
@Allow('VIEWER')
export class DriftResolver {
  constructor(
    private readonly drift: DriftService,
    private readonly query: DriftQueryService,
  ) {}

  @Query(() => [DriftEvent], { description: 'Newest first' })
  driftEvents(
    @Args('hostId', { type: () => ID, nullable: true }) hostId?: string,
    @Args('vmId', { type: () => ID, nullable: true }) vmId?: string,
    @Args('open', { nullable: true, description: 'true: not yet repaired; false: repaired' }) open?: boolean,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
  ): Promise<DriftEvent[]> {
    return this.query.list({ hostId, vmId, open, first });
  }

  @Allow('OPERATOR')
  @Mutation(() => [Operation], { description: 'Verify every running VM of the host against its plan now' })
  checkDrift(@Args('hostId', { type: () => ID }) hostId: string, @RequestId() requestId: string): Promise<Operation[]> {
    return this.drift.checkHost(hostId, requestId);
  }

  @Allow('OPERATOR')
  @Mutation(() => [Operation], { description: 'Re-apply every running VM of the host to its plan' })
  reconcileHost(@Args('hostId', { type: () => ID }) hostId: string, @RequestId() requestId: string): Promise<Operation[]> {
    return this.drift.reconcileHost(hostId, requestId);
  }
}
