import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import type { NicRecord, NumaNodeRecord } from '@netpin/db';
import { Allow } from '../auth/auth.decorators';
import type { GqlContext } from '../common/loaders';
import { Cpu, CpuCounts, Nic, NicIrq, NumaNode, Vf, VfCounts } from './host.model';
import { cpuCounts, vfCounts } from './topology.service';
import type { CpuView, NicIrqView, VfView } from './topology-view';

/**
 * CPUs, IRQs and VFs come from the topology view (inventory + placed VMs' plans); counts
 * come from the inventory alone, so a fleet overview never loads a plan.
 */
@Resolver(() => NumaNode)
@Allow('VIEWER')
export class NumaNodeResolver {
  @ResolveField(() => [Cpu])
  async cpus(@Parent() node: NumaNodeRecord, @Context() ctx: GqlContext): Promise<CpuView[]> {
    const topo = await ctx.loaders.topology.load(node.hostId);
    return topo?.numaNodes.find((n) => n.index === node.index)?.cpus ?? [];
  }

  @ResolveField(() => CpuCounts)
  cpuCounts(@Parent() node: NumaNodeRecord): CpuCounts {
    return cpuCounts(node.cpus);
  }
}

@Resolver(() => Nic)
@Allow('VIEWER')
export class NicResolver {
  @ResolveField(() => [NicIrq])
  async irqs(@Parent() nic: NicRecord, @Context() ctx: GqlContext): Promise<NicIrqView[]> {
    return (await ctx.loaders.topology.load(nic.hostId))?.nics.find((n) => n.id === nic.id)?.irqs ?? [];
  }

  @ResolveField(() => [Vf])
  async vfs(@Parent() nic: NicRecord, @Context() ctx: GqlContext): Promise<VfView[]> {
    return (await ctx.loaders.topology.load(nic.hostId))?.nics.find((n) => n.id === nic.id)?.vfs ?? [];
  }

  @ResolveField(() => VfCounts)
  vfCounts(@Parent() nic: NicRecord): VfCounts {
    return vfCounts(nic.vfs);
  }
}
