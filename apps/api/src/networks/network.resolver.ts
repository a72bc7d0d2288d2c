import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CreateNetworkInput, MapNetworkToNicInput, Network } from './network.model';
import { NetworkService } from './network.service';

@Resolver(() => Network)
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

  @Mutation(() => Network)
  createNetwork(@Args('input') input: CreateNetworkInput): Promise<Network> {
    return this.service.create(input);
  }

  @Mutation(() => Network, { description: 'Record that a NIC on a host carries the network' })
  mapNetworkToNic(@Args('input') input: MapNetworkToNicInput): Promise<Network> {
    return this.service.map(input);
  }

  @Mutation(() => Network)
  unmapNetworkFromNic(@Args('input') input: MapNetworkToNicInput): Promise<Network> {
    return this.service.unmap(input);
  }

  @Mutation(() => Network, { description: 'Refused with CONFLICT while VM interfaces use it' })
  deleteNetwork(@Args('id', { type: () => ID }) id: string): Promise<Network> {
    return this.service.remove(id);
  }
}
