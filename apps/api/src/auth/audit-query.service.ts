import { Inject, Injectable } from '@nestjs/common';
import { listArgsSchema, parseInput } from '@netpin/contracts';
import { AuthRepository, LookupRepository } from '@netpin/db';
import { z } from 'zod';
import type { AuditEvent } from './auth.model';
import { toAuditView } from './auth.views';

const auditFilterSchema = listArgsSchema({
  action: z.string().max(100, 'action must be at most 100 characters').optional(),
  tokenId: z.uuid('tokenId must be a UUID').optional(),
  first: z.number().int().min(1, 'first must be between 1 and 500').max(500, 'first must be between 1 and 500').default(100),
});

/** The audit log, newest first, filtered by action (substring) and token; targets named. */
@Injectable()
export class AuditQueryService {
  constructor(
    @Inject(AuthRepository) private readonly repo: AuthRepository,
    @Inject(LookupRepository) private readonly lookups: LookupRepository,
  ) {}

  async list(filter: { action?: string | null; tokenId?: string | null; first?: number | null }): Promise<AuditEvent[]> {
    const events = await this.repo.listAudit(parseInput(auditFilterSchema, filter));
    const targets = await this.lookups.auditTargets(events.flatMap((e) => (e.targetId ? [e.targetId] : [])));
    return events.map((e) => toAuditView(e, e.targetId ? targets.get(e.targetId) : undefined));
  }
}
