import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Principal } from './auth.decorators';
import { AuthFailures } from './auth-failures';
import type { AuthedRequest } from './auth.guard';
import { AuthService } from './auth.service';
import { RefusalAudit } from './refusal-audit';
import { mapError } from '../common/error-mapper';

type Req = AuthedRequest & { ip?: string; res?: unknown; url?: string };

/** The budget a principal spends from: its token's id, whatever the header's spelling. */
export function trackerOf(principal: Principal | null, address: string | undefined): string {
  if (!principal) return `ip:${address ?? 'unknown'}`;
  return `token:${principal.tokenId ?? 'bootstrap'}`;
}

/**
 * The rate limit (@nestjs/throttler counters in Redis), run before AuthGuard: it resolves
 * who calls (AuthGuard then only checks the role) and spends one unit of that caller's
 * budget per REST request or root GraphQL field, on every transport (HTTP and graphql-ws),
 * refused or not: 401 and 403 answers count. The caller is the resolved token (its id, so
 * `bearer`, extra blanks or a tab spend from the same budget) or, without a valid token,
 * the client address. A token that needs verifying is only hashed while its address has
 * failures left (AuthFailures), so guessing tokens is bounded twice. Health probes and
 * Prometheus scrapes are exempt.
 */
@Injectable()
export class TokenThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    @Inject(Reflector) reflector: Reflector,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(AuthFailures) private readonly failures: AuthFailures,
    @Inject(RefusalAudit) private readonly refusals: RefusalAudit,
  ) {
    super(options, storage, reflector);
  }

  protected override getRequestResponse(context: ExecutionContext): { req: Record<string, unknown>; res: Record<string, unknown> } {
    if (context.getType<GqlContextType>() === 'graphql') {
      const req = GqlExecutionContext.create(context).getContext<{ req?: Req }>().req ?? { headers: {} };
      return { req: req as unknown as Record<string, unknown>, res: (req.res ?? {}) as Record<string, unknown> };
    }
    return super.getRequestResponse(context);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const r = this.requestOf(context);
    if (!r.res || typeof (r.res as { setHeader?: unknown }).setHeader !== 'function') return true;
    return r.url === '/healthz' || r.url === '/readyz' || r.url === '/metrics';
  }

  private requestOf(context: ExecutionContext): Req {
    return this.getRequestResponse(context).req as unknown as Req;
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (await this.shouldSkip(context)) return true;
    const r = this.requestOf(context);
    try {
      const principal = await this.identify(r);
      await this.spend(context, trackerOf(principal, r.ip));
    } catch (e) {
      const { code } = mapError(e);
      if (code === 'RATE_LIMITED') this.refusals.note(context, r, code);
      throw e;
    }
    return true;
  }

  /** Who calls, resolved once per request (a GraphQL request passes here once per root field). */
  private async identify(r: Req): Promise<Principal | null> {
    if (r.identified) return r.principal ?? null;
    const header = Array.isArray(r.headers?.authorization) ? r.headers.authorization[0] : r.headers?.authorization;
    let principal = this.auth.identifyCheaply(header);
    if (principal === 'verify') {
      const address = r.ip ?? 'unknown';
      await this.failures.assertBelowLimit(address);
      principal = await this.auth.authenticate(header);
      if (!principal) await this.failures.record(address);
    }
    r.identified = true;
    r.principal = principal ?? undefined;
    return principal;
  }

  private async spend(context: ExecutionContext, tracker: string): Promise<void> {
    for (const t of this.throttlers as ThrottlerOptions[]) {
      const value = async (v: unknown, fallback: number): Promise<number> =>
        typeof v === 'function' ? Number(await (v as (c: ExecutionContext) => unknown)(context)) : typeof v === 'number' ? v : fallback;
      const ttl = await value(t.ttl, 60_000);
      await this.handleRequest({
        context,
        limit: await value(t.limit, Infinity),
        ttl,
        throttler: t,
        blockDuration: await value(t.blockDuration, ttl),
        getTracker: () => tracker,
        generateKey: (_c, suffix, name) => `${name}:${suffix}`,
      });
    }
  }
}
