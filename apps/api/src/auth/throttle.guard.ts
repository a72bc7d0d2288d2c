import { Injectable, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { ThrottlerGuard } from '@nestjs/throttler';
import { createHash } from 'node:crypto';

type Req = { headers?: Record<string, string | string[] | undefined>; ip?: string; res?: unknown; url?: string };

/**
 * @nestjs/throttler per caller: the bearer token (hashed) when there is one, else the client
 * address; REST and GraphQL alike (GraphQL answers RATE_LIMITED through the error mapper).
 * Health probes, Prometheus scrapes and subscription messages (no HTTP response to put
 * headers on) are exempt.
 */
@Injectable()
export class TokenThrottlerGuard extends ThrottlerGuard {
  protected override getRequestResponse(context: ExecutionContext): { req: Record<string, unknown>; res: Record<string, unknown> } {
    if (context.getType<GqlContextType>() === 'graphql') {
      const req = GqlExecutionContext.create(context).getContext<{ req?: Req }>().req ?? {};
      return { req: req as Record<string, unknown>, res: (req.res ?? {}) as Record<string, unknown> };
    }
    return super.getRequestResponse(context);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const { req } = this.getRequestResponse(context);
    const r = req as Req;
    if (!r.res || typeof (r.res as { setHeader?: unknown }).setHeader !== 'function') return true;
    return r.url === '/healthz' || r.url === '/readyz' || r.url === '/metrics';
  }

  /** One budget per caller across every route and resolver (the default is per route). */
  protected override generateKey(_context: ExecutionContext, suffix: string, name: string): string {
    return `${name}:${suffix}`;
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const r = req as Req;
    const auth = r.headers?.authorization;
    const value = Array.isArray(auth) ? auth[0] : auth;
    return value ? `t:${createHash('sha256').update(value).digest('hex').slice(0, 32)}` : `ip:${r.ip ?? 'unknown'}`;
  }
}
