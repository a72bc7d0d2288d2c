import { Global, Module } from '@nestjs/common';
import { PlacementController } from './placement.controller';
import { PlacementResolver } from './placement.resolver';
import { PLACEMENT_OPTIONS, PlacementService } from './placement.service';

@Global()
@Module({
  controllers: [PlacementController],
  providers: [PlacementService, PlacementResolver, { provide: PLACEMENT_OPTIONS, useValue: {} }],
  exports: [PlacementService, PLACEMENT_OPTIONS],
})
export class PlacementModule {}
