import { Global, Module } from '@nestjs/common';
import { DatapathsController } from './datapaths.controller';
import { DatapathsResolver } from './datapaths.resolver';
import { PlacementController } from './placement.controller';
import { PlacementResolver } from './placement.resolver';
import { PLACEMENT_OPTIONS, PlacementService } from './placement.service';

@Global()
@Module({
  controllers: [PlacementController, DatapathsController],
  providers: [PlacementService, PlacementResolver, DatapathsResolver, { provide: PLACEMENT_OPTIONS, useValue: {} }],
  exports: [PlacementService, PLACEMENT_OPTIONS],
})
export class PlacementModule {}
