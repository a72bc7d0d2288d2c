import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vmRequestSchema } from '@netpin/contracts';
import {
  createSqlReader,
  finishedParent,
  HostRepository,
  OperationRepository,
  ProvisioningRepository,
  SnapshotCache,
  toOperationRecord,
  toVmRecord,
  type Db,
  type FinishedOperation,
  type SqlReader,
} from '@netpin/db';
import { seedTopology, testDb } from './support/seed';

/**
 * What the API does for every job result, through plain pg (SqlReader) instead of Prisma:
 * the operation, VM and host reads give Prisma's rows, and an outcome (the operation, its
 * parent, the VM, the follow-up with its outbox row) is one statement
 * (netpin_finish_operation, migration 20261205080000) that writes nothing the second time.
 */
let db: Db;
let sql: SqlReader;
const statements: string[] = [];
let prov: ProvisioningRepository;
let ops: OperationRepository;
let hostId: string;

beforeAll(async () => {
  db = testDb();
  sql = createSqlReader(process.env.DATABASE_URL!, { onQuery: (q) => statements.push(q) });
  prov = new ProvisioningRepository(db, new SnapshotCache(db), sql);
  ops = new OperationRepository(db, sql);
  const net = await db.network.create({ data: { name: 'rw-direct', kind: 'MACVTAP' } });
  const h = await db.host.create({
    data: { name: 'rw-1', address: '192.0.2.50', credentialRef: 'file:k', state: 'READY', capKvm: true, pmdCpus: [2, 3] },
  });
  hostId = h.id;
  await seedTopology(db, h.id, { nodes: 1, cpusPerNode: 16, vfs: 0 });
  const eno = await db.nic.findFirstOrThrow({ where: { hostId: h.id, name: 'eno1' } });
  await db.networkNic.create({ data: { networkId: net.id, hostId: h.id, nicId: eno.id } });
});
afterAll(async () => {
  await sql?.close();
  await db?.$disconnect();
});

async function createVm(name: string): Promise<{ vmId: string; opId: string }> {
  const vmId = randomUUID();
  const req = {
    ...vmRequestSchema.parse({ name, vcpus: 2, memoryMiB: 512, interfaces: [{ network: 'rw-direct' }, { network: 'rw-direct' }] }),
    vmId,
  };
  const opId = randomUUID();
  const r = await prov.createPlacedVm({
    vmId,
    name,
    request: req,
    operation: { id: opId, kind: 'vm.create', requestHash: 'h', requestId: 'r' },
    place: (index) => {
      const p = index.place(req);
      return p.ok ? p.plan : null;
    },
    job: (plan) => ({ queue: 'rw', name: 'vm.apply', payload: { vmId: plan.vmId } }),
  });
  if (r.kind !== 'created') throw new Error(`not created: ${r.kind}`);
  return { vmId, opId };
}

const prismaOp = async (id: string) => toOperationRecord(await db.operation.findUniqueOrThrow({ where: { id } }));

