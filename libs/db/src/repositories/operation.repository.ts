import {
  BadUserInputError,
  NotFoundError,
  type OperationFilter,
  type OperationState,
  type OperationStep,
  type PageArgs,
} from '@netpin/contracts';
import type { Db } from '../client';
import { decodeTimeIdCursor, encodeTimeIdCursor } from '../cursor';
import type { ListOptions, Page } from '../types';
import type { Prisma } from '../generated/prisma/client';
import { isUuid } from './host.repository';
import { prismaSql, type SqlReader } from '../sql-reader';
import { stored, StoredDataError } from '../stored-json';
import { rowFromJson } from './json-rows';

export interface JobSpec {
  queue: string;
  name: string;
  payload: unknown;
}

export interface NewOperation {
  id: string;
  kind: string;
  targetType: 'host' | 'vm';
  targetId: string;
  idempotencyKey?: string | null;
  requestHash?: string | null;
  requestId?: string | null;
  parentId?: string | null;
  /** Written to the outbox in the same transaction; the relay publishes it. */
  job?: JobSpec;
  state?: OperationState;
  /** For an operation born finished: what it did (or skipped) and its result. */
  steps?: OperationStep[];
  result?: Prisma.InputJsonValue;
}

/** A step as the agent reported it (contracts OperationStep). */
export type OperationStepRecord = OperationStep;

export interface OperationRecord {
  id: string;
  kind: string;
  targetType: string;
  targetId: string;
  state: OperationState;
  progress: number;
  step: string | null;
  steps: OperationStepRecord[];
  result: unknown;
  errorCode: string | null;
  errorMessage: string | null;
  errorStderr: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  requestId: string | null;
  parentId: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

type Row = Prisma.OperationGetPayload<object>;

/** An Operation row as read (Prisma or plain pg, same columns). */
export type OperationRow = Row;
type Client = Db | Prisma.TransactionClient;

export function toOperationRecord(r: Row): OperationRecord {
  return { ...r, steps: stored.steps(r.steps, r.id), result: r.result ?? null };
}

export interface OutboxRecord {
  id: string;
  operationId: string;
  queue: string;
  jobName: string;
  payload: unknown;
}

/**
 * What netpin_create_operation (migration 20261205043000) takes: the row Prisma wrote before
 * (timestamps `at`, defaults made explicit) and the job for the outbox. Shared by every
 * caller, the create of a placed VM (placed-vm-write.ts) included.
 */
export function operationArg(op: NewOperation, at: Date): { row: Record<string, unknown>; job?: JobSpec } {
  const finished = op.state === 'SUCCEEDED' || op.state === 'FAILED';
  const row = {
    id: op.id,
    kind: op.kind,
    targetType: op.targetType,
    targetId: op.targetId,
    idempotencyKey: op.idempotencyKey ?? null,
    requestHash: op.requestHash ?? null,
    requestId: op.requestId ?? null,
    parentId: op.parentId ?? null,
    state: op.state ?? 'QUEUED',
    progress: finished ? 100 : 0,
    steps: op.steps ?? [],
    result: op.result ?? null,
    createdAt: at,
    finishedAt: finished ? at : null,
    updatedAt: at,
  };
  return op.job ? { row, job: op.job } : { row };
}

/** The Operation row netpin_create_operation returns (to_jsonb: timestamps as text). */
export function operationFromJson(json: unknown): OperationRecord {
  return toOperationRecord(rowFromJson<Row>(json, ['createdAt', 'startedAt', 'finishedAt', 'updatedAt']));
}

/** The operation and its outbox row (when it has a job), in one statement. */
export async function createOperation(client: Client, op: NewOperation): Promise<OperationRecord> {
  const arg = JSON.stringify(operationArg(op, new Date()));
  const rows = await client.$queryRaw<{ op: unknown }[]>`SELECT netpin_create_operation(${arg}::jsonb) AS op`;
  return operationFromJson(rows[0]?.op);
}

export class OperationRepository {
  /**
   * `sql`: the statements run for every job (getForJob, the relay's claim and mark, progress) go
   * through plain pg (see SqlReader: a third of Prisma's CPU per statement); without it,
   * through Prisma's raw queries (same SQL, same rows).
   */
  constructor(
    private readonly db: Db,
    private readonly sql: SqlReader = prismaSql(db),
  ) {}

  create(op: NewOperation): Promise<OperationRecord> {
    return this.db.$transaction((tx) => createOperation(tx, op));
  }

  async get(id: string): Promise<OperationRecord> {
    const row = isUuid(id) ? await this.db.operation.findUnique({ where: { id } }) : null;
    if (!row) throw new NotFoundError('operation', id);
    return toOperationRecord(row);
  }

