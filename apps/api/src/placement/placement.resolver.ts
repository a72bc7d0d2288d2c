import { Allow } from '../auth/auth.decorators';
import { Args, Query, Resolver } from '@nestjs/graphql';
import { CapacityReport, HostExplanation, PlacementPreview, VmInput } from './placement.model';
import { PlacementService } from './placement.service';

@Resolver()
@Allow('VIEWER')
export class PlacementResolver {
  constructor(private readonly service: PlacementService) {}

  @Query(() => PlacementPreview, { description: 'Where the VM would go and how, or why nothing fits; writes nothing' })
  previewPlacement(@Args('input') input: VmInput): Promise<PlacementPreview> {
    return this.service.preview(input);
  }

  @Query(() => HostExplanation, { description: 'Every reason one host (name or id) does or does not fit' })
  explainPlacement(@Args('input') input: VmInput, @Args('host') host: string): Promise<HostExplanation> {
    return this.service.explain(input, host);
  }

  @Query(() => CapacityReport, { description: 'How many more VMs of this shape fit, fleet-wide and per host' })
  capacity(@Args('input') input: VmInput): Promise<CapacityReport> {
    return this.service.capacity(input);
  }
}
