import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, vmRequestSchema, type PlacementPlan, type VmRequest } from '@netpin/contracts';
import {
  createDb,
  OperationRepository,
  ProvisioningRepository,
  SnapshotCache,
  writeAllocations,
  type CreatePlacedVm,
  type Db,
} from '@netpin/db';
import { seedTopology, testDb } from './support/seed';

/**
 * The write of a placed VM (ProvisioningRepository.createPlacedVm): one SQL function under
 * the placement lock (migration 20261205043000). What it returns is what Prisma reads back;
 * the checks it makes under the lock (MACs, unique names and keys, allocations) answer as
 * before; and the lock is held for few statements.
 */
let db: Db;
let counted: Db;
const queries: string[] = [];
let prov: ProvisioningRepository;
let cache: SnapshotCache;
let hostId: string;

beforeAll(async () => {
  db = testDb();
  counted = createDb(process.env.DATABASE_URL!, { onQuery: (q) => queries.push(q) });
  cache = new SnapshotCache(counted);
  prov = new ProvisioningRepository(counted, cache);
  const net = await db.network.create({ data: { name: 'pw-direct', kind: 'MACVTAP' } });
  const sriov = await db.network.create({ data: { name: 'pw-sriov', kind: 'SRIOV_PHYSNET', physnet: 'pw' } });
  const h = await db.host.create({
    data: { name: 'pw-1', address: '192.0.2.40', credentialRef: 'file:k', state: 'READY', capKvm: true, capIommu: true, capVhostNet: true },
  });
  hostId = h.id;
  await seedTopology(db, h.id, { nodes: 2, cpusPerNode: 32, vfs: 4 });
  const eno = await db.nic.findFirstOrThrow({ where: { hostId: h.id, name: 'eno1' } });
  await db.networkNic.create({ data: { networkId: net.id, hostId: h.id, nicId: eno.id } });
  const pf = await db.nic.findFirstOrThrow({ where: { hostId: h.id, name: 'ens1f0' } });
  await db.networkNic.create({ data: { networkId: sriov.id, hostId: h.id, nicId: pf.id } });
});
afterAll(async () => {
  await counted?.$disconnect();
  await db?.$disconnect();
});

function request(name: string, extra: Record<string, unknown> = {}): VmRequest {
  return vmRequestSchema.parse({ name, vcpus: 2, memoryMiB: 1024, interfaces: [{ network: 'pw-direct' }], ...extra });
}

function create(name: string, opts: Partial<CreatePlacedVm> & { extra?: Record<string, unknown>; key?: string } = {}) {
  const vmId = randomUUID();
  const req = { ...request(name, opts.extra), vmId };
  return prov.createPlacedVm({
    vmId,
    name,
    request: req,
    operation: { id: randomUUID(), kind: 'vm.create', idempotencyKey: opts.key ?? null, requestHash: 'h', requestId: 'r' },
    place: (index) => {
      const r = index.place(req);
      return r.ok ? r.plan : null;
    },
    job: (plan, host) => ({
      queue: 'pw',
      name: 'vm.apply',
      payload: { address: host.address, vmId: plan.vmId, macs: plan.interfaces.map((i) => i.mac) },
    }),
    ...opts,
  });
}

/** createPlacedVmAt with the same request and job as `create`; VF claims recorded in `claims`. */
function createAt(name: string, claims: { held: Set<string>; taken?: boolean } = { held: new Set() }, extra: Record<string, unknown> = {}) {
  return prov.createPlacedVmAt(...createArgs(name, claims, extra));
}

function createArgs(
  name: string,
  claims: { held: Set<string>; taken?: boolean } = { held: new Set() },
  extra: Record<string, unknown> = {},
): Parameters<ProvisioningRepository['createPlacedVmAt']> {
  const vmId = randomUUID();
  const req = { ...request(name, extra), vmId };
  const vfs = (plan: PlacementPlan) => plan.interfaces.flatMap((i) => (i.vf ? [`${vmId}:${i.vf.index}`] : []));
  return [
    {
      vmId,
      name,
      request: req,
      operation: { id: randomUUID(), kind: 'vm.create', idempotencyKey: null, requestHash: 'h', requestId: 'r' },
      place: (index) => {
        const r = index.place(req);
        return r.ok ? r.plan : null;
      },
      job: (plan, host) => ({ queue: 'pw', name: 'vm.apply', payload: { address: host.address, vmId: plan.vmId } }),
    },
    {
      claimFree: async (plan) => {
        if (claims.taken) return false;
        for (const v of vfs(plan)) claims.held.add(v);
        return true;
      },
      release: async (plan) => {
        for (const v of vfs(plan)) claims.held.delete(v);
      },
    },
  ];
}

