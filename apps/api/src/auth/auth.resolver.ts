import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow } from './auth.decorators';
import type { AuthedRequest } from './auth.guard';
import { ApiToken, AuditEvent, CreateApiTokenInput, CreatedApiToken } from './auth.model';
import { AuthService } from './auth.service';
import { AuditQueryService } from './audit-query.service';

@Resolver()
@Allow('ADMIN')
export class AuthResolver {
  constructor(
    private readonly auth: AuthService,
    private readonly auditLog: AuditQueryService,
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
  auditEvents(
    @Args('action', { nullable: true }) action?: string,
    @Args('tokenId', { type: () => ID, nullable: true }) tokenId?: string,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
  ): Promise<AuditEvent[]> {
    return this.auditLog.list({ action, tokenId, first });
  }
}
