import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '@netpin/db';
import { startCluster, type Cluster } from './support/cluster';
import { testDb } from './support/seed';

/**
 * Issue 13: a manual configureSriov checks "no allocated VF" in the API, then its job runs
 * later. A VM placed in between must keep its VF: the agent checks the VFs allocated at
 * the moment it runs, under the host lock.
 */
let c: Cluster;
let db: Db;
let redis: Redis;
const prefix = () => process.env.NETPIN_QUEUE_PREFIX ?? 'netpin';

beforeAll(async () => {
  db = testDb();
  c = await startCluster({ profiles: ['dual-socket-sriov'], namePrefix: 'vfg', vfsPerPf: 4 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
}, 180_000);
afterAll(async () => {
  await redis?.quit();
  await c?.stop();
  await db?.$disconnect();
});

describe('host.configureSriov against the VFs allocated when it runs', () => {
  it('a VM placed between the API check and the job keeps its VF; the job fails VF_IN_USE', async () => {
    const host = await db.host.findFirstOrThrow({ where: { name: 'vfg-01' } });
    const pfs = await db.nic.findMany({ where: { hostId: host.id, sriovNumVfs: { gt: 0 } }, select: { name: true } });
    expect(pfs.length).toBeGreaterThan(0);
    // another mutating job holds the host: the configure jobs wait in the queue
    const lock = `${prefix()}:netpin:hostlock:${host.id}`;
    await redis.set(lock, 'someone-else#1', 'PX', 60_000);
    const configureIds: Record<string, string> = {};
    try {
      // nothing is allocated: the API accepts removing every VF of every PF
      for (const pf of pfs) {
        const r = await c.client.request<{ configureSriov: { id: string } }>(
          `mutation ($id: ID!, $nic: String!) { configureSriov(id: $id, nic: $nic, numVfs: 0) { id } }`,
          { id: host.id, nic: pf.name },
        );
        configureIds[pf.name] = r.configureSriov.id;
      }
      // then a VM is placed with a VF, before any of those jobs ran
      const created = await c.client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(
        `mutation ($input: VmInput!) { createVm(input: $input) { vm { id } operation { id } } }`,
        {
          input: {
            name: 'vfg-keeper',
            pinHost: 'vfg-01',
            vcpus: 2,
            memoryMiB: 1024,
            interfaces: [{ network: 'physnet0', datapath: 'SRIOV' }],
          },
        },
      );
      await redis.del(lock);
      const vm = await c.client.waitForOperation(created.createVm.operation.id, 60_000);
      expect(vm.state, vm.errorMessage ?? '').toBe('SUCCEEDED');
      await c.client.waitIdle(60_000);
      const row = await db.vm.findUniqueOrThrow({
        where: { id: created.createVm.vm.id },
        include: { vfAllocs: { include: { vf: { include: { nic: true } } } } },
      });
      expect(row.state).toBe('RUNNING');
      const [alloc] = row.vfAllocs;
      const pf = alloc.vf.nic.name;
      const op = await c.client.waitForOperation(configureIds[pf], 60_000);
      expect(op.state).toBe('FAILED');
      expect(op.errorCode).toBe('VF_IN_USE');
      expect(op.errorMessage).toContain(row.id);
      // the VM's VF is still there, carrying the VM's MAC
      const nic = c.fleet.hosts[0].state().nics.find((n) => n.name === pf)!;
      expect(nic.numVfs).toBeGreaterThan(alloc.vf.index);
      const iface = await db.vmInterface.findFirstOrThrow({ where: { vmId: row.id } });
      expect(nic.vfs[alloc.vf.index].mac).toBe(iface.mac);
    } finally {
      await redis.del(lock);
    }
  }, 120_000);
});
