import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Allow } from '../auth/auth.decorators';
import { ErrorBody } from '../common/error-body';
import { RequestId } from '../common/request-id';
import { Operation } from '../operations/operation.model';
import { MigrateVmInput, MigrationPreview } from './migration.model';
import { MigrationService } from './migration.service';

@ApiTags('vms')
@Allow('VIEWER')
@Controller('vms')
export class MigrationController {
  constructor(private readonly migration: MigrationService) {}

  @Post(':id/migrate/preview')
  @HttpCode(200)
  @ApiBody({ type: MigrateVmInput, required: false })
  @ApiOkResponse({ type: MigrationPreview, description: 'Where it would go and why, or why nowhere; nothing changes' })
  @ApiBadRequestResponse({ type: ErrorBody })
  @ApiNotFoundResponse({ type: ErrorBody })
  preview(@Param('id') id: string, @Body() input?: MigrateVmInput): Promise<MigrationPreview> {
    return this.migration.previewMigration(id, input);
  }

  @Allow('OPERATOR')
  @Post(':id/migrate')
  @HttpCode(202)
  @ApiBody({ type: MigrateVmInput, required: false })
  @ApiAcceptedResponse({ type: Operation })
  @ApiBadRequestResponse({ type: ErrorBody, description: 'Bad input, or the target is the host the VM runs on' })
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({
    type: ErrorBody,
    description: 'The VM is not RUNNING, or cannot move LIVE (details.reason, e.g. VF_WITHOUT_FAILOVER: use strategy COLD)',
  })
  @ApiUnprocessableEntityResponse({ type: ErrorBody, description: 'No other host fits it' })
  migrate(@Param('id') id: string, @RequestId() requestId: string, @Body() input?: MigrateVmInput): Promise<Operation> {
    return this.migration.migrateVm(id, input, requestId);
  }
}
