import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/auth.decorators';
import { ErrorBody } from '../common/error-body';
import { CreateGroupInput, Group } from './group.model';
import { GroupService } from './group.service';

@ApiTags('groups')
@ApiBadRequestResponse({ type: ErrorBody, description: 'Invalid input; `field` names the culprit' })
@Allow('VIEWER')
@Controller('groups')
export class GroupController {
  constructor(private readonly groups: GroupService) {}

  @Get()
  @ApiOkResponse({ type: Group, isArray: true })
  list(): Promise<Group[]> {
    return this.groups.list();
  }

  @Allow('OPERATOR')
  @Post()
  @ApiOkResponse({ type: Group })
  @ApiConflictResponse({ type: ErrorBody, description: 'A group of that name exists' })
  create(@Body() input: CreateGroupInput): Promise<Group> {
    return this.groups.create(input);
  }

  @Get(':ref')
  @ApiOkResponse({ type: Group })
  @ApiNotFoundResponse({ type: ErrorBody })
  get(@Param('ref') ref: string): Promise<Group> {
    return this.groups.get(ref);
  }

  @Allow('OPERATOR')
  @Delete(':ref')
  @ApiOkResponse({ type: Group })
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: 'VMs that are not DELETED belong to it (details.reason GROUP_HAS_MEMBERS)' })
  remove(@Param('ref') ref: string): Promise<Group> {
    return this.groups.remove(ref);
  }
}
