import { ConflictError, DRAIN_KIND, drainResultSchema, type DrainResult, type VmState } from '@netpin/contracts';
import type { Db } from '../client';
import { parseStored } from '../stored-json';
import { toOperationRecord, type OperationRecord } from './operation.repository';

/** A running drain as one tick sees it, under its row lock. */
export interface DrainTickInput {
  operation: OperationRecord;
  result: DrainResult;
}

/** What a tick writes back: the items, and the end when nothing is left to do. */
export interface DrainTickOutput {
  result: DrainResult;
  progress: number;
  finished?: { ok: boolean; message: string | null };
}

export interface DrainVm {
  id: string;
  name: string;
  state: VmState;
}

/** How long one tick may hold a drain's row (its moves start while it does). */
const TICK_TX_TIMEOUT_MS = 120_000;

/**
 * A host drain is an operation (kind host.drain, target the host) whose result holds what
 * happened to each VM (contracts drainResultSchema). One drain per host runs at a time; ticks
 * take its row with FOR UPDATE SKIP LOCKED, so however many API processes drive drains, one
 * advances a given drain at a time.
 */
export class DrainRepository {
  constructor(private readonly db: Db) {}

  /** Records a RUNNING drain of the host; CONFLICT while another one runs. */
  async begin(id: string, hostId: string, result: DrainResult, requestId: string | null): Promise<OperationRecord> {
    return this.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM "Host" WHERE id = ${hostId}::uuid FOR UPDATE`;
      const running = await tx.operation.findFirst({ where: { kind: DRAIN_KIND, targetId: hostId, state: 'RUNNING' } });
      if (running) throw new ConflictError('a drain of this host is already running', { operationId: running.id });
      const row = await tx.operation.create({
        data: {
          id,
          kind: DRAIN_KIND,
          targetType: 'host',
          targetId: hostId,
          state: 'RUNNING',
          startedAt: new Date(),
          requestId,
          result: result,
        },
      });
      return toOperationRecord(row);
    });
  }

  /** The VMs placed on a host (not DELETED), oldest first. */
  async vmsOnHost(hostId: string): Promise<DrainVm[]> {
    return this.db.vm.findMany({
      where: { hostId, state: { not: 'DELETED' } },
      select: { id: true, name: true, state: true },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /** Ids of the drains still running (what a tick loop resumes after a restart). */
  async runningIds(): Promise<string[]> {
    const rows = await this.db.operation.findMany({ where: { kind: DRAIN_KIND, state: 'RUNNING' }, select: { id: true } });
    return rows.map((r) => r.id);
  }

  /** The running drain of a host, if any. */
  async runningFor(hostId: string): Promise<string | null> {
    const row = await this.db.operation.findFirst({
      where: { kind: DRAIN_KIND, targetId: hostId, state: 'RUNNING' },
      select: { id: true },
    });
    return row?.id ?? null;
  }

  /**
   * One step of a drain under its row lock: `step` sees the stored items and returns the new
   * ones. Null when the drain is not running or another process holds it right now.
   */
  async tick(id: string, step: (t: DrainTickInput) => Promise<DrainTickOutput>): Promise<OperationRecord | null> {
    return this.db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM "Operation" WHERE id = ${id}::uuid AND state = 'RUNNING' FOR UPDATE SKIP LOCKED`;
        if (rows.length === 0) return null;
        const op = toOperationRecord(await tx.operation.findUniqueOrThrow({ where: { id } }));
        const out = await step({ operation: op, result: parseStored(drainResultSchema, op.result, `result of drain ${id}`) });
        const end = out.finished;
        const row = await tx.operation.update({
          where: { id },
          data: {
            result: out.result,
            progress: out.progress,
            step: end ? null : 'moving',
            ...(end
              ? {
                  state: end.ok ? 'SUCCEEDED' : 'FAILED',
                  finishedAt: new Date(),
                  errorCode: end.ok ? null : 'DRAIN_INCOMPLETE',
                  errorMessage: end.message,
                }
              : {}),
          },
        });
        return toOperationRecord(row);
      },
      { timeout: TICK_TX_TIMEOUT_MS, maxWait: 10_000 },
    );
  }

  /** Ends a running drain of the host as cancelled (undrainHost); the moves already started go on. */
  async cancel(hostId: string): Promise<OperationRecord | null> {
    const id = await this.runningFor(hostId);
    if (!id) return null;
    const row = await this.db.operation.update({
      where: { id },
      data: { state: 'FAILED', finishedAt: new Date(), errorCode: 'DRAIN_CANCELLED', errorMessage: 'undrainHost ended the drain' },
    });
    return toOperationRecord(row);
  }
}
