import { NotFoundError, placementPlanSchema, type MigrationStrategy, type PlacementPlan, type VmRequest } from '@netpin/contracts';
import type { PlacementIndex } from '@netpin/placement';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { uniqueConstraintOf } from '../prisma-errors';
import { parseStored } from '../stored-json';
import type { HostRecord, VmRecord } from '../types';
import { toHostRecord } from './host.repository';
import { createOperation, toOperationRecord, type NewOperation, type OperationRecord } from './operation.repository';
import type { VmWithPlan } from './provisioning.repository';
import type { SnapshotCache } from './snapshot-cache';
import { handOverIoCpus, outcomeData, type OperationOutcome } from './vm-effects';
import { toVmRecord, toVmWithRequest } from './vm.repository';

export interface BeginMigration {
  vmId: string;
  /** The migration's id: its operation's, and the key its target reservation has in placement. */
  migrationId: string;
  strategy: MigrationStrategy;
  /** Throws when the VM may not move now (state, datapaths). */
  decide: (vm: VmWithPlan) => void;
  /** The request to place on the target: the VM's own, its MACs pinned, the source avoided, vmId = migrationId. */
  request: (vm: VmWithPlan) => VmRequest;
  place: (index: PlacementIndex, request: VmRequest) => PlacementPlan | null;
  operation: (m: {
    vm: VmWithPlan;
    source: HostRecord;
    target: HostRecord;
    targetPlan: PlacementPlan;
    generation: number;
  }) => Promise<NewOperation>;
  /** Inside the transaction, after the reservation is written and before the commit (VF claims); throws to abort. */
  beforeCommit?: (targetPlan: PlacementPlan) => Promise<void>;
}

export type BeginMigrationResult =
  | { kind: 'begun'; vm: VmRecord; operation: OperationRecord; targetPlan: PlacementPlan; source: HostRecord }
  | { kind: 'no-longer-fits' }
  | { kind: 'allocation-conflict'; constraint: string };

export interface ActiveMigration {
  id: string;
  vmId: string;
  sourceHostId: string;
  targetHostId: string;
  strategy: MigrationStrategy;
  /** allocation.vmId is the VM's own id here (the stored plan carries the migration's). */
  targetPlan: PlacementPlan;
}

/** How a migration ended, as the lifecycle service decided from the agent's result. */
export type MigrationEnding =
  { kind: 'landed' } | { kind: 'aborted'; error: OperationOutcome['error'] } | { kind: 'lost'; error: OperationOutcome['error'] };

/**
 * A VM moving between hosts. beginMigration places the VM's request on another host and
 * writes, in ONE transaction under the VM row lock and the fleet lock (the order
 * placeReleasedVm takes them in), the VmMigration row, the target's CPU and VF allocation rows
 * (carrying the migration's id: the source keeps the VM's own until the move lands), the VM's
 * MIGRATING state and new generation, and the operation with its job. finishMigration lands
 * it (the source's rows go, the target's become the VM's) or aborts it (the target's go).
 */
export class MigrationRepository {
  constructor(
    private readonly db: Db,
    private readonly cache: SnapshotCache,
  ) {}

  async beginMigration(c: BeginMigration): Promise<BeginMigrationResult> {
    const r = await this.db
      .$transaction((tx) => begin(tx, this.cache, c), { timeout: 30_000, maxWait: 30_000 })
      .catch((e: unknown) => {
        const constraint = uniqueConstraintOf(e);
        if (constraint) return { kind: 'allocation-conflict' as const, constraint };
        throw e;
      });
    if (r.kind !== 'begun') return r;
    // committed: the fleet this process places against next holds the reservation without a read
    this.cache.committed(r.view, r.targetPlan, r.generation);
    return { kind: 'begun', vm: r.vm, operation: r.operation, targetPlan: r.targetPlan, source: r.source };
  }

  async active(migrationId: string): Promise<ActiveMigration | null> {
    const row = await this.db.vmMigration.findFirst({ where: { id: migrationId, active: true } });
    if (!row) return null;
    const plan = parseStored(placementPlanSchema, row.targetPlan, `VmMigration ${row.id} targetPlan`);
    return {
      id: row.id,
      vmId: row.vmId,
      sourceHostId: row.sourceHostId,
      targetHostId: row.targetHostId,
      strategy: row.strategy === 'COLD' ? 'COLD' : 'LIVE',
      targetPlan: { ...plan, allocation: { ...plan.allocation, vmId: row.vmId } },
    };
  }

