import { Body, Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/auth.decorators';
import { ErrorBody } from '../common/error-body';
import { RequestId } from '../common/request-id';
import { Operation } from '../operations/operation.model';
import { CreateSriovPolicyInput, SriovPolicy, UpdateSriovPolicyInput } from './sriov.model';
import { SriovPolicyService } from './sriov.service';

@ApiTags('sriov-policies')
@ApiBadRequestResponse({ type: ErrorBody, description: 'Invalid input; `field` names the culprit' })
@Allow('VIEWER')
@Controller('sriov-policies')
export class SriovPolicyController {
  constructor(private readonly service: SriovPolicyService) {}

  @Get()
  @ApiOkResponse({ type: SriovPolicy, isArray: true })
  list(): Promise<SriovPolicy[]> {
    return this.service.list();
  }

  @Allow('ADMIN')
  @Post()
  @ApiOkResponse({ type: SriovPolicy })
  @ApiConflictResponse({ type: ErrorBody, description: 'A policy with this name exists' })
  create(@Body() input: CreateSriovPolicyInput, @RequestId() requestId: string): Promise<SriovPolicy> {
    return this.service.create(input, requestId);
  }

  @Allow('ADMIN')
  @Post('reconcile')
  @ApiOkResponse({ type: Operation, isArray: true, description: 'The host.configureSriov operations started' })
  reconcile(@RequestId() requestId: string): Promise<Operation[]> {
    return this.service.reconcile(requestId);
  }

  @Get(':name')
  @ApiOkResponse({ type: SriovPolicy })
  @ApiNotFoundResponse({ type: ErrorBody })
  get(@Param('name') name: string): Promise<SriovPolicy> {
    return this.service.get(name);
  }

  @Allow('ADMIN')
  @Patch(':name')
  @ApiOkResponse({ type: SriovPolicy })
  @ApiNotFoundResponse({ type: ErrorBody })
  update(@Param('name') name: string, @Body() input: UpdateSriovPolicyInput, @RequestId() requestId: string): Promise<SriovPolicy> {
    return this.service.update(name, input, requestId);
  }

  @Allow('ADMIN')
  @Delete(':name')
  @ApiOkResponse({ type: SriovPolicy })
  @ApiNotFoundResponse({ type: ErrorBody })
  remove(@Param('name') name: string, @RequestId() requestId: string): Promise<SriovPolicy> {
    return this.service.remove(name, requestId);
  }
}
