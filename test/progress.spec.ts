import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperationRepository, type Db } from '@netpin/db';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ProgressWriter, type ProgressItem } from '../apps/api/src/jobs/progress-writer';
import { testDb } from './support/seed';

/**
 * Job progress (one report per step of every job) is written in batches: one statement for
 * whatever was reported while the previous one ran, only ever raising progress, never
 * touching a finished operation.
 */
let db: Db;
let ops: OperationRepository;

beforeAll(() => {
  db = testDb();
  ops = new OperationRepository(db);
});
afterAll(async () => {
  await db?.$disconnect();
});

const newOp = async (state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED', progress = 0): Promise<string> => {
  const id = randomUUID();
  await db.operation.create({ data: { id, kind: 'vm.create', targetType: 'vm', targetId: randomUUID(), state, progress } });
  return id;
};

describe('progress writes', () => {
  it('writes the reports of a burst in a few statements, the latest step per operation, and leaves finished ones alone', async () => {
    const running = await Promise.all(Array.from({ length: 20 }, () => newOp('QUEUED')));
    const done = await newOp('SUCCEEDED', 100);
    const ahead = await newOp('RUNNING', 80);
    const batches: ProgressItem[][] = [];
    const seen: string[] = [];
    const writer = new ProgressWriter(
      (items) => (batches.push(items), ops.markProgressMany(items)),
      (op) => seen.push(op.id),
      (e) => {
        throw e;
      },
      0,
    );
    for (let step = 0; step < 6; step++) for (const id of running) writer.add({ id, step: `step ${step}`, progress: (100 * step) / 6 });
    writer.add({ id: done, step: 'late', progress: 50 });
    writer.add({ id: ahead, step: 'redo', progress: 20 });
    writer.add({ id: 'not-a-uuid', step: 'x', progress: 1 });
    await writer.flushed();
    expect(batches.length, 'one statement for the whole burst').toBe(1);
    const rows = await db.operation.findMany({ where: { id: { in: [...running, done, ahead] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of running) expect(byId.get(id)).toMatchObject({ state: 'RUNNING', step: 'step 5', progress: 83 });
    expect(byId.get(done)).toMatchObject({ state: 'SUCCEEDED', progress: 100, step: null });
    expect(byId.get(ahead)).toMatchObject({ state: 'RUNNING', progress: 80, step: 'redo' });
    expect(seen.sort()).toEqual([...running, ahead].sort());

    // a report while a batch is being written goes out in the next one
    const later = await newOp('RUNNING');
    writer.add({ id: later, step: 'a', progress: 10 });
    await new Promise((r) => setImmediate(r));
    writer.add({ id: later, step: 'b', progress: 30 });
    await writer.flushed();
    expect(batches.length).toBe(3);
    expect(await db.operation.findUnique({ where: { id: later } })).toMatchObject({ step: 'b', progress: 30 });
  });

  it('gathers the reports of a steady stream for the gap after each write, and writes a report after a quiet spell at once', async () => {
    const ids = await Promise.all(Array.from({ length: 4 }, () => newOp('QUEUED')));
    /** 20 reports 5 ms apart (as 32 jobs' steps arrive): the statements written, and how long the stream took. */
    const stream = async (gapMs: number): Promise<{ batches: number; ms: number }> => {
      const batches: ProgressItem[][] = [];
      const writer = new ProgressWriter(
        (items) => (batches.push(items), ops.markProgressMany(items)),
        () => undefined,
        (e) => {
          throw e;
        },
        gapMs,
      );
      const t0 = Date.now();
      for (let k = 0; k < 20; k++) {
        writer.add({ id: ids[k % ids.length], step: `s${k}`, progress: k });
        await new Promise((r) => setTimeout(r, 5));
      }
      const ms = Date.now() - t0;
      await writer.flushed();
      return { batches: batches.length, ms };
    };
    const without = await stream(0);
    const gathered = await stream(1_000);
    expect(without.batches, 'no gap: about one statement per report').toBeGreaterThanOrEqual(5);
    // the first report at once, the rest after the gap: 2 statements, unless a busy machine
    // stretched the stream over more gaps (one more statement per gap it lasted)
    expect(gathered.batches).toBeGreaterThanOrEqual(2);
    expect(gathered.batches, `the stream lasted ${gathered.ms} ms`).toBeLessThanOrEqual(1 + Math.ceil(gathered.ms / 1_000));
    const quiet = await newOp('RUNNING');
    const t0 = Date.now();
    const writer = new ProgressWriter(
      (items) => ops.markProgressMany(items),
      () => undefined,
      (e) => {
        throw e;
      },
      10_000,
    );
    writer.add({ id: quiet, step: 'alone', progress: 5 });
    await writer.flushed();
    expect(Date.now() - t0, 'a lone report does not wait for the gap').toBeLessThan(5_000);
    expect(await db.operation.findUnique({ where: { id: quiet } })).toMatchObject({ step: 'alone', progress: 5 });
  });
});
