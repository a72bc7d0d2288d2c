import { Module } from '@nestjs/common';
import { OperationController } from './operation.controller';
import { OperationResolver } from './operation.resolver';
import { OperationFieldsResolver } from './operation-fields.resolver';
import { OperationService } from './operation.service';

@Module({
  controllers: [OperationController],
  providers: [OperationService, OperationResolver, OperationFieldsResolver],
  exports: [OperationService],
})
export class OperationsModule {}
