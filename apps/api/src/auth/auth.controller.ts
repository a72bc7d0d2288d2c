import { Body, Controller, Delete, Get, Inject, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AuthRepository } from '@netpin/db';
import { queryInt } from '../common/query';
import { Allow } from './auth.decorators';
import type { AuthedRequest } from './auth.guard';
import { ApiToken, AuditEvent, CreateApiTokenInput, CreatedApiToken } from './auth.model';
import { AuthService } from './auth.service';
import { toAuditView } from './auth.views';

@ApiTags('admin')
@Allow('ADMIN')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    @Inject(AuthRepository) private readonly repo: AuthRepository,
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
  @ApiQuery({ name: 'first', required: false, type: Number })
  async audit(@Query('action') action?: string, @Query('first') first?: string): Promise<AuditEvent[]> {
    const n = queryInt(first, 'first') ?? 100;
    return (await this.repo.listAudit({ action, first: Math.min(Math.max(n, 1), 500) })).map(toAuditView);
  }
}
