import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { RetentionService } from '../apps/api/src/retention/retention.service';
import { startApi, type TestApi } from './support/api';
import { testDb } from './support/seed';

/**
 * Finished history is kept for NETPIN_RETENTION_DAYS, then deleted in batches: a drift sweep
 * adds an operation per running VM per interval, so without pruning the tables only grow.
 */
let api: TestApi;
let db: Db;
const day = 86_400_000;
const ago = (days: number, ms = 0) => new Date(Date.now() - days * day + ms);

beforeAll(async () => {
  db = testDb();
  api = await startApi({ background: false, env: { NETPIN_RETENTION_DAYS: '30' } });
}, 60_000);
afterAll(async () => {
  await api?.close();
  await db?.$disconnect();
});

describe('retention', () => {
  it('deletes finished operations, sent outbox rows and settled drift events past retention, in batches, and keeps the rest', async () => {
    const vm = randomUUID();
    const other = randomUUID();
    // 2,500 finished verifies of one VM, 40 days old: the newest stays (the VM's "verified at")
    await db.operation.createMany({
      data: Array.from({ length: 2500 }, (_, i) => ({
        kind: 'vm.verify',
        targetType: 'vm',
        targetId: vm,
        state: i % 10 === 0 ? ('FAILED' as const) : ('SUCCEEDED' as const),
        createdAt: ago(40, i * 1000),
        finishedAt: ago(40, i * 1000 + 500),
      })),
    });
    const oldOp = await db.operation.findFirstOrThrow({ where: { targetId: vm }, orderBy: { createdAt: 'asc' } });
    const newest = await db.operation.findFirstOrThrow({ where: { targetId: vm }, orderBy: { createdAt: 'desc' } });
    await db.outboxMessage.create({ data: { operationId: oldOp.id, queue: 'q', jobName: 'vm.verify', payload: {}, sentAt: ago(40) } });
    const running = await db.operation.create({
      data: { kind: 'vm.create', targetType: 'vm', targetId: other, state: 'RUNNING', createdAt: ago(45) },
    });
    await db.outboxMessage.createMany({
      data: [
        { operationId: running.id, queue: 'q', jobName: 'vm.apply', payload: {}, sentAt: ago(45) },
        { operationId: running.id, queue: 'q', jobName: 'vm.apply', payload: {}, sentAt: null, createdAt: ago(45) },
      ],
    });
    await db.operation.createMany({
      data: Array.from({ length: 5 }, (_, i) => ({
        kind: 'vm.verify',
        targetType: 'vm',
        targetId: other,
        state: 'SUCCEEDED' as const,
        createdAt: ago(2, i),
        finishedAt: ago(2, i),
      })),
    });
    const host = randomUUID();
    const drift = (detectedAt: Date, repairedAt: Date | null, vmId: string | null) => ({
      hostId: host,
      vmId,
      field: 'irq',
      expected: '1',
      actual: '2',
      detectedAt,
      repairedAt,
    });
    await db.driftEvent.createMany({
      data: [
        ...Array.from({ length: 3 }, () => drift(ago(40), ago(40), vm)),
        ...Array.from({ length: 2 }, () => drift(ago(40), null, randomUUID())),
        drift(ago(1), null, vm),
        drift(ago(1), ago(1), vm),
      ],
    });

    const report = await api.app.get(RetentionService).prune();

    expect(report.operations).toEqual({ deleted: 2499, batches: 3 });
    expect(report.outbox).toEqual({ deleted: 1, batches: 1 });
    expect(report.driftEvents).toEqual({ deleted: 5, batches: 1 });
    expect(await db.operation.count({ where: { targetId: vm } })).toBe(1);
    expect((await db.operation.findFirstOrThrow({ where: { targetId: vm } })).id).toBe(newest.id);
    expect(await db.operation.count({ where: { targetId: other } })).toBe(6);
    expect(await db.outboxMessage.findMany({ select: { sentAt: true } })).toEqual([{ sentAt: null }]);
    expect(await db.driftEvent.count()).toBe(2);
    // nothing left to do: a second pass deletes nothing
    const again = await api.app.get(RetentionService).prune();
    expect(Object.values(again).map((t) => t.deleted)).toEqual([0, 0, 0]);
  }, 60_000);
});
