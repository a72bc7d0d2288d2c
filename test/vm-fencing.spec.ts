import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_OPS_QUEUE, hostJobOptions } from '@netpin/contracts';
import type { Db } from '@netpin/db';
import { randomUUID } from 'node:crypto';
import { startCluster, type Cluster } from './support/cluster';
import { testDb } from './support/seed';

/**
 * Issue 13, "a deleted VM stays deleted": a drift repair or reconcile queued before a delete
 * must not start the VM's domain again once the teardown ran (CPUs and VF given to others).
 */
let c: Cluster;
let db: Db;
let redis: Redis;
let queue: Queue;
const prefix = () => process.env.NETPIN_QUEUE_PREFIX ?? 'netpin';

const CREATE = `mutation ($input: VmInput!) { createVm(input: $input) { vm { id } operation { id } } }`;

async function running(name: string): Promise<string> {
  const r = await c.client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(CREATE, {
    input: { name, pinHost: 'fence-01', vcpus: 2, memoryMiB: 1024, interfaces: [{ network: 'physnet0' }] },
  });
  expect((await c.client.waitForOperation(r.createVm.operation.id, 60_000)).state).toBe('SUCCEEDED');
  await c.client.waitIdle(60_000);
  return r.createVm.vm.id;
}

async function hostId(): Promise<string> {
  return (await db.host.findFirstOrThrow({ where: { name: 'fence-01' } })).id;
}

async function reconcile(): Promise<string[]> {
  const r = await c.client.request<{ reconcileHost: { id: string; targetId: string }[] }>(
    `mutation ($h: ID!) { reconcileHost(hostId: $h) { id targetId } }`,
    { h: await hostId() },
  );
  return r.reconcileHost.map((o) => o.id);
}

async function deleteVm(id: string): Promise<string> {
  return (await c.client.request<{ deleteVm: { id: string } }>(`mutation ($id: ID!) { deleteVm(id: $id) { id } }`, { id })).deleteVm.id;
}

beforeAll(async () => {
  db = testDb();
  c = await startCluster({ profiles: ['small-one-node'], namePrefix: 'fence', vfsPerPf: 4 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  queue = new Queue(HOST_OPS_QUEUE, { connection: redis, prefix: prefix() });
}, 180_000);
afterAll(async () => {
  await queue?.close();
  await redis?.quit();
  await c?.stop();
  await db?.$disconnect();
});

describe('fencing host jobs against a delete', () => {
  it('a drift repair queued before a delete and run after its teardown fails STALE_JOB and starts nothing', async () => {
    const vmId = await running('fence-late');
    // a repair made while the VM ran: the very job the API published
    const [repairId] = await reconcile();
    expect((await c.client.waitForOperation(repairId, 60_000)).state).toBe('SUCCEEDED');
    const { payload } = await db.outboxMessage.findFirstOrThrow({ where: { operationId: repairId } });
    expect((await c.client.waitForOperation(await deleteVm(vmId), 60_000)).state).toBe('SUCCEEDED');
    const sim = c.fleet.hosts[0];
    expect(sim.state().domains.find((d) => d.name === 'fence-late')).toBeUndefined();

    // the same job, delivered late (a redelivery, a delayed retry): a fresh operation id
    const lateId = randomUUID();
    await db.operation.create({ data: { id: lateId, kind: 'drift.repair', targetType: 'vm', targetId: vmId, requestId: 'late' } });
    sim.clearLog();
    await queue.add('vm.apply', { ...(payload as object), operationId: lateId }, hostJobOptions(lateId));
    const late = await c.client.waitForOperation(lateId, 60_000);
    expect(late.state).toBe('FAILED');
    expect(late.errorCode).toBe('STALE_JOB');
    expect(
      sim.state().domains.find((d) => d.name === 'fence-late'),
      'the deleted VM stays deleted',
    ).toBeUndefined();
    expect(sim.state().commandLog.filter((l) => /^(tee|virsh (define|start)|ip link set)/.test(l.command))).toEqual([]);
    expect((await db.vm.findUniqueOrThrow({ where: { id: vmId } })).state).toBe('DELETED');
  }, 120_000);

  it('a repair still queued when the VM is deleted is cancelled or refused, never run', async () => {
    const vmId = await running('fence-queued');
    // another agent holds the host: the repair waits in the queue
    const lock = `${prefix()}:netpin:hostlock:${await hostId()}`;
    await redis.set(lock, 'someone-else#1', 'PX', 60_000);
    try {
      const [repairId] = await reconcile();
      for (let i = 0; i < 100 && (await queue.getJobState(repairId)) !== 'delayed'; i++) await new Promise((r) => setTimeout(r, 50));
      const deleteId = await deleteVm(vmId);
      await redis.del(lock);
      expect((await c.client.waitForOperation(deleteId, 60_000)).state).toBe('SUCCEEDED');
      const repair = await c.client.waitForOperation(repairId, 60_000);
      expect(repair.state).toBe('FAILED');
      expect(repair.errorCode).toBe('STALE_JOB');
      await c.client.waitIdle(60_000);
      expect(c.fleet.hosts[0].state().domains.find((d) => d.name === 'fence-queued')).toBeUndefined();
      expect(await db.vm.findUniqueOrThrow({ where: { id: vmId } })).toMatchObject({ state: 'DELETED', holding: false, generation: 1 });
    } finally {
      await redis.del(lock);
    }
  }, 120_000);
});
