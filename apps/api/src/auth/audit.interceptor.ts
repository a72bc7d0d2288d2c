import { Inject, Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { AuthRepository } from '@netpin/db';
import { catchError, mergeMap, type Observable } from 'rxjs';
import { mapError } from '../common/error-mapper';
import { requestOf } from './auth.guard';

const SECRET_KEY = /token|secret|password|passphrase|privatekey|private_key|authorization/i;
/** Key material under any field name (a private key pasted into the wrong field is still a key). */
const SECRET_VALUE = /PRIVATE KEY|PuTTY-User-Key-File|BEGIN OPENSSH/;

/** A bounded copy of an input with anything secret-looking removed. */
export function summarise(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') {
    if (SECRET_VALUE.test(v)) return '[redacted]';
    return v.length > 200 ? `${v.slice(0, 200)}…(${v.length} chars)` : v;
  }
  if (v === null || typeof v !== 'object') return v;
  if (depth >= 4) return '[…]';
  if (Array.isArray(v)) return v.slice(0, 20).map((x) => summarise(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v).slice(0, 50)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : summarise(x, depth + 1);
  return out;
}

function targetOf(result: unknown): { type: string; id: string | null } {
  const r = result as { id?: unknown; __typename?: unknown; vm?: { id?: unknown }; apiToken?: { id?: unknown } } | null;
  if (r?.vm && typeof r.vm.id === 'string') return { type: 'vm', id: r.vm.id };
  if (r?.apiToken && typeof r.apiToken.id === 'string') return { type: 'token', id: r.apiToken.id };
  if (r && typeof r.id === 'string') return { type: 'resource', id: r.id };
  return { type: 'resource', id: null };
}

/** Every mutation (GraphQL Mutation fields, REST non-GET routes) leaves an AuditEvent. */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('audit');

  constructor(@Inject(AuthRepository) private readonly repo: AuthRepository) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const action = this.actionOf(ctx);
    if (!action) return next.handle();
    const req = requestOf(ctx) as (ReturnType<typeof requestOf> & { id?: unknown; body?: unknown; params?: unknown }) | undefined;
    const input =
      ctx.getType<GqlContextType>() === 'graphql' ? GqlExecutionContext.create(ctx).getArgs() : { params: req?.params, body: req?.body };
    const write = async (result: string, value: unknown): Promise<void> => {
      const p = req?.principal;
      const t = targetOf(value);
      await this.repo
        .audit({
          tokenId: p?.tokenId ?? null,
          actor: p?.name ?? 'anonymous',
          action,
          targetType: t.type,
          targetId: t.id,
          input: summarise(input),
          result,
          requestId: req?.id === undefined ? null : String(req.id),
        })
        .catch((e: unknown) => this.logger.error({ err: e, action }, 'audit write failed'));
    };
    return next.handle().pipe(
      mergeMap(async (value: unknown) => {
        await write('ok', value);
        return value;
      }),
      catchError(async (err: unknown) => {
        await write(mapError(err).code, undefined);
        throw err;
      }),
    );
  }

  private actionOf(ctx: ExecutionContext): string | null {
    if (ctx.getType<GqlContextType>() === 'graphql') {
      const info = GqlExecutionContext.create(ctx).getInfo<{ parentType: { name: string }; fieldName: string }>();
      return info.parentType.name === 'Mutation' ? `graphql:${info.fieldName}` : null;
    }
    const req = ctx.switchToHttp().getRequest<{ method: string; route?: { path?: string } }>();
    return req.method === 'GET' || req.method === 'HEAD' ? null : `${req.method} ${req.route?.path ?? ''}`;
  }
}
