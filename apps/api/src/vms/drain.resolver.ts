import { Args, ID, Mutation, Resolver } from '@nestjs/graphql';
import { Allow } from '../auth/auth.decorators';
import { RequestId } from '../common/request-id';
import { Host } from '../hosts/host.model';
import { Operation } from '../operations/operation.model';
import { DrainHostInput } from './drain.model';
import { DrainService } from './drain.service';

@Resolver()
@Allow('ADMIN')
export class DrainResolver {
  constructor(private readonly drain: DrainService) {}

  @Mutation(() => Operation, {
    description:
      "Put the host in maintenance and move every VM away (or stop it), at most maxParallel at a time. The operation (kind host.drain) keeps each VM's outcome in resultJson (items: vmId, vmName, outcome PENDING|MOVING|MOVED|STOPPED|FAILED|SKIPPED, action, operationId, code, reason)",
  })
  drainHost(
    @Args('id', { type: () => ID }) id: string,
    @RequestId() requestId: string,
    @Args('input', { type: () => DrainHostInput, nullable: true }) input?: DrainHostInput,
  ): Promise<Operation> {
    return this.drain.drainHost(id, input, requestId);
  }

  @Mutation(() => Host, { description: 'End a running drain (moves already started finish) and take the host out of maintenance' })
  undrainHost(@Args('id', { type: () => ID }) id: string): Promise<Host> {
    return this.drain.undrainHost(id);
  }
}