function created<T extends { kind: string }>(r: T): Extract<T, { kind: 'created' }> {
  if (r.kind !== 'created') throw new Error(`expected created, got ${JSON.stringify(r)}`);
  return r as Extract<T, { kind: 'created' }>;
}

describe('createPlacedVm writes in one statement under the lock', () => {
  it('returns the VM and operation exactly as Prisma reads them back, and writes the outbox row and allocations', async () => {
    const r = created(await create('pw-a', { extra: { interfaces: [{ network: 'pw-direct' }, { network: 'pw-sriov', vlan: 7 }] } }));
    const { request: _request, ...read } = (await prov.vmWithPlan(r.vm.id))!;
    expect(r.vm).toStrictEqual(read);
    expect(r.operation).toStrictEqual(await new OperationRepository(db).get(r.operation.id));
    const outbox = await db.outboxMessage.findMany({ where: { operationId: r.operation.id } });
    expect(outbox.map((m) => [m.queue, m.jobName, m.payload])).toEqual([
      ['pw', 'vm.apply', { address: '192.0.2.40', vmId: r.vm.id, macs: r.plan.interfaces.map((i) => i.mac) }],
    ]);
    const cpus = await db.cpuAllocation.findMany({ where: { vmId: r.vm.id }, include: { cpu: true } });
    expect(cpus.map((c) => c.cpu.cpuId).sort()).toEqual(r.plan.allocation.cpus.map((c) => c.cpu).sort());
    const vfs = await db.vfAllocation.findMany({ where: { vmId: r.vm.id }, include: { vf: true } });
    expect(vfs.map((v) => [v.vf.index, v.interfaceId])).toEqual([[r.plan.interfaces[1].vf!.index, r.vm.interfaces[1].id]]);
    const stored = await db.vm.findUniqueOrThrow({ where: { id: r.vm.id } });
    expect(stored.plan).toEqual(r.plan);
    expect(stored.request).toEqual({
      ...request('pw-a', { interfaces: [{ network: 'pw-direct' }, { network: 'pw-sriov', vlan: 7 }] }),
      vmId: r.vm.id,
    });
  });

  it('bumps the placement generation through the triggers and records the host it changed', async () => {
    const r = created(await create('pw-gen'));
    const state = await db.placementState.findUniqueOrThrow({ where: { id: 1 } });
    const changes = await db.placementChange.findMany({ where: { generation: state.generation } });
    expect(changes.map((c) => c.hostId)).toContain(hostId);
    // the generation the write returned is the committed one: the cache is current without a read
    const misses = cache.misses;
    const view = await cache.read();
    expect(view.generation).toBe(state.generation);
    expect(cache.misses).toBe(misses);
    expect((await new SnapshotCache(db).current()).allocations.find((a) => a.vmId === r.vm.id)).toBeDefined();
  });

  it('holds the lock for the lock, one write and the commit (the host record is kept between creates)', async () => {
    created(await create('pw-warm'));
    queries.length = 0;
    created(await create('pw-count'));
    const locked = queries.findIndex((q) => /FOR UPDATE/.test(q) && q.includes('PlacementState'));
    const commit = queries.findIndex((q, k) => k > locked && /^COMMIT/i.test(q.trim()));
    expect(locked).toBeGreaterThanOrEqual(0);
    expect(commit).toBeGreaterThan(locked);
    expect(queries.slice(locked, commit + 1)).toHaveLength(3);
  });

  it('makes the job from the host as it is now when the host changed since it was read', async () => {
    await db.host.update({ where: { id: hostId }, data: { address: '192.0.2.41' } });
    const r = created(await create('pw-moved'));
    const [m] = await db.outboxMessage.findMany({ where: { operationId: r.operation.id } });
    expect((m.payload as { address: string }).address).toBe('192.0.2.41');
  });

  it('refuses a MAC the request named when a live VM has it, and draws a generated one again', async () => {
    const first = created(await create('pw-mac'));
    const mac = first.plan.interfaces[0].mac;
    await expect(create('pw-mac-2', { extra: { interfaces: [{ network: 'pw-direct', mac }] } })).rejects.toThrow(ConflictError);
    const fresh = '52:54:00:00:99:01';
    const r = created(
      await create('pw-mac-3', {
        extra: { interfaces: [{ network: 'pw-direct', mac }] },
        freshMac: (_index, n) => (n === 1 ? fresh : null),
      }),
    );
    expect(r.plan.interfaces[0].mac).toBe(fresh);
    expect(r.vm.interfaces[0].mac).toBe(fresh);
    expect(await db.vm.count({ where: { name: 'pw-mac-2' } })).toBe(0);
  });

  it('answers CONFLICT for a live name or a used idempotency key, and allocation-conflict for a CPU held by another VM', async () => {
    await expect(create('pw-a')).rejects.toThrow(ConflictError);
    created(await create('pw-key-1', { key: 'pw-key' }));
    await expect(create('pw-key-2', { key: 'pw-key' })).rejects.toThrow(/idempotency key already used/);
    const taken = created(await create('pw-taken'));
    const again = await create('pw-again', { place: () => ({ ...taken.plan, interfaces: [], vmId: randomUUID() }) as PlacementPlan });
    expect(again).toMatchObject({ kind: 'allocation-conflict', constraint: 'CpuAllocation_cpuRowId_key' });
    expect(await db.vm.count({ where: { name: { in: ['pw-key-2', 'pw-again'] } } })).toBe(0);
  });

  it('writeAllocations answers NOT_FOUND for a CPU or VF the host does not have, and writes nothing', async () => {
    const r = created(await create('pw-nf'));
    const before = await db.cpuAllocation.count();
    const plan = { ...r.plan, allocation: { ...r.plan.allocation, cpus: [{ cpu: 999, role: 'VCPU' as const }] } };
    await expect(db.$transaction((tx) => writeAllocations(tx, r.vm.id, plan, []))).rejects.toThrow(NotFoundError);
    await expect(db.$transaction((tx) => writeAllocations(tx, r.vm.id, plan, []))).rejects.toThrow(`${hostId}/999`);
    expect(await db.cpuAllocation.count()).toBe(before);
  });
});

