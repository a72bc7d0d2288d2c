import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/auth.decorators';
import { DatapathInfo } from './datapath.model';
import { datapathInfos } from './datapaths';

@ApiTags('placement')
@Allow('VIEWER')
@Controller('datapaths')
export class DatapathsController {
  @Get()
  @ApiOkResponse({ type: DatapathInfo, isArray: true, description: 'Every datapath netpin can build, fastest first' })
  list(): DatapathInfo[] {
    return datapathInfos();
  }
}
