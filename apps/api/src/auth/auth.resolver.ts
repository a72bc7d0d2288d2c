import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AuthRepository } from '@netpin/db';
import { Inject } from '@nestjs/common';
import { Allow } from './auth.decorators';
import type { AuthedRequest } from './auth.guard';
import { ApiToken, AuditEvent, CreateApiTokenInput, CreatedApiToken } from './auth.model';
import { AuthService } from './auth.service';
import { toAuditView } from './auth.views';

@Resolver()
@Allow('ADMIN')
export class AuthResolver {
  constructor(
    private readonly auth: AuthService,
    @Inject(AuthRepository) private readonly repo: AuthRepository,
  ) {}

  @Query(() => [ApiToken])
  apiTokens(): Promise<ApiToken[]> {
    return this.auth.list();
  }

  @Mutation(() => CreatedApiToken, { description: 'The token is in the answer once; only its hash is stored' })
  createApiToken(@Args('input') input: CreateApiTokenInput, @Context('req') req: AuthedRequest): Promise<CreatedApiToken> {
    return this.auth.create(input, req.principal);
  }

  @Mutation(() => ApiToken)
  revokeApiToken(@Args('id', { type: () => ID }) id: string): Promise<ApiToken> {
    return this.auth.revoke(id);
  }

  @Query(() => [AuditEvent], { description: 'Newest first' })
  async auditEvents(
    @Args('action', { nullable: true }) action?: string,
    @Args('tokenId', { type: () => ID, nullable: true }) tokenId?: string,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
  ): Promise<AuditEvent[]> {
    return (await this.repo.listAudit({ action, tokenId, first: Math.min(Math.max(first ?? 100, 1), 500) })).map(toAuditView);
  }
}