  /** The same row as get, read on the job path's pool (a result being applied). */
  async getForJob(id: string): Promise<OperationRecord> {
    const row = isUuid(id) ? (await this.sql.query<Row>(`SELECT * FROM "Operation" WHERE id = $1::uuid`, [id]))[0] : undefined;
    if (!row) throw new NotFoundError('operation', id);
    return toOperationRecord(row);
  }

  async findByIdempotencyKey(key: string): Promise<OperationRecord | null> {
    const row = await this.db.operation.findUnique({ where: { idempotencyKey: key } });
    return row ? toOperationRecord(row) : null;
  }

  /**
   * What the reaper looks at, oldest first: unfinished operations untouched since `before`,
   * with their jobs published and no child open (a create waiting for its verify is the
   * verify's business; a reaper verify may be under way), of three families: provisioning
   * (vm.create and its vm.verify) of a VM still PENDING or PROVISIONING; a hot-plug
   * (vm.attachInterface / vm.detachInterface) of a VM that is neither deleted nor being
   * deleted; a migration (vm.migrate) of a VM still MIGRATING.
   */
  async reapCandidates(before: Date, limit: number): Promise<OperationRecord[]> {
    const rows = await this.db.$queryRaw<Row[]>`
      SELECT o.* FROM "Operation" o JOIN "Vm" v ON v.id::text = o."targetId"
      WHERE o."targetType" = 'vm' AND o.state IN ('QUEUED', 'RUNNING') AND o."updatedAt" < ${before}
        AND (
          (o.kind IN ('vm.create', 'vm.verify') AND v.state IN ('PENDING', 'PROVISIONING'))
          OR (o.kind IN ('vm.attachInterface', 'vm.detachInterface') AND v.state NOT IN ('DELETED', 'DELETING'))
          OR (o.kind = 'vm.migrate' AND v.state = 'MIGRATING')
        )
        AND NOT EXISTS (SELECT 1 FROM "OutboxMessage" m WHERE m."operationId" = o.id AND m."sentAt" IS NULL)
        AND NOT EXISTS (SELECT 1 FROM "Operation" c WHERE c."parentId" = o.id AND c.state IN ('QUEUED', 'RUNNING'))
      ORDER BY o."updatedAt" ASC LIMIT ${limit}`;
    return rows.map(toOperationRecord);
  }

