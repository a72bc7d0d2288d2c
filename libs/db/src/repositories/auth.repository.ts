import { ConflictError, NotFoundError, type Role } from '@netpin/contracts';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { mapPrismaError } from '../prisma-errors';
import { isUuid } from './host.repository';
import { prismaSql, type SqlReader } from '../sql-reader';

/** One mutation's audit row as Prisma wrote it (count 1, no bucket); `at` given as UTC. */
const INSERT_AUDIT = `
  INSERT INTO "AuditEvent" (id, at, "tokenId", actor, action, "targetType", "targetId", input, result, "requestId")
  VALUES (gen_random_uuid(), $1::timestamptz AT TIME ZONE 'UTC', $2, $3, $4, $5, $6, $7::jsonb, $8, $9)`;

export interface ApiTokenRecord {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface ApiTokenWithHash extends ApiTokenRecord {
  secretHash: string;
}

export interface AuditEventInput {
  tokenId: string | null;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  input: unknown;
  result: string;
  requestId: string | null;
}

export interface AuditEventRecord extends AuditEventInput {
  id: string;
  at: Date;
  count: number;
  address: string | null;
}

/** Requests refused by a guard, summed per caller, code and minute (AuditEvent.bucket). */
export interface RefusalInput {
  bucket: string;
  at: Date;
  tokenId: string | null;
  actor: string;
  address: string | null;
  action: string;
  result: string;
  count: number;
  requestId: string | null;
}

function toToken(r: Prisma.ApiTokenGetPayload<object>): ApiTokenRecord {
  return {
    id: r.id,
    name: r.name,
    role: r.role,
    prefix: r.prefix,
    createdBy: r.createdBy,
    createdAt: r.createdAt,
    lastUsedAt: r.lastUsedAt,
    revokedAt: r.revokedAt,
  };
}

/** API tokens (hashes only) and the audit trail. */
export class AuthRepository {
  /** `sql`: the audit row of every mutation (without it, the same SQL through Prisma). */
  constructor(
    private readonly db: Db,
    private readonly sql: SqlReader = prismaSql(db),
  ) {}

  async createToken(t: {
    name: string;
    role: Role;
    prefix: string;
    secretHash: string;
    createdBy: string | null;
  }): Promise<ApiTokenRecord> {
    try {
      return toToken(await this.db.apiToken.create({ data: t }));
    } catch (e) {
      mapPrismaError(e, 'token', t.name);
    }
  }

  async findByPrefix(prefix: string): Promise<ApiTokenWithHash | null> {
    const r = await this.db.apiToken.findUnique({ where: { prefix } });
    return r ? { ...toToken(r), secretHash: r.secretHash } : null;
  }

  async listTokens(): Promise<ApiTokenRecord[]> {
    return (await this.db.apiToken.findMany({ orderBy: { createdAt: 'asc' } })).map(toToken);
  }

  async revokeToken(id: string): Promise<ApiTokenRecord> {
    const row = isUuid(id) ? await this.db.apiToken.findUnique({ where: { id } }) : null;
    if (!row) throw new NotFoundError('token', id);
    if (row.revokedAt) throw new ConflictError(`token ${row.name} is already revoked`);
    return toToken(await this.db.apiToken.update({ where: { id }, data: { revokedAt: new Date() } }));
  }

  async touch(id: string): Promise<void> {
    await this.db.apiToken.update({ where: { id }, data: { lastUsedAt: new Date() } });
  }

  async audit(e: AuditEventInput): Promise<void> {
    await this.sql.query(INSERT_AUDIT, [
      new Date().toISOString(),
      e.tokenId,
      e.actor,
      e.action,
      e.targetType,
      e.targetId,
      JSON.stringify(e.input ?? {}),
      e.result,
      e.requestId,
    ]);
  }

  /** One row per bucket: a bucket seen before adds to its count (one statement, safe across processes). */
  async auditRefusals(rows: RefusalInput[]): Promise<void> {
    for (const r of rows) {
      await this.db.auditEvent.upsert({
        where: { bucket: r.bucket },
        create: {
          bucket: r.bucket,
          at: r.at,
          tokenId: r.tokenId,
          actor: r.actor,
          address: r.address,
          action: 'refused',
          targetType: 'request',
          input: { firstAction: r.action },
          result: r.result,
          count: r.count,
          requestId: r.requestId,
        },
        update: { count: { increment: r.count } },
      });
    }
  }

  async listAudit(filter: { action?: string; tokenId?: string; first?: number }): Promise<AuditEventRecord[]> {
    const rows = await this.db.auditEvent.findMany({
      where: { action: filter.action ? { contains: filter.action } : undefined, tokenId: filter.tokenId },
      orderBy: [{ at: 'desc' }, { id: 'asc' }],
      take: filter.first ?? 100,
    });
    return rows.map(({ bucket: _bucket, ...r }) => ({ ...r, input: r.input }));
  }
}