  /**
   * End a migration with its operation, in one transaction; null (nothing written) when the
   * operation or the migration already ended. landed: the VM is on the target with the
   * target plan, the source's rows are gone (its I/O CPUs passed to the heir); aborted: the
   * target's rows are gone and the VM is RUNNING on its source; lost: the rollback failed too,
   * the VM is FAILED holding both until a delete. `opts.followUps` (a landed migration whose release
   * on the source failed: the clean-up retried there) are written in the same transaction.
   */
  async finishMigration(
    m: ActiveMigration,
    outcome: OperationOutcome,
    ending: MigrationEnding,
    /**
     * The reaper's ending: the migration ends even when its operation did already (the stuck
     * job woke up after the reaper took over and reported STALE_JOB); the operation keeps that end.
     */
    opts: { evenIfOperationEnded?: boolean; followUps?: NewOperation[] } = {},
  ): Promise<OperationRecord | null> {
    return this.db.$transaction(async (tx) => {
      const updated = await tx.operation.updateManyAndReturn({
        where: { id: m.id, state: { in: ['QUEUED', 'RUNNING'] } },
        data: outcomeData(outcome),
      });
      if (updated.length === 0 && opts.evenIfOperationEnded) updated.push(await tx.operation.findUniqueOrThrow({ where: { id: m.id } }));
      if (updated.length === 0) return null;
      const ended = await tx.vmMigration.updateMany({
        where: { id: m.id, active: true },
        data:
          ending.kind === 'lost' ? {} : { active: false, outcome: ending.kind === 'landed' ? 'LANDED' : 'ABORTED', finishedAt: new Date() },
      });
      if (ended.count === 0) return null;
      if (ending.kind === 'landed') await land(tx, m);
      if (ending.kind === 'aborted') await giveBackTarget(tx, m);
      for (const f of opts.followUps ?? []) await createOperation(tx, f);
      const error = ending.kind === 'lost' ? ending.error : null;
      await tx.vm.update({
        where: { id: m.vmId },
        data: {
          state: ending.kind === 'lost' ? 'FAILED' : 'RUNNING',
          errorCode: error?.code ?? null,
          errorMessage: error?.message ?? null,
          errorStderr: error?.stderr ?? null,
        },
      });
      return toOperationRecord(updated[0]);
    });
  }
}

type Begun = Extract<BeginMigrationResult, { kind: 'begun' }> & { view: Awaited<ReturnType<SnapshotCache['locked']>>; generation: bigint };

async function begin(
  tx: Prisma.TransactionClient,
  cache: SnapshotCache,
  c: BeginMigration,
): Promise<Begun | Exclude<BeginMigrationResult, { kind: 'begun' }>> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Vm" WHERE id = ${c.vmId}::uuid FOR UPDATE`;
  if (!rows.length) throw new NotFoundError('vm', c.vmId);
  const row = await tx.vm.findUniqueOrThrow({ where: { id: c.vmId }, include: { interfaces: { orderBy: { index: 'asc' } } } });
  const vm: VmWithPlan = toVmWithRequest(row);
  c.decide(vm);
  if (!vm.hostId) throw new NotFoundError('host of vm', c.vmId);
  const view = await cache.locked(tx);
  const plan = c.place(view.index, c.request(vm));
  if (!plan) return { kind: 'no-longer-fits' };
  const source = toHostRecord(await tx.host.findUniqueOrThrow({ where: { id: vm.hostId } }));
  const target = toHostRecord(await tx.host.findUniqueOrThrow({ where: { id: plan.hostId } }));
  await tx.vmMigration.create({
    data: { id: c.migrationId, vmId: c.vmId, sourceHostId: source.id, targetHostId: target.id, strategy: c.strategy, targetPlan: plan },
  });
  await reserveTarget(tx, c.vmId, c.migrationId, plan);
  await c.beforeCommit?.(plan);
  const generation = vm.generation + 1;
  await tx.vm.update({
    where: { id: c.vmId },
    data: { state: 'MIGRATING', generation, errorCode: null, errorMessage: null, errorStderr: null },
  });
  const targetPlan = { ...plan, allocation: { ...plan.allocation, vmId: c.vmId } };
  const operation = await createOperation(tx, await c.operation({ vm, source, target, targetPlan, generation }));
  const gen = await cache.generationAfterWrites(tx);
  const after = await tx.vm.findUniqueOrThrow({ where: { id: c.vmId }, include: { interfaces: { orderBy: { index: 'asc' } } } });
  return { kind: 'begun', vm: toVmRecord(after), operation, targetPlan, source, view, generation: gen };
}

