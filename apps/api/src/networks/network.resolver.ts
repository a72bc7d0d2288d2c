import { Allow } from '../auth/auth.decorators';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CreateNetworkInput, MapNetworkToNicInput, Network, UpdateNetworkInput } from './network.model';
import { NetworkService } from './network.service';

@Resolver(() => Network)
@Allow('VIEWER')
export class NetworkResolver {
  constructor(private readonly service: NetworkService) {}

  @Query(() => [Network])
  networks(): Promise<Network[]> {
    return this.service.list();
  }

  @Query(() => Network)
  network(@Args('id', { type: () => ID, nullable: true }) id?: string, @Args('name', { nullable: true }) name?: string): Promise<Network> {
    return this.service.get({ id, name });
  }

  @Allow('ADMIN')
  @Mutation(() => Network)
  createNetwork(@Args('input') input: CreateNetworkInput): Promise<Network> {
    return this.service.create(input);
  }

  @Allow('ADMIN')
  @Mutation(() => Network, { description: "Change a network's MTU (field error mtu when a NIC carrying it takes less)" })
  updateNetwork(@Args('input') input: UpdateNetworkInput): Promise<Network> {
    return this.service.update(input);
  }

  @Allow('ADMIN')
  @Mutation(() => Network, { description: 'Record that a NIC on a host carries the network' })
  mapNetworkToNic(@Args('input') input: MapNetworkToNicInput): Promise<Network> {
    return this.service.map(input);
  }

  @Allow('ADMIN')
  @Mutation(() => Network)
  unmapNetworkFromNic(@Args('input') input: MapNetworkToNicInput): Promise<Network> {
    return this.service.unmap(input);
  }

  @Allow('ADMIN')
  @Mutation(() => Network, { description: 'Refused with CONFLICT while VM interfaces use it' })
  deleteNetwork(@Args('id', { type: () => ID }) id: string): Promise<Network> {
    return this.service.remove(id);
  }
}
