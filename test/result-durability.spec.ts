import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { RESULTS_QUEUE, resultJobId } from '@netpin/contracts';
import type { Db } from '@netpin/db';
import { startCluster, type Cluster } from './support/cluster';
import { cutDatabase, restoreDatabase } from './support/db-outage';
import { testDb } from './support/seed';

/**
 * Issue 13: a result that arrives while the database is away must not be acknowledged and
 * lost (operation RUNNING and VM PROVISIONING for ever, its CPUs and VF held); the consumer
 * retries it with backoff until it is persisted.
 */
let c: Cluster;
let db: Db;
let results: Queue;

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  db = testDb();
  c = await startCluster({ profiles: ['small-one-node'], namePrefix: 'durable', vfsPerPf: 4 });
  results = new Queue(RESULTS_QUEUE, { connection: { url: process.env.REDIS_URL }, prefix: process.env.NETPIN_QUEUE_PREFIX });
}, 180_000);
afterAll(async () => {
  await restoreDatabase();
  await results?.close();
  await c?.stop();
  await db?.$disconnect();
});

describe('results survive a database outage', () => {
  it('a result delivered while the database is down is applied once it is back', async () => {
    const host = c.fleet.hosts[0];
    // slow commands: the apply is still running when the database goes away
    host.setFaults({ latencyMs: 250 });
    const r = await c.client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(
      `mutation { createVm(input: { name: "durable-1", pinHost: "durable-01", vcpus: 2, memoryMiB: 1024, interfaces: [{ network: "physnet0" }] }) { vm { id } operation { id } } }`,
    );
    const { id: opId } = r.createVm.operation;
    const vmId = r.createVm.vm.id;
    await until('the apply to start', 60_000, async () => (await db.operation.findUnique({ where: { id: opId } }))?.state === 'RUNNING');
    await cutDatabase();
    try {
      // the agent finishes and publishes; the API's consumer tries (at least once) while the database is away
      await until('the result to be consumed once', 60_000, async () => {
        const job = await results.getJob(resultJobId(opId));
        return job && (job.attemptsMade > 0 || job.finishedOn !== undefined);
      });
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await restoreDatabase();
      host.setFaults({});
    }
    const vm = await until('the VM to leave PROVISIONING', 90_000, async () => {
      const v = await db.vm.findUnique({ where: { id: vmId } });
      return v && v.state !== 'PROVISIONING' && v.state !== 'PENDING' ? v : null;
    });
    expect(vm.state).toBe('RUNNING');
    expect((await db.operation.findUniqueOrThrow({ where: { id: opId } })).state).toBe('SUCCEEDED');
    expect(await db.vfAllocation.count({ where: { vmId } })).toBe(1);
  }, 240_000);
});
