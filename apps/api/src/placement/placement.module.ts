import { Global, Module } from '@nestjs/common';
import { DatapathsController } from './datapaths.controller';
import { DatapathsResolver } from './datapaths.resolver';
import { PlacementController } from './placement.controller';
import { PlacementResolver } from './placement.resolver';
import { PlacementService } from './placement.service';
import { SnapshotWarmer } from './snapshot-warmer';

@Global()
@Module({
  controllers: [PlacementController, DatapathsController],
  providers: [PlacementService, PlacementResolver, DatapathsResolver, SnapshotWarmer],
  exports: [PlacementService, SnapshotWarmer],
})
export class PlacementModule {}
