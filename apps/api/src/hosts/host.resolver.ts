import { Allow } from '../auth/auth.decorators';
import { Args, Context, ID, Info, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { GqlContext } from '../common/loaders';
import type { NicRecord, NumaNodeRecord } from '@netpin/db';
import {
  CpuCounts,
  Host,
  HostConnection,
  HostFilterInput,
  MaintenanceInput,
  Nic,
  NumaNode,
  PlacedVm,
  RegisterHostInput,
  UpdateHostInput,
} from './host.model';
import { cpuCounts } from './topology.service';
import { HostService } from './host.service';
import { DiscoveryService } from './discovery.service';
import { Operation } from '../operations/operation.model';
import { RequestId } from '../common/request-id';
import { selects, toConnection } from '../common/page';

@Resolver(() => Host)
@Allow('VIEWER')
export class HostResolver {
  constructor(
    private readonly service: HostService,
    private readonly discovery: DiscoveryService,
  ) {}

  @Query(() => Host, { description: 'One host by id or name' })
  host(@Args('id', { type: () => ID, nullable: true }) id?: string, @Args('name', { nullable: true }) name?: string): Promise<Host> {
    return this.service.get({ id, name });
  }

  @Query(() => HostConnection, { description: 'Hosts ordered by name, cursor-paginated' })
  async hosts(
    @Args('filter', { type: () => HostFilterInput, nullable: true }) filter?: HostFilterInput,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { nullable: true }) after?: string,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<HostConnection> {
    const page = await this.service.list(filter, first, after, { count: !info || selects(info, 'totalCount') });
    return toConnection(page, (h) => h);
  }

  @Allow('ADMIN')
  @Mutation(() => Host)
  async registerHost(@Args('input') input: RegisterHostInput, @Context() ctx: GqlContext): Promise<Host> {
    const host = await this.service.register(input);
    ctx.loaders.primeNewHost(host.id, host.lastDiscoveredAt);
    return host;
  }

  @Allow('ADMIN')
  @Mutation(() => Host)
  updateHost(@Args('id', { type: () => ID }) id: string, @Args('input') input: UpdateHostInput): Promise<Host> {
    return this.service.update(id, input);
  }

  @Allow('ADMIN')
  @Mutation(() => Host)
  setHostMaintenance(@Args('id', { type: () => ID }) id: string, @Args('input') input: MaintenanceInput): Promise<Host> {
    return this.service.setMaintenance(id, input);
  }

  @Allow('ADMIN')
  @Mutation(() => Host, { description: 'Refused with CONFLICT while VMs are placed on the host' })
  removeHost(@Args('id', { type: () => ID }) id: string): Promise<Host> {
    return this.service.remove(id);
  }

  @Allow('OPERATOR')
  @Mutation(() => Operation, { description: 'Read the host over SSH and refresh its NUMA nodes, CPUs, NICs, IRQs and VFs' })
  discoverHost(@Args('id', { type: () => ID }) id: string, @RequestId() requestId: string): Promise<Operation> {
    return this.discovery.discover(id, requestId);
  }

  @Allow('ADMIN')
  @Mutation(() => Operation, { description: "Set a PF's SR-IOV VF count (refused while its VFs are allocated), then rediscover" })
  configureSriov(
    @Args('id', { type: () => ID }) id: string,
    @Args('nic') nic: string,
    @Args('numVfs', { type: () => Int }) numVfs: number,
    @RequestId() requestId: string,
  ): Promise<Operation> {
    return this.discovery.configureSriov(id, nic, numVfs, requestId);
  }

  @ResolveField(() => [NumaNode])
  numaNodes(@Parent() host: Host, @Context() ctx: GqlContext): Promise<NumaNodeRecord[]> {
    return ctx.loaders.numaNodes.load(host.id);
  }

  @ResolveField(() => [Nic])
  nics(@Parent() host: Host, @Context() ctx: GqlContext): Promise<NicRecord[]> {
    return ctx.loaders.nics.load(host.id);
  }

  @ResolveField(() => CpuCounts, { description: 'Over every NUMA node' })
  async cpuCounts(@Parent() host: Host, @Context() ctx: GqlContext): Promise<CpuCounts> {
    return cpuCounts((await ctx.loaders.numaNodes.load(host.id)).flatMap((n) => n.cpus));
  }

  @ResolveField(() => [PlacedVm], { description: 'VMs holding CPUs, VFs or memory here, oldest first' })
  async vms(@Parent() host: Host, @Context() ctx: GqlContext): Promise<PlacedVm[]> {
    return (await ctx.loaders.topology.load(host.id))?.vms ?? [];
  }
}
