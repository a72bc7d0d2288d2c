import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_OPS_QUEUE, vfClaimsKey } from '@netpin/contracts';
import type { Db } from '@netpin/db';
import type { SimHost } from '@netpin/hostsim';
import { parseDomain } from '@netpin/libvirt-xml';
import { startCluster, type Cluster } from './support/cluster';
import { testDb } from './support/seed';

/**
 * The reaper and the day-2 operations (issue 14): a hot-plug or a migration whose agent died
 * (here: its job waits behind a host lock nobody releases, so it makes no progress past the
 * deadline) is taken over. A stuck attach fails and a detach of its interface gives back what
 * it reserved once the host answered; a stuck migration asks its source host: the VM there as
 * planned, the target's reservation goes and the VM is RUNNING on its source; otherwise the VM
 * is FAILED holding both until a delete.
 */
process.env.NETPIN_REAPER_INTERVAL_MS = '500';
// generous: a create's step may take seconds under load, and a create must not be reaped here
process.env.NETPIN_OPERATION_DEADLINE_MS = '8000';

let c: Cluster;
let db: Db;
let redis: Redis;
let queue: Queue;
const prefix = () => process.env.NETPIN_QUEUE_PREFIX ?? 'netpin';
const sim = (name: string): SimHost => c.fleet.hosts.find((h) => h.hostname === name)!;

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function create(name: string, host: string, iface: Record<string, unknown>): Promise<string> {
  const r = await c.client.request<{ createVm: { vm: { id: string }; operation: { id: string } } }>(
    `mutation ($input: VmInput!) { createVm(input: $input) { vm { id } operation { id } } }`,
    { input: { name, vcpus: 2, memoryMiB: 1024, pinHost: host, interfaces: [iface] } },
  );
  expect((await c.client.waitForOperation(r.createVm.operation.id, 90_000)).state).toBe('SUCCEEDED');
  await c.client.waitIdle(60_000);
  return r.createVm.vm.id;
}

/** Hold a host's lock as an agent that died holding it would; returns the release. */
async function hang(hostName: string): Promise<() => Promise<void>> {
  const host = await db.host.findFirstOrThrow({ where: { name: hostName } });
  const lock = `${prefix()}:netpin:hostlock:${host.id}`;
  await redis.set(lock, 'dead-agent:job#1', 'PX', 180_000);
  return async () => {
    await redis.del(lock);
  };
}

const operation = (id: string) => db.operation.findUniqueOrThrow({ where: { id } });

/** Everything the VM holds, as the database (per host, and the pending side of a migration), Redis and the host see it. */
async function held(vmId: string, name: string, hostName: string) {
  const cpus = await db.cpuAllocation.findMany({ where: { vmId }, include: { host: { select: { name: true } } } });
  const vfs = await db.vfAllocation.findMany({ where: { vmId } });
  const host = await db.host.findFirstOrThrow({ where: { name: hostName } });
  const claims = Object.values(await redis.hgetall(vfClaimsKey(prefix(), host.id))).filter((v) => v === vmId).length;
  const dom = sim(hostName)
    .state()
    .domains.find((d) => d.name === name);
  const vm = await db.vm.findUniqueOrThrow({ where: { id: vmId }, include: { interfaces: true } });
  return {
    state: vm.state,
    hostId: vm.hostId,
    interfaces: vm.interfaces.map((i) => i.mac).sort(),
    cpus: cpus.map((x) => `${x.host.name}/${x.role}/${x.migrationId ? 'pending' : 'own'}`).sort(),
    vfs: vfs.length,
    claims,
    liveMacs: dom?.xml ? parseDomain(dom.xml).interfaces.map((i) => i.mac) : [],
    configMacs: dom?.inactiveXml ? parseDomain(dom.inactiveXml).interfaces.map((i) => i.mac) : [],
    activeMigrations: await db.vmMigration.count({ where: { vmId, active: true } }),
  };
}

/** The stuck job: taken off the queue by the reaper, or (caught between retries) stopped by the fence. */
async function stuckJobGone(opId: string): Promise<void> {
  const state = await until('the stuck job to be gone or stopped', async () => {
    const s = await queue.getJobState(opId);
    return (s === 'unknown' || s === 'failed' || s === 'completed') && s;
  });
  if (state !== 'unknown') expect((await queue.getJob(opId))?.failedReason).toMatch(/^STALE_JOB/);
}

