import { Allow } from '../auth/auth.decorators';
import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiQuery,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ErrorBody } from '../common/error-body';
import { queryStr } from '../common/query';
import { RequestId } from '../common/request-id';
import { Operation } from '../operations/operation.model';
import { CreateVmPayload, VmInput } from '../placement/placement.model';
import { ProvisioningService } from './provisioning.service';
import { Vm } from './vm.model';
import { VmService } from './vm.service';

@ApiTags('vms')
@Allow('VIEWER')
@Controller('vms')
export class VmController {
  constructor(
    private readonly service: VmService,
    private readonly provisioning: ProvisioningService,
  ) {}

  @Get()
  @ApiOkResponse({ type: Vm, isArray: true })
  @ApiQuery({ name: 'hostId', required: false })
  @ApiQuery({ name: 'state', required: false })
  list(@Query('hostId') hostId?: string, @Query('state') state?: string): Promise<Vm[]> {
    return this.service.list({ hostId: queryStr(hostId), state: queryStr(state) });
  }

  @Get(':id')
  @ApiOkResponse({ type: Vm })
  @ApiNotFoundResponse({ type: ErrorBody })
  get(@Param('id') id: string): Promise<Vm> {
    return this.service.get(id);
  }

  @Allow('OPERATOR')
  @Post()
  @HttpCode(202)
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same key + same body = same VM and operation' })
  @ApiAcceptedResponse({ type: CreateVmPayload })
  @ApiBadRequestResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: 'Idempotency key reused with a different body, or name taken' })
  @ApiUnprocessableEntityResponse({ type: ErrorBody, description: 'Nothing fits: PLACEMENT_REJECTED with a summary per reason' })
  create(@Body() input: VmInput, @RequestId() requestId: string, @Headers('idempotency-key') key?: string): Promise<CreateVmPayload> {
    return this.provisioning.createVm(input, key, requestId);
  }

  @Allow('OPERATOR')
  @Delete(':id')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: Operation })
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody })
  remove(@Param('id') id: string, @RequestId() requestId: string): Promise<Operation> {
    return this.provisioning.deleteVm(id, requestId);
  }
}
