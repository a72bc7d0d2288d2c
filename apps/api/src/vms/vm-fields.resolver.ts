import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { Allow } from '../auth/auth.decorators';
import type { GqlContext } from '../common/loaders';
import { ValueState } from '../hosts/host.model';
import { planState, type ValueStateView } from '../hosts/topology-view';
import { Vm, VmInterface } from './vm.model';

/** Names for the ids a VM refers to, and whether its plan is applied: GraphQL only, batched. */
@Resolver(() => Vm)
@Allow('VIEWER')
export class VmFieldsResolver {
  @ResolveField(() => String, { nullable: true, description: 'Name of the host the VM is placed on' })
  async hostName(@Parent() vm: Vm, @Context() ctx: GqlContext): Promise<string | null> {
    return vm.hostId ? ctx.loaders.names.host.load(vm.hostId) : null;
  }

  @ResolveField(() => ValueState, {
    nullable: true,
    description: 'Whether the plan is applied and verified on the host (null when not placed)',
  })
  async planState(@Parent() vm: Vm, @Context() ctx: GqlContext): Promise<ValueStateView | null> {
    if (!vm.hostId || !vm.plan) return null;
    return planState({ id: vm.id, name: vm.name, ...(await ctx.loaders.applyTimes.load(vm.id)) });
  }
}

@Resolver(() => VmInterface)
@Allow('VIEWER')
export class VmInterfaceFieldsResolver {
  @ResolveField(() => String, { nullable: true })
  networkName(@Parent() iface: VmInterface, @Context() ctx: GqlContext): Promise<string | null> {
    return ctx.loaders.names.network.load(iface.networkId);
  }
}
