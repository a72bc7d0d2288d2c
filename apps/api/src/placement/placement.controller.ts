import { Allow } from '../auth/auth.decorators';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ErrorBody } from '../common/error-body';
import { CapacityReport, ExplainInput, HostExplanation, PlacementPreview, VmInput } from './placement.model';
import { PlacementService } from './placement.service';

@ApiTags('placement')
@ApiBadRequestResponse({ type: ErrorBody })
@Allow('VIEWER')
@Controller('placement')
export class PlacementController {
  constructor(private readonly service: PlacementService) {}

  @Post('preview')
  @HttpCode(200)
  @ApiOkResponse({ type: PlacementPreview })
  preview(@Body() input: VmInput): Promise<PlacementPreview> {
    return this.service.preview(input);
  }

  @Post('explain')
  @HttpCode(200)
  @ApiOkResponse({ type: HostExplanation })
  explain(@Body() body: ExplainInput): Promise<HostExplanation> {
    return this.service.explain(body?.input, body?.host);
  }

  @Post('capacity')
  @HttpCode(200)
  @ApiOkResponse({ type: CapacityReport })
  capacity(@Body() input: VmInput): Promise<CapacityReport> {
    return this.service.capacity(input);
  }
}
