import { Allow } from '../auth/auth.decorators';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { DiscoveryService } from './discovery.service';
import { TopologyService } from './topology.service';
import { Operation } from '../operations/operation.model';
import { RequestId } from '../common/request-id';
import { toConnection } from '../common/page';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorBody } from '../common/error-body';
import {
  HostConnection,
  HostDetail,
  SriovInput,
  HostFilterInput,
  MaintenanceInput,
  RegisterHostInput,
  UpdateHostInput,
  type Host,
} from './host.model';
import { HostService } from './host.service';
import { queryBool, queryInt, queryStr } from '../common/query';

@ApiTags('hosts')
@ApiBadRequestResponse({ type: ErrorBody, description: 'Invalid input; `field` names the culprit' })
@Allow('VIEWER')
@Controller('hosts')
export class HostController {
  constructor(
    private readonly hosts: HostService,
    private readonly discovery: DiscoveryService,
    private readonly topology: TopologyService,
  ) {}

  @Get()
  @ApiOkResponse({ type: HostConnection })
  @ApiQuery({ name: 'state', required: false })
  @ApiQuery({ name: 'sriovCapable', required: false, type: Boolean })
  @ApiQuery({ name: 'network', required: false })
  @ApiQuery({ name: 'first', required: false, type: Number })
  @ApiQuery({ name: 'after', required: false })
  async list(
    @Query('state') state?: string,
    @Query('sriovCapable') sriovCapable?: string,
    @Query('network') network?: string,
    @Query('first') first?: string,
    @Query('after') after?: string,
  ): Promise<HostConnection> {
    const filter: HostFilterInput = {
      state: queryStr(state),
      sriovCapable: queryBool(sriovCapable, 'sriovCapable'),
      network: queryStr(network),
    };
    const page = await this.hosts.list(filter, queryInt(first, 'first'), after);
    return toConnection(page, (h) => h);
  }

  @Allow('ADMIN')
  @Post()
  @ApiOkResponse({ type: HostDetail })
  @ApiConflictResponse({ type: ErrorBody, description: 'A host with this name exists' })
  register(@Body() input: RegisterHostInput): Promise<Host> {
    return this.hosts.register(input);
  }

  @Get(':ref')
  @ApiOkResponse({ type: HostDetail, description: 'Host by id or name, with NUMA nodes, CPUs, NICs and VFs' })
  @ApiNotFoundResponse({ type: ErrorBody })
  detail(@Param('ref') ref: string): Promise<HostDetail> {
    return this.topology.detail(ref);
  }

  @Allow('ADMIN')
  @Patch(':id')
  @ApiOkResponse({ type: HostDetail })
  @ApiNotFoundResponse({ type: ErrorBody })
  update(@Param('id') id: string, @Body() input: UpdateHostInput): Promise<Host> {
    return this.hosts.update(id, input);
  }

  @Allow('ADMIN')
  @Put(':id/maintenance')
  @ApiOkResponse({ type: HostDetail })
  @ApiConflictResponse({ type: ErrorBody })
  maintenance(@Param('id') id: string, @Body() input: MaintenanceInput): Promise<Host> {
    return this.hosts.setMaintenance(id, input);
  }

  @Allow('OPERATOR')
  @Post(':id/discover')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: Operation })
  @ApiNotFoundResponse({ type: ErrorBody })
  discover(@Param('id') id: string, @RequestId() requestId: string): Promise<Operation> {
    return this.discovery.discover(id, requestId);
  }

  @Allow('ADMIN')
  @Post(':id/nics/:nic/sriov')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: Operation })
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: 'VFs of the PF are allocated' })
  configureSriov(
    @Param('id') id: string,
    @Param('nic') nic: string,
    @Body() body: SriovInput,
    @RequestId() requestId: string,
  ): Promise<Operation> {
    return this.discovery.configureSriov(id, nic, body?.numVfs, requestId);
  }

  @Allow('ADMIN')
  @Delete(':id')
  @ApiOkResponse({ type: HostDetail })
  @ApiConflictResponse({ type: ErrorBody, description: 'VMs are still placed on the host' })
  remove(@Param('id') id: string): Promise<Host> {
    return this.hosts.remove(id);
  }
}
