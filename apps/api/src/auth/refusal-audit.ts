import { Inject, Injectable, Logger, type ExecutionContext, type OnModuleDestroy } from '@nestjs/common';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { AuthRepository, type RefusalInput } from '@netpin/db';
import type { AuthedRequest } from './auth.guard';

const FLUSH_MS = 2_000;
/** Distinct callers kept per flush; past it refusals of that code and minute share one row. */
const MAX_BUCKETS = 1_000;

type Req = AuthedRequest & { ip?: string; id?: unknown; method?: string; url?: string; route?: { path?: string } };

/** What was asked: the GraphQL root field or the REST route. */
export function requestedAction(ctx: ExecutionContext): string {
  if (ctx.getType<GqlContextType>() === 'graphql') {
    const info = GqlExecutionContext.create(ctx).getInfo<{ parentType: { name: string }; fieldName: string }>();
    return `graphql:${info.parentType.name.toLowerCase()}.${info.fieldName}`;
  }
  const req = ctx.switchToHttp().getRequest<Req>();
  return `${req.method ?? '?'} ${req.route?.path ?? req.url ?? ''}`.slice(0, 200);
}

/**
 * Requests refused by a guard (401 UNAUTHENTICATED, 403 FORBIDDEN, 429 RATE_LIMITED) in the
 * audit trail, as one AuditEvent per caller (token, or address without one), code and
 * minute whose count says how many: summed in memory, written every FLUSH_MS by an upsert
 * on the row's bucket (several API processes add to the same row). A flood adds to counts,
 * not rows: past MAX_BUCKETS callers in one flush, the rest share an "other callers" row.
 */
@Injectable()
export class RefusalAudit implements OnModuleDestroy {
  private readonly logger = new Logger('audit');
  private pending = new Map<string, RefusalInput>();
  private readonly timer: NodeJS.Timeout;

  constructor(@Inject(AuthRepository) private readonly repo: AuthRepository) {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  note(ctx: ExecutionContext, req: Req | undefined, code: string): void {
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const p = req?.principal;
    const address = req?.ip ?? null;
    let caller = p ? `token:${p.tokenId ?? 'bootstrap'}` : `ip:${address ?? 'unknown'}`;
    if (!this.pending.has(`${minute.toISOString()}|${code}|${caller}`) && this.pending.size >= MAX_BUCKETS) caller = 'other';
    const bucket = `${minute.toISOString()}|${code}|${caller}`;
    const seen = this.pending.get(bucket);
    if (seen) {
      seen.count++;
      return;
    }
    const other = caller === 'other';
    this.pending.set(bucket, {
      bucket,
      at: minute,
      tokenId: other ? null : (p?.tokenId ?? null),
      actor: other ? 'other callers' : (p?.name ?? 'anonymous'),
      address: other ? null : address,
      action: requestedAction(ctx),
      result: code,
      count: 1,
      requestId: req?.id === undefined ? null : String(req.id),
    });
  }

  async flush(): Promise<void> {
    if (!this.pending.size) return;
    const rows = [...this.pending.values()];
    this.pending = new Map();
    await this.repo
      .auditRefusals(rows)
      .catch((e: unknown) => this.logger.error({ err: e, rows: rows.length }, 'refusal audit write failed'));
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
