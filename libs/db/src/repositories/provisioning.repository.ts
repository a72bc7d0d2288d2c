import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, type OperationState, type PlacementPlan, type VmState } from '@netpin/contracts';
import type { PlacementIndex } from '@netpin/placement';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { uniqueConstraintOf } from '../prisma-errors';
import {
  createOperation,
  toOperationRecord,
  type JobSpec,
  type NewOperation,
  type OperationRecord,
  type OperationStepRecord,
} from './operation.repository';
import { SnapshotCache, type PlacementView } from './snapshot-cache';
import { toHostRecord } from './host.repository';
import { toVmRecord } from './vm.repository';
import type { HostRecord, VmRecord } from '../types';

export interface CreatePlacedVm {
  vmId: string;
  name: string;
  request: unknown;
  operation: Omit<NewOperation, 'job' | 'targetType' | 'targetId'>;
  /** Place on the exact fleet under the placement lock (read only: do not apply); null when nothing fits any more. */
  place: (index: PlacementIndex) => PlacementPlan | null;
  job: (plan: PlacementPlan, host: HostRecord) => JobSpec;
  /**
   * Draw number n (1, 2, ...) of a generated MAC for interface `index`, when the plan's MAC
   * is already used by a live VM; null when the request named the MAC (a clash is then the
   * caller's CONFLICT).
   */
  freshMac?: (index: number, n: number) => string | null;
}

/** Redraws of a generated MAC before giving up (each clash has odds of about live/2^24). */
const MAC_DRAWS = 16;

/**
 * Generated MACs are a 24-bit hash: past a few thousand VMs two will meet. Run under the
 * placement lock (no other create runs), so checking live interfaces is exact: a generated
 * MAC that clashes (with a live VM or another interface of this VM) is drawn again and the
 * plan updated before anything is written or sent; a requested one is a CONFLICT naming
 * the field.
 */
export async function assignUniqueMacs(
  interfaces: { index: number; mac: string }[],
  freshMac: CreatePlacedVm['freshMac'],
  liveMacs: (macs: string[]) => Promise<Set<string>>,
): Promise<void> {
  const used = await liveMacs(interfaces.map((i) => i.mac));
  const mine = new Set<string>();
  for (const [k, iface] of interfaces.entries()) {
    let mac = iface.mac;
    for (let n = 1; used.has(mac) || mine.has(mac); n++) {
      const next = n <= MAC_DRAWS ? (freshMac?.(iface.index, n) ?? null) : null;
      if (next === null) throw new ConflictError(`MAC ${mac} is already used by a live VM`, { field: `interfaces.${k}.mac` });
      mac = next;
      if ((await liveMacs([mac])).has(mac)) used.add(mac);
    }
    mine.add(mac);
    iface.mac = mac;
  }
}

export type CreatePlacedResult =
  | { kind: 'created'; vm: VmRecord; operation: OperationRecord; plan: PlacementPlan }
  | { kind: 'no-longer-fits' }
  | { kind: 'allocation-conflict'; constraint: string };

export interface VmEffect {
  id: string;
  state?: VmState;
  error?: OperationOutcome['error'] | null;
  /** Give back every CPU, VF, memory and hugepage the VM holds. */
  release?: boolean;
}

export interface OutcomeEffects {
  vm?: VmEffect;
  parent?: { id: string; outcome: OperationOutcome };
  followUps?: NewOperation[];
}

/** An operation that reached SUCCEEDED or FAILED, announced after its transaction committed. */
export interface FinishedOperation {
  id: string;
  kind: string;
  state: 'SUCCEEDED' | 'FAILED';
  createdAt: Date;
  finishedAt: Date;
}
export type FinishedOperationListener = (op: FinishedOperation) => void;