describe('createPlacedVmAt: one statement, no transaction, at the generation it placed on', () => {
  const atCalls = () => queries.filter((q) => q.includes('netpin_create_placed_vm_at')).length;
  beforeAll(async () => {
    // the host's CPUs back: the creates above hold most of its NIC node
    await db.cpuAllocation.deleteMany();
    await db.vfAllocation.deleteMany();
    await db.vm.updateMany({ data: { state: 'DELETED', holding: false, activeName: null } });
  });

  it('writes the VM with one statement and no BEGIN, lock or COMMIT of its own when the view is current', async () => {
    created(await createAt('pwa-warm'));
    queries.length = 0;
    const r = created(await createAt('pwa-one'));
    expect(queries).toHaveLength(1);
    expect(atCalls()).toBe(1);
    expect((await prov.vmWithPlan(r.vm.id))?.state).toBe('PENDING');
    // the generation it returned is the committed one: the next create needs no read either
    const state = await db.placementState.findUniqueOrThrow({ where: { id: 1 } });
    expect((await cache.read()).generation).toBe(state.generation);
  });

  it('writes nothing at a generation the fleet has left, catches up and writes at the new one', async () => {
    created(await createAt('pwa-before'));
    // another process's create: the view this one holds is behind now
    created(await new ProvisioningRepository(db, new SnapshotCache(db)).createPlacedVmAt(...createArgs('pwa-other')));
    queries.length = 0;
    const before = await db.vm.count();
    const r = created(await createAt('pwa-after'));
    expect(atCalls()).toBe(2);
    expect(await db.vm.count()).toBe(before + 1);
    expect(await db.outboxMessage.count({ where: { operationId: r.operation.id } })).toBe(1);
  });

  it('makes the job from the host as it is now when the host row changed since it was read', async () => {
    created(await createAt('pwa-host-1'));
    await db.host.update({ where: { id: hostId }, data: { address: '192.0.2.42' } });
    const r = created(await createAt('pwa-host-2'));
    const [m] = await db.outboxMessage.findMany({ where: { operationId: r.operation.id } });
    expect((m.payload as { address: string }).address).toBe('192.0.2.42');
  });

  it('leaves a VF another VM claimed to the locked path, writing and claiming nothing', async () => {
    const claims = { held: new Set<string>(), taken: true };
    const before = await db.vm.count();
    const r = await createAt('pwa-vf', claims, { interfaces: [{ network: 'pw-sriov', vlan: 9 }] });
    expect(r).toEqual({ kind: 'not-here' });
    expect(await db.vm.count()).toBe(before);
    expect(claims.held.size).toBe(0);
  });

  it('answers CONFLICT for a live name and gives the VF claims back', async () => {
    created(await createAt('pwa-dup'));
    const claims = { held: new Set<string>() };
    await expect(createAt('pwa-dup', claims, { interfaces: [{ network: 'pw-sriov', vlan: 9 }] })).rejects.toThrow(ConflictError);
    expect(claims.held.size).toBe(0);
    expect(await db.vm.count({ where: { name: 'pwa-dup' } })).toBe(1);
  });

  it('answers not-here, writing nothing, when nothing fits on the view', async () => {
    const r = await createAt('pwa-huge', { held: new Set() }, { vcpus: 500 });
    expect(r).toEqual({ kind: 'not-here' });
    expect(await db.vm.count({ where: { name: 'pwa-huge' } })).toBe(0);
  });
});
