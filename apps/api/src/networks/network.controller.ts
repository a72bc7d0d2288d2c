import { Allow } from '../auth/auth.decorators';
import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ErrorBody } from '../common/error-body';
import { CreateNetworkInput, Network, NetworkPatchInput, NicRefInput } from './network.model';
import { NetworkService } from './network.service';

@ApiTags('networks')
@ApiBadRequestResponse({ type: ErrorBody, description: 'Invalid input; `field` names the culprit' })
@Allow('VIEWER')
@Controller('networks')
export class NetworkController {
  constructor(private readonly networks: NetworkService) {}

  @Get()
  @ApiOkResponse({ type: Network, isArray: true })
  list(): Promise<Network[]> {
    return this.networks.list();
  }

  @Allow('ADMIN')
  @Post()
  @ApiOkResponse({ type: Network })
  @ApiConflictResponse({ type: ErrorBody })
  create(@Body() input: CreateNetworkInput): Promise<Network> {
    return this.networks.create(input);
  }

  @Get(':ref')
  @ApiOkResponse({ type: Network })
  @ApiNotFoundResponse({ type: ErrorBody })
  get(@Param('ref') ref: string): Promise<Network> {
    return this.networks.getByRef(ref);
  }

  @Allow('ADMIN')
  @Patch(':name')
  @ApiOkResponse({ type: Network })
  @ApiNotFoundResponse({ type: ErrorBody })
  update(@Param('name') network: string, @Body() input: NetworkPatchInput): Promise<Network> {
    return this.networks.update({ network, mtu: input?.mtu });
  }

  @Allow('ADMIN')
  @Delete(':id')
  @ApiOkResponse({ type: Network })
  @ApiConflictResponse({ type: ErrorBody })
  remove(@Param('id') id: string): Promise<Network> {
    return this.networks.remove(id);
  }

  @Allow('ADMIN')
  @Post(':name/mappings')
  @ApiOkResponse({ type: Network })
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody })
  map(@Param('name') network: string, @Body() input: NicRefInput): Promise<Network> {
    return this.networks.map({ network, host: input?.host, nic: input?.nic });
  }

  @Allow('ADMIN')
  @Delete(':name/mappings/:host/:nic')
  @ApiOkResponse({ type: Network })
  @ApiNotFoundResponse({ type: ErrorBody })
  unmap(@Param('name') network: string, @Param('host') host: string, @Param('nic') nic: string): Promise<Network> {
    return this.networks.unmap({ network, host, nic });
  }
}
