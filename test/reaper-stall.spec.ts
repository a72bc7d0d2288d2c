import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_OPS_QUEUE } from '@netpin/contracts';
import type { Db } from '@netpin/db';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createAgent } from '../apps/agent/src/agent';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadConfig } from '../apps/agent/src/config';
import { startCluster, type Cluster } from './support/cluster';
import { testDb } from './support/seed';

/**
 * Issue 13: a job BullMQ gave up on after its stall limit (the agent running it died, again
 * and again) never reports; with the default 10-minute deadline the reaper still takes the
 * create over within seconds, because the job is failed as stalled and no result waits.
 */
process.env.NETPIN_REAPER_INTERVAL_MS = '500';

let c: Cluster;
let db: Db;
let redis: Redis;
let queue: Queue;
const prefix = () => process.env.NETPIN_QUEUE_PREFIX ?? 'netpin';

beforeAll(async () => {
  db = testDb();
  c = await startCluster({ profiles: ['small-one-node'], namePrefix: 'stall', vfsPerPf: 4 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  queue = new Queue(HOST_OPS_QUEUE, { connection: redis, prefix: prefix() });
}, 180_000);
afterAll(async () => {
  await queue?.close();
  await redis?.quit();
  await c?.stop();
  await db?.$disconnect();
});

describe('the reaper and BullMQ stalls', () => {
  it('a create whose job BullMQ failed as stalled is verified, failed, torn down and released long before the deadline', async () => {
    // no agent: the apply job waits until "a worker" takes it
    for (const a of c.agents.splice(0)) await a.close();
    const r = await c.client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(
      `mutation ($input: VmInput!) { createVm(input: $input) { vm { id } operation { id } } }`,
      { input: { name: 'stall-vm', pinHost: 'stall-01', vcpus: 2, memoryMiB: 1024, interfaces: [{ network: 'physnet0' }] } },
    );
    const opId = r.createVm.operation.id;
    const vmId = r.createVm.vm.id;
    // what BullMQ does to a job whose worker kept dying: failed, "job stalled more than allowable limit"
    const worker = new Worker(HOST_OPS_QUEUE, null, {
      connection: new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null }),
      prefix: prefix(),
    });
    let job = await worker.getNextJob('dead-worker');
    for (let i = 0; i < 50 && !job; i++) {
      await new Promise((res) => setTimeout(res, 100));
      job = await worker.getNextJob('dead-worker');
    }
    expect(job?.id).toBe(opId);
    job!.discard();
    await job!.moveToFailed(new Error('job stalled more than allowable limit'), 'dead-worker', false);
    await worker.close();
    expect(await queue.getJobState(opId)).toBe('failed');

    const config = loadConfig(
      {
        REDIS_URL: process.env.REDIS_URL,
        NETPIN_QUEUE_PREFIX: process.env.NETPIN_QUEUE_PREFIX,
        NETPIN_AGENT_KEY_DIR: c.stateDir,
        LOG_LEVEL: 'silent',
      },
      'test-agent',
    );
    const agent = createAgent({ ...config, agentId: 'stall-agent' });
    await agent.start();
    c.agents.push(agent);

    const end = Date.now() + 30_000;
    let op = await db.operation.findUniqueOrThrow({ where: { id: opId } });
    while (op.state !== 'FAILED' && Date.now() < end) {
      await new Promise((res) => setTimeout(res, 200));
      op = await db.operation.findUniqueOrThrow({ where: { id: opId } });
    }
    expect(op.state).toBe('FAILED');
    expect(op.step).toMatch(/stalled past BullMQ's limit/);
    await c.client.waitIdle(60_000);
    expect(await db.vm.findUniqueOrThrow({ where: { id: vmId } })).toMatchObject({ state: 'FAILED', holding: false });
    expect(await db.cpuAllocation.count({ where: { vmId } })).toBe(0);
  }, 120_000);
});
