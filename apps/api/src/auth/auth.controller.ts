import { Body, Controller, Delete, Get, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { queryInt, queryStr } from '../common/query';
import { Allow } from './auth.decorators';
import type { AuthedRequest } from './auth.guard';
import { ApiToken, AuditEvent, CreateApiTokenInput, CreatedApiToken } from './auth.model';
import { AuthService } from './auth.service';
import { AuditQueryService } from './audit-query.service';

@ApiTags('admin')
@Allow('ADMIN')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly auditLog: AuditQueryService,
  ) {}

  @Get('tokens')
  @ApiOkResponse({ type: ApiToken, isArray: true })
  list(): Promise<ApiToken[]> {
    return this.auth.list();
  }

  @Post('tokens')
  @ApiOkResponse({ type: CreatedApiToken })
  create(@Body() input: CreateApiTokenInput, @Req() req: AuthedRequest): Promise<CreatedApiToken> {
    return this.auth.create(input ?? {}, req.principal);
  }

  @Delete('tokens/:id')
  @ApiOkResponse({ type: ApiToken })
  revoke(@Param('id') id: string): Promise<ApiToken> {
    return this.auth.revoke(id);
  }

  @Get('audit')
  @ApiOkResponse({ type: AuditEvent, isArray: true })
  @ApiQuery({ name: 'action', required: false })
  @ApiQuery({ name: 'tokenId', required: false })
  @ApiQuery({ name: 'first', required: false, type: Number })
  audit(@Query('action') action?: string, @Query('tokenId') tokenId?: string, @Query('first') first?: string): Promise<AuditEvent[]> {
    return this.auditLog.list({ action: queryStr(action), tokenId: queryStr(tokenId), first: queryInt(first, 'first') });
  }
}
