import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Allow } from '../auth/auth.decorators';
import { ErrorBody } from '../common/error-body';
import { RequestId } from '../common/request-id';
import { Host } from '../hosts/host.model';
import { Operation } from '../operations/operation.model';
import { DrainHostInput } from './drain.model';
import { DrainService } from './drain.service';

@ApiTags('hosts')
@Allow('ADMIN')
@Controller('hosts')
export class DrainController {
  constructor(private readonly drain: DrainService) {}

  @Post(':id/drain')
  @HttpCode(202)
  @ApiBody({ type: DrainHostInput, required: false })
  @ApiAcceptedResponse({ type: Operation, description: "The drain operation (kind host.drain); each VM's outcome in resultJson" })
  @ApiBadRequestResponse({ type: ErrorBody })
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: 'A drain of this host is already running' })
  drainHost(@Param('id') id: string, @RequestId() requestId: string, @Body() input?: DrainHostInput): Promise<Operation> {
    return this.drain.drainHost(id, input, requestId);
  }

  @Post(':id/undrain')
  @HttpCode(200)
  @ApiOkResponse({ type: Host })
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: 'The host is not in maintenance' })
  undrainHost(@Param('id') id: string): Promise<Host> {
    return this.drain.undrainHost(id);
  }
}
