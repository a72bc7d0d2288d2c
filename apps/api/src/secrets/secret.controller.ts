import { Body, Controller, Delete, Get, Param, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/auth.decorators';
import type { AuthedRequest } from '../auth/auth.guard';
import { ErrorBody } from '../common/error-body';
import { CreateSshSecretInput, SshSecret, SshSecretRotation } from './secret.model';
import { SecretService } from './secret.service';

@ApiTags('admin')
@ApiBadRequestResponse({ type: ErrorBody, description: 'Invalid input; `field` names the culprit' })
@Allow('ADMIN')
@Controller('ssh-secrets')
export class SecretController {
  constructor(private readonly secrets: SecretService) {}

  @Get()
  @ApiOkResponse({ type: SshSecret, isArray: true })
  list(): Promise<SshSecret[]> {
    return this.secrets.list();
  }

  @Post()
  @ApiOkResponse({ type: SshSecret })
  @ApiConflictResponse({
    type: ErrorBody,
    description: 'The name is taken (CONFLICT), or no master key is configured (FAILED_PRECONDITION)',
  })
  create(@Body() input: CreateSshSecretInput, @Req() req: AuthedRequest): Promise<SshSecret> {
    return this.secrets.create(input ?? {}, req.principal);
  }

  @Post('rotate')
  @ApiOkResponse({ type: SshSecretRotation })
  @ApiConflictResponse({ type: ErrorBody, description: 'No master key, or a secret no configured key opens (FAILED_PRECONDITION)' })
  rotate(): Promise<SshSecretRotation> {
    return this.secrets.rotate();
  }

  @Get(':ref')
  @ApiOkResponse({ type: SshSecret })
  @ApiNotFoundResponse({ type: ErrorBody })
  get(@Param('ref') ref: string): Promise<SshSecret> {
    return this.secrets.getByRef(ref);
  }

  @Delete(':id')
  @ApiOkResponse({ type: SshSecret })
  @ApiNotFoundResponse({ type: ErrorBody })
  @ApiConflictResponse({ type: ErrorBody, description: 'A host still uses it' })
  remove(@Param('id') id: string): Promise<SshSecret> {
    return this.secrets.remove(id);
  }
}
