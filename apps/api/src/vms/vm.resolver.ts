import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { Vm, VmFilterInput } from './vm.model';
import { VmService } from './vm.service';

@Resolver(() => Vm)
export class VmResolver {
  constructor(private readonly service: VmService) {}

  @Query(() => [Vm])
  vms(@Args('filter', { type: () => VmFilterInput, nullable: true }) filter?: VmFilterInput): Promise<Vm[]> {
    return this.service.list(filter);
  }

  @Query(() => Vm)
  vm(@Args('id', { type: () => ID }) id: string): Promise<Vm> {
    return this.service.get(id);
  }
}
