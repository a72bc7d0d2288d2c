import { Allow } from '../auth/auth.decorators';
import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiQuery,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ErrorBody } from '../common/error-body';
import { queryBool, queryInt, queryStr } from '../common/query';
import { RequestId } from '../common/request-id';
import { Operation } from '../operations/operation.model';
import { CreateVmPayload, VmInput, VmInterfaceInput } from '../placement/placement.model';
import { HotplugService } from './hotplug.service';
import { PowerService } from './power.service';
import { ProvisioningService } from './provisioning.service';
import { StopVmInput, Vm, VmConnection } from './vm.model';
import { VmService } from './vm.service';

@ApiTags('vms')
@Allow('VIEWER')
@Controller('vms')
export class VmController {
  constructor(
    private readonly service: VmService,
    private readonly provisioning: ProvisioningService,
    private readonly power: PowerService,
    private readonly hotplug: HotplugService,
  ) {}

  @Get()
  @ApiOkResponse({ type: VmConnection, description: 'Oldest first; DELETED VMs only with state=DELETED or includeDeleted=true' })
  @ApiQuery({ name: 'hostId', required: false })
  @ApiQuery({ name: 'hostName', required: false })
  @ApiQuery({ name: 'name', required: false })
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'includeDeleted', required: false, type: Boolean })
  @ApiQuery({ name: 'first', required: false, type: Number })
  @ApiQuery({ name: 'after', required: false })
  list(
    @Query('hostId') hostId?: string,
    @Query('hostName') hostName?: string,
    @Query('name') name?: string,
    @Query('state') state?: string,
    @Query('includeDeleted') includeDeleted?: string,
    @Query('first') first?: string,
    @Query('after') after?: string,
  ): Promise<VmConnection> {
    const filter = {
      hostId: queryStr(hostId),
      hostName: queryStr(hostName),
      name: queryStr(name),
      state: queryStr(state),
      includeDeleted: queryBool(includeDeleted, 'includeDeleted'),
    };
    return this.service.list(filter, queryInt(first, 'first'), queryStr(after));
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
  @Post(':id/start')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: Operation })
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: 'The VM is not STOPPED (or FAILED holding its host)' })
  @ApiUnprocessableEntityResponse({ type: ErrorBody, description: 'It gave its resources back and nothing fits now' })
  start(@Param('id') id: string, @RequestId() requestId: string): Promise<Operation> {
    return this.power.startVm(id, requestId);
  }

  @Allow('OPERATOR')
  @Post(':id/stop')
  @HttpCode(202)
  @ApiBody({ type: StopVmInput, required: false })
  @ApiAcceptedResponse({ type: Operation })
  @ApiBadRequestResponse({ type: ErrorBody })
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: 'The VM is not RUNNING (nor FAILED or STOPPED holding its host)' })
  stop(@Param('id') id: string, @RequestId() requestId: string, @Body() input?: StopVmInput): Promise<Operation> {
    return this.power.stopVm(id, input, requestId);
  }

  @Allow('OPERATOR')
  @Post(':id/reboot')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: Operation })
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: 'The VM is not RUNNING' })
  reboot(@Param('id') id: string, @RequestId() requestId: string): Promise<Operation> {
    return this.power.rebootVm(id, requestId);
  }

  @Allow('OPERATOR')
  @Post(':id/interfaces')
  @HttpCode(202)
  @ApiBody({ type: VmInterfaceInput })
  @ApiAcceptedResponse({ type: Operation, description: 'The vm.attachInterface operation' })
  @ApiBadRequestResponse({ type: ErrorBody })
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({
    type: ErrorBody,
    description: 'The VM is not RUNNING (nor STOPPED holding its host), or another hot-plug is open',
  })
  @ApiUnprocessableEntityResponse({ type: ErrorBody, description: "Nothing fits on the VM's host: PLACEMENT_REJECTED with the reasons" })
  attachInterface(@Param('id') id: string, @Body() input: VmInterfaceInput, @RequestId() requestId: string): Promise<Operation> {
    return this.hotplug.attachInterface(id, input, requestId);
  }

  @Allow('OPERATOR')
  @Delete(':id/interfaces/:interfaceId')
  @HttpCode(202)
  @ApiQuery({ name: 'timeoutSeconds', required: false, type: Number, description: 'How long to wait for the guest to release the device' })
  @ApiAcceptedResponse({ type: Operation, description: 'The vm.detachInterface operation' })
  @ApiBadRequestResponse({ type: ErrorBody })
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({
    type: ErrorBody,
    description: 'The VM is not RUNNING (nor STOPPED holding its host), or another hot-plug is open',
  })
  detachInterface(
    @Param('id') id: string,
    @Param('interfaceId') interfaceId: string,
    @RequestId() requestId: string,
    @Query('timeoutSeconds') timeoutSeconds?: string,
  ): Promise<Operation> {
    return this.hotplug.detachInterface(id, interfaceId, requestId, queryInt(timeoutSeconds, 'timeoutSeconds'));
  }

  @Allow('OPERATOR')
  @Delete(':id')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: Operation })
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: 'Already deleted; or, without force, being provisioned or deleted' })
  @ApiQuery({
    name: 'force',
    required: false,
    type: Boolean,
    description:
      'Delete in any state: open operations of the VM end, queued jobs are cancelled; an UNREACHABLE host is released in the database only',
  })
  remove(@Param('id') id: string, @RequestId() requestId: string, @Query('force') force?: string): Promise<Operation> {
    return this.provisioning.deleteVm(id, requestId, queryBool(force, 'force') ?? false);
  }
}