describe("a job result's reads and write", () => {
  it('reads the operation, the VM with its interfaces and its host as Prisma does', async () => {
    const { vmId, opId } = await createVm('rw-read');
    const row = await db.vm.findUniqueOrThrow({ where: { id: vmId }, include: { interfaces: { orderBy: { index: 'asc' } } } });
    const viaPg = await prov.vmWithPlan(vmId);
    expect(viaPg).toStrictEqual({ ...toVmRecord(row), request: row.request });
    expect(viaPg?.interfaces).toHaveLength(2);
    expect(await ops.getForJob(opId)).toStrictEqual(await prismaOp(opId));
    const both = await prov.vmWithHost(vmId);
    expect(both?.vm).toStrictEqual(viaPg);
    expect(both?.host).toStrictEqual(await new HostRepository(db).findById(hostId));
    expect(both?.host?.id).toBe(hostId);
    expect(await prov.vmWithPlan(randomUUID())).toBeNull();
    expect(await prov.vmWithPlan('not-a-uuid')).toBeNull();
  });

  it("reads a result's operation, VM with its interfaces and host in one statement, as getForJob and vmWithHost do", async () => {
    const { vmId, opId } = await createVm('rw-one-read');
    statements.length = 0;
    const read = await prov.forResult(opId);
    expect(statements).toHaveLength(1);
    expect(read?.op).toStrictEqual(await prismaOp(opId));
    expect(read?.vm).toStrictEqual(await prov.vmWithHost(vmId));
    expect(read?.vm?.vm.interfaces).toHaveLength(2);
    // an operation whose VM is gone, one on a host, and none at all
    await db.vmInterface.deleteMany({ where: { vmId } });
    await db.cpuAllocation.deleteMany({ where: { vmId } });
    await db.vfAllocation.deleteMany({ where: { vmId } });
    await db.vm.delete({ where: { id: vmId } });
    expect((await prov.forResult(opId))?.vm).toBeNull();
    const hostOp = await ops.create({ id: randomUUID(), kind: 'host.discover', targetType: 'host', targetId: hostId, requestId: 'r' });
    expect(await prov.forResult(hostOp.id)).toStrictEqual({ op: await prismaOp(hostOp.id), vm: null });
    expect(await prov.forResult(randomUUID())).toBeNull();
    expect(await prov.forResult('not-a-uuid')).toBeNull();
  });

  it('moves a create to RUNNING with its verify, then the verify, the create and the VM to done, one statement each, once', async () => {
    const { vmId, opId } = await createVm('rw-finish');
    const finished: FinishedOperation[] = [];
    const stop = prov.onOperationFinished((f) => finished.push(f));
    const verifyId = randomUUID();
    const steps = [
      { name: 'define', state: 'SUCCEEDED' as const, startedAt: '2026-12-05T08:00:00.000Z', finishedAt: '2026-12-05T08:00:01.000Z' },
    ];
    statements.length = 0;
    const running = await prov.finishOperation(
      opId,
      { state: 'RUNNING', steps },
      {
        followUps: [
          {
            id: verifyId,
            kind: 'vm.verify',
            targetType: 'vm',
            targetId: vmId,
            parentId: opId,
            requestId: 'r',
            job: { queue: 'rw', name: 'vm.verify', payload: { vmId } },
          },
        ],
      },
    );
    expect(statements).toHaveLength(1);
    expect(running).toStrictEqual(await prismaOp(opId));
    expect(running).toMatchObject({ state: 'RUNNING', steps, progress: 0, finishedAt: null });
    expect(finished).toEqual([]);
    expect(await prismaOp(verifyId)).toMatchObject({ state: 'QUEUED', parentId: opId, targetId: vmId });
    const outbox = await db.outboxMessage.findMany({ where: { operationId: verifyId } });
    expect(outbox.map((m) => [m.queue, m.jobName, m.payload, m.sentAt])).toEqual([['rw', 'vm.verify', { vmId }, null]]);
    await db.vm.update({ where: { id: vmId }, data: { errorCode: 'OLD', errorMessage: 'old' } });

    statements.length = 0;
    const done = await prov.finishOperation(
      verifyId,
      { state: 'SUCCEEDED', steps, result: { inSync: true } },
      { vm: { id: vmId, state: 'RUNNING', error: null }, parent: { id: opId, outcome: { state: 'SUCCEEDED' } } },
    );
    expect(statements).toHaveLength(1);
    expect(done).toStrictEqual(await prismaOp(verifyId));
    expect(done).toMatchObject({ state: 'SUCCEEDED', progress: 100, result: { inSync: true } });
    expect(done?.finishedAt).toBeInstanceOf(Date);
    expect(finishedParent(done!)).toStrictEqual(await prismaOp(opId));
    expect(finishedParent(done!)).toMatchObject({ state: 'SUCCEEDED', progress: 100, steps });
    expect(finished.map((f) => [f.id, f.state]).sort()).toEqual(
      [
        [opId, 'SUCCEEDED'],
        [verifyId, 'SUCCEEDED'],
      ].sort(),
    );
    const vm = await db.vm.findUniqueOrThrow({ where: { id: vmId } });
    expect(vm).toMatchObject({ state: 'RUNNING', errorCode: null, errorMessage: null, errorStderr: null, holding: true, generation: 0 });

    // a result delivered again: nothing written, nothing announced
    const again = await prov.finishOperation(
      verifyId,
      { state: 'FAILED', error: { code: 'X', message: 'x' } },
      { vm: { id: vmId, state: 'FAILED' } },
    );
    expect(again).toBeNull();
    expect(finished).toHaveLength(2);
    expect((await db.vm.findUniqueOrThrow({ where: { id: vmId } })).state).toBe('RUNNING');
    expect(await prismaOp(verifyId)).toStrictEqual(done);
    stop();
  });

  it('writes a failure: the error on the operation and the VM, the new generation, the parent failed with it', async () => {
    const { vmId, opId } = await createVm('rw-fail');
    const error = { code: 'APPLY_FAILED', message: 'virsh define failed', stderr: 'error: bad xml' };
    const child = randomUUID();
    await prov.finishOperation(
      opId,
      { state: 'RUNNING' },
      { followUps: [{ id: child, kind: 'vm.verify', targetType: 'vm', targetId: vmId, parentId: opId }] },
    );
    expect(await db.outboxMessage.count({ where: { operationId: child } })).toBe(0);
    const failed = await prov.finishOperation(
      child,
      { state: 'FAILED', error },
      {
        vm: { id: vmId, state: 'FAILED', error, generation: 1 },
        parent: { id: opId, outcome: { state: 'FAILED', error: { code: error.code, message: error.message } } },
      },
    );
    expect(failed).toMatchObject({
      state: 'FAILED',
      errorCode: error.code,
      errorMessage: error.message,
      errorStderr: error.stderr,
      progress: 100,
    });
    expect(await prismaOp(opId)).toMatchObject({ state: 'FAILED', errorCode: error.code, errorStderr: null });
    const vm = await db.vm.findUniqueOrThrow({ where: { id: vmId } });
    expect(vm).toMatchObject({
      state: 'FAILED',
      generation: 1,
      errorCode: error.code,
      errorMessage: error.message,
      errorStderr: error.stderr,
    });
    expect(vm.activeName).toBe('rw-fail');
  });

  it('fails the whole outcome when the VM is gone (the result is retried, nothing half-written)', async () => {
    const { opId } = await createVm('rw-gone');
    await expect(prov.finishOperation(opId, { state: 'SUCCEEDED' }, { vm: { id: randomUUID(), state: 'RUNNING' } })).rejects.toThrow(
      /not found/,
    );
    expect((await prismaOp(opId)).state).toBe('QUEUED');
  });
});
