import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Allow } from '../auth/auth.decorators';
import type { GqlContext } from '../common/loaders';
import { Operation } from './operation.model';

@Resolver(() => Operation)
@Allow('VIEWER')
export class OperationFieldsResolver {
  @ResolveField(() => String, { nullable: true, description: 'Name of the VM or host the operation works on' })
  async targetName(@Parent() op: Operation, @Context() ctx: GqlContext): Promise<string | null> {
    if (op.targetType === 'vm') return ctx.loaders.names.vm.load(op.targetId);
    if (op.targetType === 'host') return ctx.loaders.names.host.load(op.targetId);
    return null;
  }
}
