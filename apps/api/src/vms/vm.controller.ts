import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ErrorBody } from '../common/error-body';
import { Vm } from './vm.model';
import { VmService } from './vm.service';

@ApiTags('vms')
@Controller('vms')
export class VmController {
  constructor(private readonly vms: VmService) {}

  @Get()
  @ApiOkResponse({ type: Vm, isArray: true })
  @ApiQuery({ name: 'hostId', required: false })
  @ApiQuery({ name: 'state', required: false })
  list(@Query('hostId') hostId?: string, @Query('state') state?: string): Promise<Vm[]> {
    return this.vms.list({ hostId, state });
  }

  @Get(':id')
  @ApiOkResponse({ type: Vm })
  @ApiNotFoundResponse({ type: ErrorBody })
  get(@Param('id') id: string): Promise<Vm> {
    return this.vms.get(id);
  }
}
