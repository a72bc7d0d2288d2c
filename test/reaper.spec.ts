import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_OPS_QUEUE } from '@netpin/contracts';
import type { Db } from '@netpin/db';
import { startCluster, type Cluster } from './support/cluster';
import { testDb } from './support/seed';

/**
 * Issue 13, "never leave a VM stuck": provisioning whose job stalled, vanished or made no
 * progress past the deadline is found by the reaper, which asks the host (vm.verify) and
 * converges: RUNNING when the host matches the plan, else teardown and release.
 */
process.env.NETPIN_REAPER_INTERVAL_MS = '500';
process.env.NETPIN_OPERATION_DEADLINE_MS = '3000';

let c: Cluster;
let db: Db;
let redis: Redis;
let queue: Queue;
const prefix = () => process.env.NETPIN_QUEUE_PREFIX ?? 'netpin';
const CREATE = `mutation ($input: VmInput!) { createVm(input: $input) { vm { id } operation { id } } }`;

async function create(name: string): Promise<{ vmId: string; opId: string }> {
  const r = await c.client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(CREATE, {
    input: { name, pinHost: 'reap-01', vcpus: 2, memoryMiB: 1024, interfaces: [{ network: 'physnet0', datapath: 'SRIOV' }] },
  });
  return { vmId: r.createVm.vm.id, opId: r.createVm.operation.id };
}

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  db = testDb();
  c = await startCluster({ profiles: ['dual-socket-sriov'], namePrefix: 'reap', vfsPerPf: 4 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  queue = new Queue(HOST_OPS_QUEUE, { connection: redis, prefix: prefix() });
}, 180_000);
afterAll(async () => {
  await queue?.close();
  await redis?.quit();
  await c?.stop();
  await db?.$disconnect();
});

describe('the reaper', () => {
  it('a create that never progresses (its job stuck behind a host lock nobody releases) is verified, failed, torn down and released', async () => {
    const host = await db.host.findFirstOrThrow({ where: { name: 'reap-01' } });
    const lock = `${prefix()}:netpin:hostlock:${host.id}`;
    await redis.set(lock, 'hung-agent:job#1', 'PX', 120_000);
    try {
      const { vmId, opId } = await create('reap-stuck');
      const op = await until('the create to fail', async () => {
        const o = await db.operation.findUniqueOrThrow({ where: { id: opId } });
        return o.state === 'FAILED' && o;
      });
      expect(op.errorMessage).toMatch(/reaper/);
      const reap = await db.operation.findFirstOrThrow({ where: { parentId: opId, kind: 'vm.reapVerify' } });
      expect(reap.state).toBe('FAILED');
      // the teardown needs the host: it runs once the lock is free
      await redis.del(lock);
      await c.client.waitIdle(60_000);
      // the stuck apply was taken off the queue, or (caught running) stopped by the fence
      const stale = await until('the stuck apply to be gone or stopped', async () => {
        const state = await queue.getJobState(opId);
        return (state === 'unknown' || state === 'failed' || state === 'completed') && state;
      });
      if (stale !== 'unknown') expect((await queue.getJob(opId))?.failedReason).toMatch(/^STALE_JOB/);
      expect(await db.vm.findUniqueOrThrow({ where: { id: vmId } })).toMatchObject({ state: 'FAILED', holding: false, generation: 2 });
      expect(await db.cpuAllocation.count({ where: { vmId } })).toBe(0);
      expect(await db.vfAllocation.count({ where: { vmId } })).toBe(0);
      expect(c.fleet.hosts[0].state().domains.find((d) => d.name === 'reap-stuck')).toBeUndefined();
    } finally {
      await redis.del(lock);
    }
  }, 120_000);

  it('a create whose result was lost while the host did the work: the VM becomes RUNNING and the create SUCCEEDED', async () => {
    const { vmId, opId } = await create('reap-lost');
    expect((await c.client.waitForOperation(opId, 60_000)).state).toBe('SUCCEEDED');
    await c.client.waitIdle(60_000);
    // what a lost result leaves: the create RUNNING for an hour, the VM PROVISIONING, the job gone
    await db.$executeRaw`UPDATE "Operation" SET state = 'RUNNING', "finishedAt" = NULL, "updatedAt" = now() - interval '1 hour' WHERE id = ${opId}::uuid`;
    await db.$executeRaw`UPDATE "Vm" SET state = 'PROVISIONING' WHERE id = ${vmId}::uuid`;
    await queue.remove(opId);
    const op = await until('the create to succeed', async () => {
      const o = await db.operation.findUniqueOrThrow({ where: { id: opId } });
      return o.state === 'SUCCEEDED' && o;
    });
    expect(op.step).toMatch(/^reaper: no progress/);
    expect(await db.vm.findUniqueOrThrow({ where: { id: vmId } })).toMatchObject({ state: 'RUNNING', holding: true, generation: 1 });
    expect(c.fleet.hosts[0].state().domains.find((d) => d.name === 'reap-lost')?.state).toBe('running');
    expect((await db.operation.findFirstOrThrow({ where: { parentId: opId, kind: 'vm.reapVerify' } })).state).toBe('SUCCEEDED');
  }, 120_000);
});