function finished(r: { id: string; kind: string; state: string; createdAt: Date; finishedAt: Date | null }): FinishedOperation | null {
  return r.state === 'SUCCEEDED' || r.state === 'FAILED'
    ? { id: r.id, kind: r.kind, state: r.state, createdAt: r.createdAt, finishedAt: r.finishedAt ?? new Date() }
    : null;
}

/** Everything a finished job may change, applied in one transaction. */
export interface OperationOutcome {
  state: Extract<OperationState, 'SUCCEEDED' | 'FAILED'> | 'RUNNING';
  steps?: OperationStepRecord[];
  result?: unknown;
  error?: { code: string; message: string; stderr?: string | null };
}

/**
 * The write side of provisioning. createPlacedVm decides and writes in ONE transaction under
 * one fleet-wide lock (the PlacementState row, which every transaction changing what
 * placement sees also locks through triggers): it takes the snapshot (from the in-memory
 * SnapshotCache when its generation is current), places, and writes the VM, its
 * interfaces, its CPU and VF allocations, the operation and the outbox row. Memory and
 * hugepages have no unique rows, so only a lock can keep them from being promised twice;
 * CPUs and VFs are guarded again by their unique constraints.
 *
 * Why one lock for the fleet and not one per host: with a lock per host, concurrent requests
 * all chose the same best host from their (equal) snapshots, queued on its lock, and all but
 * the few that fit went back to re-read the whole fleet and herd onto the next host. Under
 * hundreds of concurrent calls that was slow (a full snapshot per retry) and ran out of
 * attempts, answering CONFLICT for VMs that did fit (test/concurrency.spec.ts). Serialising
 * the decision never retries, and with the cache it costs a snapshot read only when another
 * process or a release/discovery changed the fleet since this process last placed.
 */
/**
 * Placement transactions one process lets wait for the fleet lock at a time. The lock lets
 * one through anyway; more waiters would only park pool connections that the result
 * consumer, the relay and reads need, so a burst queues in memory instead.
 */
const PLACEMENT_SLOTS = 2;

export class ProvisioningRepository {
  private freeSlots = PLACEMENT_SLOTS;
  private readonly waiting: (() => void)[] = [];
  private readonly finishedListeners = new Set<FinishedOperationListener>();

  constructor(
    private readonly db: Db,
    private readonly cache: SnapshotCache = new SnapshotCache(db),
  ) {}