  /** A VM's (or host's) operations not finished yet, oldest first. */
  async unfinishedFor(targetId: string): Promise<OperationRecord[]> {
    const rows = await this.db.operation.findMany({
      where: { targetId, state: { in: ['QUEUED', 'RUNNING'] } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toOperationRecord);
  }

  /** Newest first, cursor-paginated. */
  async list(filter: OperationFilter, page: PageArgs, opts: ListOptions = {}): Promise<Page<OperationRecord>> {
    const where: Prisma.OperationWhereInput = {
      state: filter.state ?? undefined,
      targetId: filter.targetId ?? undefined,
      kind: filter.kind ?? undefined,
    };
    const after = page.after ? decodeTimeIdCursor(page.after) : null;
    if (page.after && !after) throw BadUserInputError.of('after', 'cursor is not one this API issued');
    const [rows, totalCount] = await Promise.all([
      this.db.operation.findMany({
        where: after ? { AND: [where, { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] }] } : where,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: page.first + 1,
      }),
      opts.count === false ? null : this.db.operation.count({ where }),
    ]);
    const items = rows.slice(0, page.first).map(toOperationRecord);
    const last = items[items.length - 1];
    return {
      items,
      hasNextPage: rows.length > page.first,
      totalCount,
      endCursor: last ? encodeTimeIdCursor({ at: last.createdAt, id: last.id }) : null,
    };
  }

  /**
   * Record the progress of running jobs, several in one statement (the API writes progress
   * in batches); finished operations are left alone (late events).
   */
  async markProgressMany(items: readonly { id: string; step: string; progress: number }[]): Promise<OperationRecord[]> {
    const valid = items.filter((i) => isUuid(i.id));
    if (valid.length === 0) return [];
    const ids = valid.map((i) => i.id);
    const steps = valid.map((i) => i.step);
    const pcts = valid.map((i) => Math.max(0, Math.min(99, Math.round(i.progress))));
    const rows = await this.sql.query<Row>(
      `UPDATE "Operation" o SET state = 'RUNNING', step = v.step, progress = GREATEST(o.progress, v.pct),
        "startedAt" = COALESCE(o."startedAt", now()), "updatedAt" = now()
      FROM unnest($1::uuid[], $2::text[], $3::int[]) AS v(id, step, pct)
      WHERE o.id = v.id AND o.state IN ('QUEUED', 'RUNNING') RETURNING o.*`,
      [ids, steps, pcts],
    );
    return rows.map(toOperationRecord);
  }

  /**
   * Claim up to `limit` unsent outbox rows, oldest first, for `leaseMs`: one statement, no
   * transaction is held while the caller publishes them (a relay's transaction held across
   * its Redis publishes outlived Prisma's interactive timeout under load, and kept a pool
   * connection from requests). Rows claimed by another relay whose lease has not run out are
   * skipped; a relay that crashes after claiming leaves its rows to any relay once the lease
   * ends, and a second publish is ignored by BullMQ (job id = operation id). A row whose
   * payload no longer parses is never published: its operation fails with BAD_PAYLOAD.
   * Returns the rows to publish and how many were claimed (a full batch means: claim again).
   */
  async claimUnsent(limit: number, leaseMs: number): Promise<{ rows: OutboxRecord[]; claimed: number }> {
    const raw = await this.sql.query<OutboxRecord & { createdAt: Date }>(
      `UPDATE "OutboxMessage" m SET "claimedUntil" = now() + $1::int * interval '1 millisecond', attempts = m.attempts + 1
      WHERE m.id IN (
        SELECT id FROM "OutboxMessage" WHERE "sentAt" IS NULL AND ("claimedUntil" IS NULL OR "claimedUntil" < now())
        ORDER BY "createdAt" LIMIT $2::int FOR UPDATE SKIP LOCKED)
      RETURNING m.id, m."operationId", m.queue, m."jobName", m.payload, m."createdAt"`,
      [leaseMs, limit],
    );
    raw.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    const rows: OutboxRecord[] = [];
    const bad: string[] = [];
    for (const { createdAt: _createdAt, ...r } of raw) {
      const payload = await parsedPayload(this.db, r);
      if (payload === null) bad.push(r.id);
      else rows.push({ ...r, payload });
    }
    // never published: sent only in the sense that no relay is to try it again
    if (bad.length)
      await this.db.$executeRaw`UPDATE "OutboxMessage" SET "sentAt" = now(), "claimedUntil" = NULL WHERE id = ANY(${bad}::uuid[])`;
    return { rows, claimed: raw.length };
  }

  /**
   * Published: the rows are sent, and a VM whose apply job is now on the queue has begun
   * provisioning (PENDING -> PROVISIONING). One statement (the VM update reads the rows the
   * first part marked).
   */
  async markSent(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await this.sql.query(
      `WITH sent AS (
        UPDATE "OutboxMessage" SET "sentAt" = now(), "claimedUntil" = NULL WHERE id = ANY($1::uuid[]) RETURNING "operationId")
      UPDATE "Vm" SET state = 'PROVISIONING', "updatedAt" = now()
        WHERE state = 'PENDING' AND id IN (SELECT o."targetId"::uuid FROM "Operation" o JOIN sent ON sent."operationId" = o.id
          WHERE o.kind = 'vm.create')`,
      [[...ids]],
    );
  }

  /** Give claimed rows back at once (their publish failed): the next relay pass retries them. */
  async releaseClaims(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await this.db.$executeRaw`UPDATE "OutboxMessage" SET "claimedUntil" = NULL WHERE id = ANY(${[...ids]}::uuid[]) AND "sentAt" IS NULL`;
  }

  async countUnsent(): Promise<number> {
    return this.db.outboxMessage.count({ where: { sentAt: null } });
  }

  /** How many operations are in each state (read by the metrics scrape). */
  async countByState(): Promise<Partial<Record<OperationState, number>>> {
    const rows = await this.db.operation.groupBy({ by: ['state'], _count: { _all: true } });
    return Object.fromEntries(rows.map((r) => [r.state, r._count._all])) as Partial<Record<OperationState, number>>;
  }
}

/**
 * A stored job payload read back through its job's schema before it is published. One that
 * no longer parses is never sent: its operation fails with BAD_PAYLOAD (as the agent would
 * answer) and null is returned.
 */
async function parsedPayload(tx: Client, r: OutboxRecord): Promise<unknown> {
  try {
    return stored.jobPayload(r.jobName, r.payload, r.operationId);
  } catch (e) {
    if (!(e instanceof StoredDataError)) throw e;
    await tx.operation.updateMany({
      where: { id: r.operationId, state: { in: ['QUEUED', 'RUNNING'] } },
      data: { state: 'FAILED', finishedAt: new Date(), progress: 100, errorCode: 'BAD_PAYLOAD', errorMessage: e.message },
    });
    return null;
  }
}
