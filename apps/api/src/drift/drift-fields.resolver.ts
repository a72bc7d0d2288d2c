import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Allow } from '../auth/auth.decorators';
import type { GqlContext } from '../common/loaders';
import { DriftEvent } from './drift.model';

@Resolver(() => DriftEvent)
@Allow('VIEWER')
export class DriftFieldsResolver {
  @ResolveField(() => String, { nullable: true })
  async vmName(@Parent() e: DriftEvent, @Context() ctx: GqlContext): Promise<string | null> {
    return e.vmId ? ctx.loaders.names.vm.load(e.vmId) : null;
  }
}
