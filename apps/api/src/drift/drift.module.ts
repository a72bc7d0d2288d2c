import { Module } from '@nestjs/common';
import { DriftController } from './drift.controller';
import { DriftQueryService } from './drift-query.service';
import { DriftResolver } from './drift.resolver';
import { DriftFieldsResolver } from './drift-fields.resolver';
import { DriftService } from './drift.service';

@Module({
  controllers: [DriftController],
  providers: [DriftService, DriftQueryService, DriftResolver, DriftFieldsResolver],
  exports: [DriftService],
})
export class DriftModule {}