beforeAll(async () => {
  db = testDb();
  c = await startCluster({ profiles: ['dual-socket-sriov', 'dual-socket-sriov'], namePrefix: 'rlc', vfsPerPf: 4 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  queue = new Queue(HOST_OPS_QUEUE, { connection: redis, prefix: prefix() });
}, 180_000);
afterAll(async () => {
  await queue?.close();
  await redis?.quit();
  await c?.stop();
  await db?.$disconnect();
});

describe('the reaper and NIC hot-plug', () => {
  it('a stuck attach fails, and a detach of its interface gives back its VF, rows and claims once the host answers', async () => {
    const vmId = await create('rlc-hp', 'rlc-01', { network: 'physnet0', datapath: 'SRIOV' });
    const before = await held(vmId, 'rlc-hp', 'rlc-01');
    const generation = (await db.vm.findUniqueOrThrow({ where: { id: vmId } })).generation;
    const release = await hang('rlc-01');
    try {
      const r = await c.client.request<{ attachInterface: { id: string } }>(
        `mutation ($vmId: ID!, $input: VmInterfaceInput!) { attachInterface(vmId: $vmId, input: $input) { id } }`,
        { vmId, input: { network: 'physnet0', datapath: 'SRIOV', vlan: 77 } },
      );
      const attachId = r.attachInterface.id;
      // reserved at once: one more interface and VF than before
      const reserved = await held(vmId, 'rlc-hp', 'rlc-01');
      expect([reserved.interfaces.length, reserved.vfs]).toEqual([before.interfaces.length + 1, before.vfs + 1]);
      const failed = await until('the reaper to fail the attach', async () => {
        const o = await operation(attachId);
        return o.state === 'FAILED' && o;
      });
      expect(failed.errorCode).toBe('OPERATION_STALLED');
      expect(failed.errorMessage).toMatch(/^reaper: no progress for 8000 ms; operation \S+ detaches the interface and releases it$/);
      const cleanUp = await db.operation.findFirstOrThrow({ where: { parentId: attachId } });
      expect([cleanUp.kind, cleanUp.state]).toEqual(['vm.detachInterface', 'QUEUED']);
      // the host has not answered yet: what the attach reserved stays reserved
      expect((await held(vmId, 'rlc-hp', 'rlc-01')).vfs).toBe(before.vfs + 1);
      await release();
      await c.client.waitIdle(90_000);
      expect((await operation(cleanUp.id)).state).toBe('SUCCEEDED');
      await stuckJobGone(attachId);
      expect(await held(vmId, 'rlc-hp', 'rlc-01')).toEqual(before);
      expect((await db.vm.findUniqueOrThrow({ where: { id: vmId } })).generation).toBe(generation + 1);
      expect(await operation(attachId)).toMatchObject({ state: 'FAILED', errorCode: 'OPERATION_STALLED' });
    } finally {
      await release();
    }
  }, 240_000);

  it('a stuck detach that the reaper retried and that got stuck again is failed only: the VM keeps the interface', async () => {
    const vmId = (await db.vm.findFirstOrThrow({ where: { name: 'rlc-hp', state: 'RUNNING' } })).id;
    const iface = (await db.vmInterface.findFirstOrThrow({ where: { vmId } })).id;
    const before = await held(vmId, 'rlc-hp', 'rlc-01');
    const release = await hang('rlc-01');
    try {
      const r = await c.api.rest('DELETE', `/api/v1/vms/${vmId}/interfaces/${iface}`);
      expect(r.status).toBe(202);
      const detachId = (r.body as { id: string }).id;
      const first = await until('the reaper to fail the detach', async () => {
        const o = await operation(detachId);
        return o.state === 'FAILED' && o;
      });
      expect(first.errorMessage).toMatch(/operation \S+ detaches the interface and releases it$/);
      const retry = await db.operation.findFirstOrThrow({ where: { parentId: detachId } });
      const second = await until('the reaper to fail the retry', async () => {
        const o = await operation(retry.id);
        return o.state === 'FAILED' && o;
      });
      expect(second).toMatchObject({ kind: 'vm.detachInterface', errorCode: 'OPERATION_STALLED' });
      expect(second.errorMessage).toMatch(/the interface stays with the VM \(detach it again\)$/);
      expect(await db.operation.count({ where: { parentId: retry.id } })).toBe(0);
      expect(await held(vmId, 'rlc-hp', 'rlc-01')).toEqual(before);
    } finally {
      await release();
    }
    await c.client.waitIdle(90_000);
    // nothing ran on the host: it still has the interface the VM holds
    expect(await held(vmId, 'rlc-hp', 'rlc-01')).toEqual(before);
  }, 240_000);
});

describe('the reaper and live migration', () => {
  it('a stuck migration whose VM still runs on its source as planned is rolled back: the target released, the source kept', async () => {
    const vmId = await create('rlc-mig', 'rlc-01', { network: 'tenant-br' });
    const before = await held(vmId, 'rlc-mig', 'rlc-01');
    const release = await hang('rlc-01');
    try {
      const r = await c.client.request<{ migrateVm: { id: string } }>(
        `mutation ($id: ID!, $input: MigrateVmInput) { migrateVm(id: $id, input: $input) { id } }`,
        { id: vmId, input: { targetHost: 'rlc-02', strategy: 'LIVE' } },
      );
      const opId = r.migrateVm.id;
      const moving = await held(vmId, 'rlc-mig', 'rlc-01');
      expect([moving.state, moving.activeMigrations]).toEqual(['MIGRATING', 1]);
      expect(moving.cpus.filter((x) => x.startsWith('rlc-02/') && x.endsWith('/pending')).length).toBeGreaterThan(0);
      const asked = await until('the reaper to ask the source', async () => {
        const o = await operation(opId);
        return o.step?.startsWith('reaper: ') && o;
      });
      // the check is a read-only job (no host lock), so on an idle machine it can have answered
      // and the reaper rolled back before this poll: the step stays the reaper's either way
      expect(['RUNNING', 'FAILED']).toContain(asked.state);
      expect(asked.step).toMatch(/^reaper: no progress for 8000 ms; asking rlc-01 whether the VM still runs there$/);
      const verify = await db.operation.findFirstOrThrow({ where: { parentId: opId } });
      expect(verify.kind).toBe('vm.migrateReapVerify');
      await release();
      await c.client.waitIdle(90_000);
      await stuckJobGone(opId);
      const op = await operation(opId);
      expect(op.state).toBe('FAILED');
      // the reaper's reason, unless the stuck job woke first and reported itself stale
      if (op.errorCode !== 'STALE_JOB') expect(op.errorMessage).toMatch(/still runs on its source as planned: rolled back/);
      expect(await held(vmId, 'rlc-mig', 'rlc-01')).toEqual(before);
      expect(await db.cpuAllocation.count({ where: { migrationId: opId } })).toBe(0);
      expect((await db.vmMigration.findUniqueOrThrow({ where: { id: opId } })).outcome).toBe('ABORTED');
      expect(
        sim('rlc-01')
          .state()
          .domains.find((d) => d.name === 'rlc-mig')?.state,
      ).toBe('running');
      expect(
        sim('rlc-02')
          .state()
          .domains.find((d) => d.name === 'rlc-mig'),
      ).toBeUndefined();
    } finally {
      await release();
    }
  }, 240_000);

  it('a stuck migration whose VM is gone from its source releases nothing: FAILED holding both until a delete', async () => {
    const vmId = await create('rlc-lost', 'rlc-01', { network: 'tenant-br' });
    const release = await hang('rlc-01');
    try {
      const r = await c.client.request<{ migrateVm: { id: string } }>(
        `mutation ($id: ID!, $input: MigrateVmInput) { migrateVm(id: $id, input: $input) { id } }`,
        { id: vmId, input: { targetHost: 'rlc-02', strategy: 'LIVE' } },
      );
      const opId = r.migrateVm.id;
      // where the dead agent left it is unknown: not on the source any more
      expect((await sim('rlc-01').sh('virsh destroy rlc-lost && virsh undefine rlc-lost')).code).toBe(0);
      await until('the reaper to ask the source', async () => (await operation(opId)).step?.startsWith('reaper: '));
      await release();
      await c.client.waitIdle(90_000);
      const vm = await db.vm.findUniqueOrThrow({ where: { id: vmId } });
      expect([vm.state, vm.errorCode]).toEqual(['FAILED', 'OPERATION_STALLED']);
      expect(vm.errorMessage).toMatch(/does not run on its source as planned \(\d+ field\(s\) differ: .*domain.*\): FAILED, holding both/);
      const holds = await held(vmId, 'rlc-lost', 'rlc-01');
      expect(holds.activeMigrations).toBe(1);
      expect(holds.cpus.some((x) => x.startsWith('rlc-01/') && x.endsWith('/own'))).toBe(true);
      expect(holds.cpus.some((x) => x.startsWith('rlc-02/') && x.endsWith('/pending'))).toBe(true);
    } finally {
      await release();
    }
    const del = await c.client.request<{ deleteVm: { id: string } }>(`mutation ($id: ID!) { deleteVm(id: $id) { id } }`, { id: vmId });
    expect((await c.client.waitForOperation(del.deleteVm.id, 90_000)).state).toBe('SUCCEEDED');
    expect(await db.cpuAllocation.count({ where: { vmId } })).toBe(0);
    expect(await db.vmMigration.count({ where: { vmId, active: true } })).toBe(0);
  }, 240_000);
});
