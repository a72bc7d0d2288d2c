import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
import { startCluster, type Cluster } from './support/cluster';
import { testDb } from './support/seed';

/**
 * Issue 13: an operator can delete a VM in any state, and nothing leaks: CPUs, VFs and the
 * host's VF/IRQ/RPS values come back when the host is reachable; an unreachable host is
 * released in the database only, and the operation says so.
 */
let c: Cluster;
let db: Db;
let redis: Redis;
const prefix = () => process.env.NETPIN_QUEUE_PREFIX ?? 'netpin';
const CREATE = `mutation ($input: VmInput!) { createVm(input: $input) { vm { id } operation { id } } }`;

async function create(name: string): Promise<{ vmId: string; opId: string }> {
  const r = await c.client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(CREATE, {
    input: { name, pinHost: 'force-01', vcpus: 2, memoryMiB: 1024, interfaces: [{ network: 'physnet0', datapath: 'SRIOV' }] },
  });
  return { vmId: r.createVm.vm.id, opId: r.createVm.operation.id };
}

async function expectNothingHeld(vmId: string): Promise<void> {
  expect(await db.vm.findUniqueOrThrow({ where: { id: vmId } })).toMatchObject({ state: 'DELETED', holding: false });
  expect(await db.cpuAllocation.count({ where: { vmId } })).toBe(0);
  expect(await db.vfAllocation.count({ where: { vmId } })).toBe(0);
}

beforeAll(async () => {
  db = testDb();
  c = await startCluster({ profiles: ['dual-socket-sriov'], namePrefix: 'force', vfsPerPf: 4 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
}, 180_000);
afterAll(async () => {
  await redis?.quit();
  await c?.stop();
  await db?.$disconnect();
});

describe('force delete', () => {
  it('a VM stuck in PROVISIONING: CONFLICT without force; with force its create ends, the teardown runs and nothing leaks', async () => {
    const host = await db.host.findFirstOrThrow({ where: { name: 'force-01' } });
    const lock = `${prefix()}:netpin:hostlock:${host.id}`;
    // a job that never finishes holds the host: the create's apply waits
    await redis.set(lock, 'stuck-agent:job#1', 'PX', 60_000);
    try {
      const { vmId, opId } = await create('force-stuck');
      for (let i = 0; i < 100 && (await db.vm.findUniqueOrThrow({ where: { id: vmId } })).state !== 'PROVISIONING'; i++)
        await new Promise((r) => setTimeout(r, 50));
      const plain = await c.api.gql(`mutation ($id: ID!) { deleteVm(id: $id) { id } }`, { id: vmId });
      expect(plain.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      const forced = await c.api.gql<{ deleteVm: { id: string; kind: string } }>(
        `mutation ($id: ID!) { deleteVm(id: $id, force: true) { id kind } }`,
        { id: vmId },
      );
      expect(forced.errors).toBeUndefined();
      expect(forced.data?.deleteVm.kind).toBe('vm.forceDelete');
      const createOp = await c.client.waitForOperation(opId, 10_000);
      expect(createOp.state).toBe('FAILED');
      expect(createOp.errorCode).toBe('STALE_JOB');
      await redis.del(lock);
      const del = await c.client.waitForOperation(forced.data!.deleteVm.id, 60_000);
      expect(del.state, del.errorMessage ?? '').toBe('SUCCEEDED');
      await c.client.waitIdle(60_000);
      await expectNothingHeld(vmId);
      const sim = c.fleet.hosts[0].state();
      expect(sim.domains.find((d) => d.name === 'force-stuck')).toBeUndefined();
      for (const n of sim.nics) for (const vf of n.vfs) expect(vf.mac).toBe('00:00:00:00:00:00');
    } finally {
      await redis.del(lock);
    }
  }, 120_000);

  it('an UNREACHABLE host: REST ?force=true releases in the database only and the operation says so', async () => {
    const { vmId, opId } = await create('force-gone');
    expect((await c.client.waitForOperation(opId, 60_000)).state).toBe('SUCCEEDED');
    await c.client.waitIdle(60_000);
    const bad = await c.api.rest('DELETE', `/api/v1/vms/${vmId}?force=yes`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('force');
    await db.host.update({ where: { name: 'force-01' }, data: { state: 'UNREACHABLE' } });
    try {
      const r = await c.api.rest('DELETE', `/api/v1/vms/${vmId}?force=true`);
      expect(r.status).toBe(202);
      await c.client.waitForOperation(r.body.id, 10_000);
      const op = await c.client.typed.operation(r.body.id);
      expect(op).toMatchObject({ kind: 'vm.forceDelete', state: 'SUCCEEDED' });
      expect(op.steps.map((s) => s.name)).toEqual(['teardown skipped: host unreachable']);
      const { data } = await c.api.gql<{ operation: { resultJson: string } }>(`query ($id: ID!) { operation(id: $id) { resultJson } }`, {
        id: op.id,
      });
      expect(JSON.parse(data!.operation.resultJson)).toMatchObject({ releasedInDatabaseOnly: true });
      await expectNothingHeld(vmId);
      // the host was not touched: its domain is still there for the operator to see
      expect(c.fleet.hosts[0].state().domains.find((d) => d.name === 'force-gone')).toBeDefined();
    } finally {
      await db.host.update({ where: { name: 'force-01' }, data: { state: 'READY' } });
    }
  }, 120_000);

  it('through the typed client: a FAILED VM whose teardown keeps failing is deleted with force, and the operation says how', async () => {
    const sim = c.fleet.hosts[0];
    // the create fails at start, and its teardown fails too: the VM stays FAILED, holding its CPUs and VF
    sim.setFaults({
      failCommands: [
        { pattern: 'virsh start', exitCode: 1, stderr: 'error: Failed to start domain' },
        { pattern: 'virsh undefine', exitCode: 1, stderr: 'error: cannot undefine' },
      ],
    });
    try {
      const { vmId, opId } = await create('force-failed');
      expect((await c.client.waitForOperation(opId, 60_000)).state).toBe('FAILED');
      await c.client.waitIdle(60_000);
      expect(await db.vm.findUniqueOrThrow({ where: { id: vmId } })).toMatchObject({ state: 'FAILED', holding: true });
      const queued = await c.client.typed.deleteVm(vmId, { force: true });
      await c.client.waitForOperation(queued.id, 60_000);
      const op = await c.client.typed.operation(queued.id);
      expect(op.state).toBe('FAILED');
      expect(op.errorCode).toBe('COMMAND_FAILED');
      expect(op.errorMessage).toMatch(/released in the database only/);
      await expectNothingHeld(vmId);
    } finally {
      sim.setFaults({});
    }
  }, 120_000);
});
