import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { DomainError, roleAtLeast, type Role } from '@netpin/contracts';
import { PUBLIC_KEY, ROLE_KEY, type Principal } from './auth.decorators';
import { AuthService, ForbiddenError, UnauthenticatedError } from './auth.service';
import { RefusalAudit } from './refusal-audit';

export interface AuthedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
  /** set once the caller was resolved (by the rate limit, which runs first) */
  identified?: boolean;
}

export function requestOf(ctx: ExecutionContext): AuthedRequest | undefined {
  if (ctx.getType<GqlContextType>() === 'graphql') return GqlExecutionContext.create(ctx).getContext<{ req?: AuthedRequest }>().req;
  return ctx.switchToHttp().getRequest<AuthedRequest>();
}

/**
 * Deny by default: every REST route and every root GraphQL field (query, mutation,
 * subscription) needs a token whose role is at least the one @Allow names. A handler with
 * neither @Allow nor @Public is refused, so a new route cannot be open by accident.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(RefusalAudit) private readonly refusals: RefusalAudit,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    if (ctx.getType<GqlContextType>() === 'graphql') {
      const parent = GqlExecutionContext.create(ctx).getInfo<{ parentType: { name: string } }>().parentType.name;
      // nested fields were authorised with the root field that reached them
      if (parent !== 'Query' && parent !== 'Mutation' && parent !== 'Subscription') return true;
    }
    const req = requestOf(ctx);
    const header = req?.headers?.authorization;
    // the rate limit ran first and resolved the caller (and counted this request)
    const principal = req?.identified ? (req.principal ?? null) : await this.auth.authenticate(Array.isArray(header) ? header[0] : header);
    if (!principal) throw this.refuse(ctx, req, new UnauthenticatedError());
    if (req) req.principal = principal;
    const need = this.reflector.getAllAndOverride<Role | undefined>(ROLE_KEY, targets);
    if (!need) throw this.refuse(ctx, req, new DomainError('FORBIDDEN', 'this operation has no role assigned; refusing by default'));
    if (!roleAtLeast(principal.role, need)) throw this.refuse(ctx, req, new ForbiddenError(need, principal.role));
    return true;
  }

  /** A refusal is audited (summed per caller and minute) before it is thrown. */
  private refuse(ctx: ExecutionContext, req: AuthedRequest | undefined, e: DomainError): DomainError {
    this.refusals.note(ctx, req, e.code);
    return e;
  }
}
