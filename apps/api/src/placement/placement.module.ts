import { Global, Module } from '@nestjs/common';
import { DatapathsController } from './datapaths.controller';
import { DatapathsResolver } from './datapaths.resolver';
import { PlacementController } from './placement.controller';
import { PlacementResolver } from './placement.resolver';
import { PlacementService } from './placement.service';

@Global()
@Module({
  controllers: [PlacementController, DatapathsController],
  providers: [PlacementService, PlacementResolver, DatapathsResolver],
  exports: [PlacementService],
})
export class PlacementModule {}