  async createPlacedVm(c: CreatePlacedVm): Promise<CreatePlacedResult> {
    if (this.freeSlots > 0) this.freeSlots--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      const r = await this.placeAndWrite(c);
      if (r.kind !== 'created') return r;
      // committed: the fleet this process places against next is known without a read
      this.cache.committed(r.view, r.plan, r.generation);
      return { kind: 'created', vm: r.vm, operation: r.operation, plan: r.plan };
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.freeSlots++;
    }
  }

  private async placeAndWrite(
    c: CreatePlacedVm,
  ): Promise<
    | Exclude<CreatePlacedResult, { kind: 'created' }>
    | (Extract<CreatePlacedResult, { kind: 'created' }> & { view: PlacementView; generation: bigint })
  > {
    try {
      return await this.db.$transaction(
        async (tx) => {
          const view = await this.cache.locked(tx);
          const plan = c.place(view.index);
          if (!plan) return { kind: 'no-longer-fits' as const };
          const host = toHostRecord(await tx.host.findUniqueOrThrow({ where: { id: plan.hostId } }));
          await this.uniqueMacs(tx, c, plan);
          const vm = await this.writeVm(tx, c, plan);
          const operation = await createOperation(tx, { ...c.operation, targetType: 'vm', targetId: c.vmId, job: c.job(plan, host) });
          const generation = await this.cache.generationAfterWrites(tx);
          return { kind: 'created' as const, vm, operation, plan, view, generation };
        },
        { timeout: 30_000, maxWait: 30_000 },
      );
    } catch (e) {
      const constraint = uniqueConstraintOf(e);
      if (constraint) {
        if (constraint.includes('activeName') || constraint.includes('idempotencyKey')) {
          throw new ConflictError(constraint.includes('activeName') ? `a VM named ${c.name} exists` : 'idempotency key already used', {
            constraint,
          });
        }
        return { kind: 'allocation-conflict', constraint };
      }
      throw e;
    }
  }

  /** Generated MACs are checked against every live interface under the placement lock. */
  private async uniqueMacs(tx: Prisma.TransactionClient, c: CreatePlacedVm, plan: PlacementPlan): Promise<void> {
    await assignUniqueMacs(plan.interfaces, c.freshMac, async (macs) => {
      const rows = await tx.vmInterface.findMany({
        where: { mac: { in: macs }, vm: { state: { not: 'DELETED' } } },
        select: { mac: true },
      });
      return new Set(rows.map((r) => r.mac ?? ''));
    });
  }

  private async writeVm(tx: Prisma.TransactionClient, c: CreatePlacedVm, plan: PlacementPlan): Promise<VmRecord> {
    await tx.vm.create({
      data: {
        id: c.vmId,
        name: c.name,
        activeName: c.name,
        hostId: plan.hostId,
        state: 'PENDING',
        vcpus: plan.vcpuPins.length,
        memoryMiB: plan.memory.perNode.reduce((s, m) => s + m.mib, 0) || 0,
        numaNode: plan.numaNodes[0] ?? null,
        request: c.request as Prisma.InputJsonValue,
        plan: plan as unknown as Prisma.InputJsonValue,
        holding: true,
      },
    });
    const ifaceIds = plan.interfaces.map(() => randomUUID());
    if (plan.interfaces.length) {
      await tx.vmInterface.createMany({
        data: plan.interfaces.map((i, k) => ({
          id: ifaceIds[k],
          vmId: c.vmId,
          index: i.index,
          networkId: i.networkId,
          datapath: i.datapath,
          model: i.model,
          mac: i.mac,
          vlan: i.vlan,
          sourceDev: i.vf ? i.vf.pciAddress : i.sourceDevice,
          queues: i.queues,
        })),
      });
    }
    const cpuIds = plan.allocation.cpus.map((x) => x.cpu);
    if (cpuIds.length) {
      const rows = await tx.cpu.findMany({ where: { hostId: plan.hostId, cpuId: { in: cpuIds } }, select: { id: true, cpuId: true } });
      const byCpu = new Map(rows.map((r) => [r.cpuId, r.id]));
      await tx.cpuAllocation.createMany({
        data: plan.allocation.cpus.map((x) => {
          const cpuRowId = byCpu.get(x.cpu);
          if (!cpuRowId) throw new NotFoundError('cpu', `${plan.hostId}/${x.cpu}`);
          return { cpuRowId, hostId: plan.hostId, vmId: c.vmId, role: x.role };
        }),
      });
    }
    for (const [k, i] of plan.interfaces.entries()) {
      if (!i.vf || !i.nicId) continue;
      const vf = await tx.vf.findUnique({ where: { nicId_index: { nicId: i.nicId, index: i.vf.index } }, select: { id: true } });
      if (!vf) throw new NotFoundError('vf', `${i.nicName}/${i.vf.index}`);
      await tx.vfAllocation.create({ data: { vfId: vf.id, vmId: c.vmId, interfaceId: ifaceIds[k] } });
    }
    const row = await tx.vm.findUniqueOrThrow({ where: { id: c.vmId }, include: { interfaces: { orderBy: { index: 'asc' } } } });
    return toVmRecord(row);
  }

  /**
   * Be told of every operation this repository moves to SUCCEEDED or FAILED (after commit,
   * once per operation: finished operations never change again). Returns an unsubscribe.
   */
  onOperationFinished(listener: FinishedOperationListener): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  private announce(ops: FinishedOperation[]): void {
    for (const op of ops) for (const l of this.finishedListeners) l(op);
  }

  /**
   * Apply a job outcome: the operation's state, the VM's state, releases, follow-up jobs.
   * Idempotent: an operation that already finished is left as it is (returns null).
   */
  async finishOperation(operationId: string, outcome: OperationOutcome, effects: OutcomeEffects = {}): Promise<OperationRecord | null> {
    const finishedOps: FinishedOperation[] = [];
    const record = await this.db.$transaction(async (tx) => {
      const done = outcome.state !== 'RUNNING';
      const updated = await tx.operation.updateManyAndReturn({
        where: { id: operationId, state: { in: ['QUEUED', 'RUNNING'] } },
        data: {
          state: outcome.state,
          ...(done ? { finishedAt: new Date(), progress: 100 } : {}),
          ...(outcome.steps ? { steps: outcome.steps as unknown as Prisma.InputJsonValue } : {}),
          ...(outcome.result !== undefined ? { result: outcome.result as Prisma.InputJsonValue } : {}),
          ...(outcome.error
            ? { errorCode: outcome.error.code, errorMessage: outcome.error.message, errorStderr: outcome.error.stderr ?? null }
            : {}),
        },
      });
      if (updated.length === 0) return null;
      const self = finished(updated[0]);
      if (self) finishedOps.push(self);
      if (effects.parent) {
        const p = effects.parent.outcome;
        const parents = await tx.operation.updateManyAndReturn({
          where: { id: effects.parent.id, state: { in: ['QUEUED', 'RUNNING'] } },
          data: {
            state: p.state,
            ...(p.state !== 'RUNNING' ? { finishedAt: new Date(), progress: 100 } : {}),
            ...(p.error ? { errorCode: p.error.code, errorMessage: p.error.message, errorStderr: p.error.stderr ?? null } : {}),
          },
        });
        const parent = parents[0] ? finished(parents[0]) : null;
        if (parent) finishedOps.push(parent);
      }
      if (effects.vm) await this.updateVm(tx, effects.vm);
      for (const f of effects.followUps ?? []) await createOperation(tx, f);
      return toOperationRecord(updated[0]);
    });
    this.announce(finishedOps);
    return record;
  }

  private async updateVm(tx: Prisma.TransactionClient, v: VmEffect): Promise<void> {
    if (v.release) {
      await this.handOverIoCpus(tx, v.id);
      await tx.cpuAllocation.deleteMany({ where: { vmId: v.id } });
      await tx.vfAllocation.deleteMany({ where: { vmId: v.id } });
    }
    await tx.vm.update({
      where: { id: v.id },
      data: {
        ...(v.state ? { state: v.state } : {}),
        ...(v.release ? { holding: false } : {}),
        ...(v.state === 'DELETED' ? { activeName: null, deletedAt: new Date() } : {}),
        ...(v.error !== undefined
          ? { errorCode: v.error?.code ?? null, errorMessage: v.error?.message ?? null, errorStderr: v.error?.stderr ?? null }
          : {}),
      },
    });
  }

  /**
   * A node's I/O CPUs (NIC IRQs, vhost) are shared by every VM using a NIC there; the first
   * VM's rows hold them. When it leaves, they pass to the smallest remaining user's id, the
   * same heir the placement engine picks (docs/placement.md), instead of being freed.
   */
  private async handOverIoCpus(tx: Prisma.TransactionClient, vmId: string): Promise<void> {
    const io = await tx.cpuAllocation.findMany({
      where: { vmId, role: 'IRQ' },
      include: { cpu: { include: { numaNode: { select: { index: true } } } } },
    });
    if (!io.length) return;
    const others = await tx.vm.findMany({
      where: { hostId: io[0].hostId, holding: true, id: { not: vmId } },
      select: { id: true, plan: true },
    });
    for (const row of io) {
      const node = row.cpu.numaNode.index;
      const users = others
        .filter((o) => ((o.plan as { allocation?: { ioNodes?: number[] } } | null)?.allocation?.ioNodes ?? []).includes(node))
        .map((o) => o.id)
        .sort();
      if (users.length) await tx.cpuAllocation.update({ where: { id: row.id }, data: { vmId: users[0] } });
    }
  }

  /** Mark a VM for deletion and queue its teardown; refuses VMs already on their way out. */
  async beginDelete(
    vmId: string,
    op: (vm: VmRecord & { plan: unknown }) => NewOperation | null,
  ): Promise<{ vm: VmRecord; operation: OperationRecord }> {
    const begun = await this.beginDeleteInTx(vmId, op);
    // a VM with nothing on its host is deleted at once: its operation is born finished
    const done = finished(begun.operation);
    if (done) this.announce([done]);
    return begun;
  }

  private beginDeleteInTx(
    vmId: string,
    op: (vm: VmRecord & { plan: unknown }) => NewOperation | null,
  ): Promise<{ vm: VmRecord; operation: OperationRecord }> {
    return this.db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Vm" WHERE id = ${vmId}::uuid FOR UPDATE`;
      if (!rows.length) throw new NotFoundError('vm', vmId);
      const row = await tx.vm.findUniqueOrThrow({ where: { id: vmId }, include: { interfaces: { orderBy: { index: 'asc' } } } });
      if (row.state === 'DELETING' || row.state === 'DELETED')
        throw new ConflictError(`vm ${row.name} is already ${row.state}`, { state: row.state });
      const vm = { ...toVmRecord(row), plan: row.plan };
      const spec = op(vm);
      if (!spec) throw new ConflictError(`vm ${row.name} cannot be deleted now`, { state: row.state });
      const operation = await createOperation(tx, spec);
      const nothingOnHost = spec.state === 'SUCCEEDED';
      if (nothingOnHost) {
        await this.updateVm(tx, { id: vmId, state: 'DELETED', release: true });
      } else {
        await tx.vm.update({ where: { id: vmId }, data: { state: 'DELETING' } });
      }
      const after = await tx.vm.findUniqueOrThrow({ where: { id: vmId }, include: { interfaces: { orderBy: { index: 'asc' } } } });
      return { vm: toVmRecord(after), operation };
    });
  }

  async vmWithPlan(vmId: string): Promise<(VmRecord & { plan: PlacementPlan | null; request: unknown; hostId: string | null }) | null> {
    const row = await this.db.vm.findUnique({ where: { id: vmId }, include: { interfaces: { orderBy: { index: 'asc' } } } });
    return row ? { ...toVmRecord(row), plan: (row.plan ?? null) as unknown as PlacementPlan | null, request: row.request } : null;
  }

  async vmByOperation(operationId: string): Promise<{ idempotencyKey: string | null; requestHash: string | null; vmId: string } | null> {
    const op = await this.db.operation.findUnique({ where: { id: operationId } });
    return op ? { idempotencyKey: op.idempotencyKey, requestHash: op.requestHash, vmId: op.targetId } : null;
  }

  /** Plans of the other VMs still holding resources on a host (teardown must not undo theirs). */
  async holdingPlansOnHost(hostId: string, exceptVmId: string): Promise<PlacementPlan[]> {
    const rows = await this.db.vm.findMany({ where: { hostId, holding: true, id: { not: exceptVmId } }, select: { plan: true } });
    return rows.map((r) => r.plan as unknown as PlacementPlan).filter((p) => p !== null);
  }

  /** Leak and sanity counters used by tests and metrics. */
  async allocationCounts(): Promise<{ cpus: number; vfs: number; holdingVms: number }> {
    const [cpus, vfs, holdingVms] = await Promise.all([
      this.db.cpuAllocation.count(),
      this.db.vfAllocation.count(),
      this.db.vm.count({ where: { holding: true } }),
    ]);
    return { cpus, vfs, holdingVms };
  }
}
