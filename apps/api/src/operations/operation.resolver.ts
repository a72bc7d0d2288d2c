import { Allow } from '../auth/auth.decorators';
import { Args, ID, Info, Int, Query, Resolver, Subscription } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { selects } from '../common/page';
import { Operation, OperationConnection, OperationStateEnum } from './operation.model';
import { OperationEvents } from './operation.events';
import { OperationService } from './operation.service';

@Resolver(() => Operation)
@Allow('VIEWER')
export class OperationResolver {
  constructor(
    private readonly service: OperationService,
    private readonly events: OperationEvents,
  ) {}

  @Query(() => Operation)
  operation(@Args('id', { type: () => ID }) id: string): Promise<Operation> {
    return this.service.get(id);
  }

  @Query(() => OperationConnection, { description: 'Newest first, cursor-paginated' })
  operations(
    @Args('state', { type: () => OperationStateEnum.enumObject, nullable: true }) state?: string,
    @Args('targetId', { type: () => ID, nullable: true }) targetId?: string,
    @Args('kind', { nullable: true }) kind?: string,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<OperationConnection> {
    return this.service.list({ state, targetId, kind, first, after }, { count: !info || selects(info, 'totalCount') });
  }

  @Subscription(() => Operation, {
    description: 'Progress and state changes; all operations, or one when id is given',
    resolve: (op: Operation) => op,
  })
  operationUpdated(@Args('id', { type: () => ID, nullable: true }) id?: string): AsyncIterable<Operation> {
    // an async generator: when the client unsubscribes, graphql-ws calls return() and the
    // generator's for-await removes its listener
    return this.events.stream(id, new AbortController().signal);
  }
}
