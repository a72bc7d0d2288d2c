import { Allow } from '../auth/auth.decorators';
import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { queryBool, queryInt } from '../common/query';
import { RequestId } from '../common/request-id';
import { Operation } from '../operations/operation.model';
import { DriftEvent } from './drift.model';
import { DriftQueryService } from './drift-query.service';
import { DriftService } from './drift.service';

@ApiTags('drift')
@Allow('VIEWER')
@Controller('hosts/:hostId')
export class DriftController {
  constructor(
    private readonly drift: DriftService,
    private readonly query: DriftQueryService,
  ) {}

  @Get('drift')
  @ApiOkResponse({ type: DriftEvent, isArray: true })
  @ApiQuery({ name: 'open', required: false, type: Boolean })
  @ApiQuery({ name: 'first', required: false, type: Number })
  list(@Param('hostId') hostId: string, @Query('open') open?: string, @Query('first') first?: string): Promise<DriftEvent[]> {
    return this.query.list({ hostId, open: queryBool(open, 'open'), first: queryInt(first, 'first') });
  }

  @Allow('OPERATOR')
  @Post('drift-check')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: Operation, isArray: true })
  check(@Param('hostId') hostId: string, @RequestId() requestId: string): Promise<Operation[]> {
    return this.drift.checkHost(hostId, requestId);
  }

  @Allow('OPERATOR')
  @Post('reconcile')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: Operation, isArray: true })
  reconcile(@Param('hostId') hostId: string, @RequestId() requestId: string): Promise<Operation[]> {
    return this.drift.reconcileHost(hostId, requestId);
  }
}