/** The target plan's CPU and VF rows: the VM's, marked with the migration (VFs on no interface yet). */
async function reserveTarget(tx: Prisma.TransactionClient, vmId: string, migrationId: string, plan: PlacementPlan): Promise<void> {
  const cpuIds = plan.allocation.cpus.map((x) => x.cpu);
  if (cpuIds.length) {
    const rows = await tx.cpu.findMany({ where: { hostId: plan.hostId, cpuId: { in: cpuIds } }, select: { id: true, cpuId: true } });
    const byCpu = new Map(rows.map((r) => [r.cpuId, r.id]));
    await tx.cpuAllocation.createMany({
      data: plan.allocation.cpus.map((x) => {
        const cpuRowId = byCpu.get(x.cpu);
        if (!cpuRowId) throw new NotFoundError('cpu', `${plan.hostId}/${x.cpu}`);
        return { cpuRowId, hostId: plan.hostId, vmId, role: x.role, migrationId };
      }),
    });
  }
  for (const i of plan.interfaces) {
    if (!i.vf || !i.nicId) continue;
    const vf = await tx.vf.findUnique({ where: { nicId_index: { nicId: i.nicId, index: i.vf.index } }, select: { id: true } });
    if (!vf) throw new NotFoundError('vf', `${i.nicName}/${i.vf.index}`);
    await tx.vfAllocation.create({ data: { vfId: vf.id, vmId, migrationId } });
  }
}

/** The move landed: the source's rows go, the target's become the VM's, the VM takes the target plan. */
async function land(tx: Prisma.TransactionClient, m: ActiveMigration): Promise<void> {
  await handOverIoCpus(tx, m.vmId, { migrationId: null });
  await tx.cpuAllocation.deleteMany({ where: { vmId: m.vmId, migrationId: null } });
  await tx.vfAllocation.deleteMany({ where: { vmId: m.vmId, migrationId: null } });
  await tx.cpuAllocation.updateMany({ where: { migrationId: m.id }, data: { migrationId: null } });
  const ifaces = await tx.vmInterface.findMany({ where: { vmId: m.vmId } });
  for (const i of m.targetPlan.interfaces) {
    const row = ifaces.find((r) => r.index === i.index);
    if (!row) throw new NotFoundError('vmInterface', `${m.vmId}/${i.index}`);
    await tx.vmInterface.update({
      where: { id: row.id },
      data: { datapath: i.datapath, model: i.model, vlan: i.vlan, sourceDev: i.vf ? i.vf.pciAddress : i.sourceDevice, queues: i.queues },
    });
    if (!i.vf || !i.nicId) continue;
    const vf = await tx.vf.findUnique({ where: { nicId_index: { nicId: i.nicId, index: i.vf.index } }, select: { id: true } });
    if (vf)
      await tx.vfAllocation.updateMany({ where: { vfId: vf.id, migrationId: m.id }, data: { interfaceId: row.id, migrationId: null } });
  }
  await tx.vm.update({
    where: { id: m.vmId },
    data: { hostId: m.targetHostId, plan: m.targetPlan, numaNode: m.targetPlan.numaNodes[0] ?? null },
  });
}

/** The move was rolled back: the target's reservation goes (its I/O CPUs to another user of the node, if any). */
async function giveBackTarget(tx: Prisma.TransactionClient, m: ActiveMigration): Promise<void> {
  await handOverIoCpus(tx, m.vmId, { migrationId: m.id });
  await tx.cpuAllocation.deleteMany({ where: { migrationId: m.id } });
  await tx.vfAllocation.deleteMany({ where: { migrationId: m.id } });
}
