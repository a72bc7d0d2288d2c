import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, type PlacementPlan, type VmRequest } from '@netpin/contracts';
import type { PlacementIndex } from '@netpin/placement';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { uniqueConstraintOf } from '../prisma-errors';
import { prismaSql, type SqlReader } from '../sql-reader';
import { stored } from '../stored-json';
import type { HostRecord, VmRecord } from '../types';
import { isUuid, toHostRecord, type HostRow } from './host.repository';
import { rowFromJson } from './json-rows';
import {
  createOperation,
  toOperationRecord,
  type JobSpec,
  type NewOperation,
  type OperationRecord,
  type OperationRow,
} from './operation.repository';
import { finishInOneStatement, finishedParent } from './finish-operation';
import { SnapshotCache, type PlacementView } from './snapshot-cache';
import { assignUniqueMacs, type FreshMac } from './unique-macs';
import { writeAllocations } from './allocation-rows';
import { HostRecords, writePlacedVm, writePlacedVmAt } from './placed-vm-write';
import { beginAttach, beginDetach, removeInterface, type BeginAttach, type BeginAttachResult } from './hotplug.repository';
import {
  applyVmEffect,
  finishedOf,
  outcomeData,
  type FinishedOperation,
  type FinishedOperationListener,
  type OperationOutcome,
  type VmEffect,
} from './vm-effects';
import { toVmRecord, toVmWithRequest, type VmRow } from './vm.repository';

export { assignUniqueMacs } from './unique-macs';
export { writeAllocations } from './allocation-rows';
export { HOTPLUG_KINDS, hotplugTargetOf, type BeginAttach, type BeginAttachResult, type HotplugTarget } from './hotplug.repository';
export type { FinishedOperation, FinishedOperationListener, OperationOutcome, VmEffect } from './vm-effects';
export { finishedParent };

export interface CreatePlacedVm {
  vmId: string;
  name: string;
  request: VmRequest;
  operation: Omit<NewOperation, 'job' | 'targetType' | 'targetId'>;
  /** Place on the exact fleet under the placement lock (read only: do not apply); null when nothing fits any more. */
  place: (index: PlacementIndex) => PlacementPlan | null;
  job: (plan: PlacementPlan, host: HostRecord) => JobSpec;
  /**
   * Draw number n (1, 2, ...) of a generated MAC for interface `index`, when the plan's MAC
   * is already used by a live VM; null when the request named the MAC (a clash is then the
   * caller's CONFLICT).
   */
  freshMac?: FreshMac;
  /** Called with the plan inside the transaction, after the VM's rows are written and before the commit; throws to abort. */
  beforeCommit?: (plan: PlacementPlan) => Promise<void>;
}

export interface PlaceReleasedVm {
  vmId: string;
  /** Throws when the VM may not be started now (state, holding). */
  decide: (vm: VmWithPlan) => void;
  /** The request to place again (its MACs pinned to the VM's own). */
  request: (vm: VmWithPlan) => VmRequest;
  place: (index: PlacementIndex, request: VmRequest) => PlacementPlan | null;
  operation: (plan: PlacementPlan, host: HostRecord, request: VmRequest, vm: VmWithPlan) => NewOperation;
  /** Called with the plan inside the transaction, after the VM's rows are written and before the commit; throws to abort. */
  beforeCommit?: (plan: PlacementPlan) => Promise<void>;
}

export type PlaceReleasedResult =
  | { kind: 'placed'; vm: VmRecord; operation: OperationRecord; plan: PlacementPlan }
  | { kind: 'no-longer-fits' }
  | { kind: 'allocation-conflict'; constraint: string };

export type CreatePlacedResult =
  | { kind: 'created'; vm: VmRecord; operation: OperationRecord; plan: PlacementPlan }
  | { kind: 'no-longer-fits' }
  | { kind: 'allocation-conflict'; constraint: string };

export interface OutcomeEffects {
  vm?: VmEffect;
  /** The host gave this interface of the VM back: it goes from the database (hotplug.repository.ts). */
  removeInterface?: { vmId: string; index: number };
  parent?: { id: string; outcome: OperationOutcome };
  followUps?: NewOperation[];
}

/** createPlacedVmAt's VF claims (the API's VfClaims): only where free, and given back when nothing was written. */
export interface FreeClaims {
  claimFree: (plan: PlacementPlan) => Promise<boolean>;
  release: (plan: PlacementPlan) => Promise<void>;
}

/** createPlacedVmAt's tries while the fleet moves on under it (another process's creates, results). */
const FAST_ATTEMPTS = 3;

/** A VM as the lifecycle service decides on it: its record, plan and request. */
export type VmWithPlan = VmRecord & { request: VmRequest };

/** What deleting a VM writes, as the lifecycle service decided it. */
export interface DeleteDecision {
  operation: NewOperation;
  vm: VmEffect;
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
 *
 * What state a VM moves to is decided by the service that owns the lifecycle
 * (apps/api ProvisioningService); this class only writes it.
 */
export class ProvisioningRepository {
  private readonly finishedListeners = new Set<FinishedOperationListener>();
  private readonly hosts = new HostRecords();

  /**
   * `sql`: a result's read and write through plain pg (see SqlReader); without it, Prisma's raw
   * queries. `placeSql`: createPlacedVmAt's statement (default `sql`).
   */
  constructor(
    private readonly db: Db,
    private readonly cache: SnapshotCache = new SnapshotCache(db),
    private readonly sql: SqlReader = prismaSql(db),
    private readonly placeSql: SqlReader = sql,
  ) {}

  /**
   * The create in one statement, no transaction of the API's: placed on the view this process
   * holds (SnapshotCache.peek) and written by netpin_create_placed_vm_at only if the fleet is
   * still at that view's generation, the lock taken and released inside the statement; when the
   * fleet moved on (another process, a result) or the host row changed, the view catches up
   * (the host is read again) and it tries again. Callers
   * run these one at a time per process (the view is not locked while the statement runs).
   * `claimFree` claims the plan's VFs only where no other VM holds them (false: nothing claimed).
   * What this path does not decide alone (no fit, a pin it does not know, still behind after
   * tries, a VF claimed by another VM, a MAC clash, a missing row) answers
   * `not-here` with nothing written and nothing claimed: createPlacedVm decides it under the
   * lock. Unique names and keys throw ConflictError as createPlacedVm does.
   */
  async createPlacedVmAt(
    c: CreatePlacedVm,
    claims: FreeClaims,
  ): Promise<Extract<CreatePlacedResult, { kind: 'created' }> | { kind: 'not-here' }> {
    for (let attempt = 0; attempt < FAST_ATTEMPTS; attempt++) {
      const view = this.cache.peek() ?? (await this.cache.read());
      const r = await this.placeAt(c, view, claims);
      if (r.kind !== 'stale') return r;
      await this.cache.read();
    }
    return { kind: 'not-here' };
  }

  /** One try of createPlacedVmAt on `view`. */
  private async placeAt(
    c: CreatePlacedVm,
    view: PlacementView,
    claims: FreeClaims,
  ): Promise<Extract<CreatePlacedResult, { kind: 'created' }> | { kind: 'not-here' } | { kind: 'stale' }> {
    const plan = c.place(view.index);
    if (!plan) return { kind: 'not-here' };
    const host = await this.hosts.get(this.db, plan.hostId);
    const interfaceIds = plan.interfaces.map(() => randomUUID());
    const operation = { ...c.operation, targetType: 'vm' as const, targetId: c.vmId, job: c.job(plan, host.record) };
    const w = { vmId: c.vmId, name: c.name, request: c.request, plan, interfaceIds, operation, hostDigest: host.digest };
    if (!(await claims.claimFree(plan))) return { kind: 'not-here' };
    const r = await writePlacedVmAt(this.placeSql, w, view.generation).catch((e: unknown) => {
      // a CPU or VF row taken after all (the view disagreed with the table): the locked path decides
      if (uniqueConstraintOf(e) && !conflictOf(e, c.name)) return { kind: 'missing' as const };
      return claims.release(plan).then(() => {
        throw conflictOf(e, c.name) ?? e;
      });
    });
    if (r.kind === 'written') {
      this.cache.committed(view, plan, r.generation);
      return { kind: 'created', vm: r.vm, operation: r.operation, plan };
    }
    await claims.release(plan);
    // the host row changed since this process read it: read it again and try once more
    if (r.kind === 'host-changed') await this.hosts.read(this.db, plan.hostId);
    return r.kind === 'stale' || r.kind === 'host-changed' ? { kind: 'stale' } : { kind: 'not-here' };
  }

  async createPlacedVm(c: CreatePlacedVm): Promise<CreatePlacedResult> {
    const r = await this.placeAndWrite(c);
    if (r.kind !== 'created') return r;
    // committed: the fleet this process places against next is known without a read
    this.cache.committed(r.view, r.plan, r.generation);
    return { kind: 'created', vm: r.vm, operation: r.operation, plan: r.plan };
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
          const { vm, operation, generation } = await this.writeCreated(tx, c, plan);
          await c.beforeCommit?.(plan);
          return { kind: 'created' as const, vm, operation, plan, view, generation };
        },
        { timeout: 30_000, maxWait: 30_000 },
      );
    } catch (e) {
      const conflict = conflictOf(e, c.name);
      if (conflict) throw conflict;
      const constraint = uniqueConstraintOf(e);
      if (constraint) return { kind: 'allocation-conflict', constraint };
      throw e;
    }
  }

  /** Generated MACs are checked against every live interface under the placement lock (unique-macs.ts). */
  private async uniqueMacs(tx: Prisma.TransactionClient, c: CreatePlacedVm, plan: PlacementPlan): Promise<void> {
    await assignUniqueMacs(plan.interfaces, c.freshMac, async (macs) => {
      const rows = await tx.vmInterface.findMany({
        where: { mac: { in: macs }, vm: { state: { not: 'DELETED' } } },
        select: { mac: true },
      });
      return new Set(rows.map((r) => r.mac ?? ''));
    });
  }

  /**
   * The VM's rows, allocations and operation in one statement (placed-vm-write.ts). A MAC a
   * live VM uses, or a host row changed since this process read it, writes nothing: the MACs
   * are drawn again (or refused) as unique-macs.ts says, or the host read again, and the
   * write repeated. Two interfaces of the VM with one MAC go through unique-macs.ts first.
   */
  private async writeCreated(tx: Prisma.TransactionClient, c: CreatePlacedVm, plan: PlacementPlan) {
    const macs = plan.interfaces.map((i) => i.mac);
    if (new Set(macs).size !== macs.length) await this.uniqueMacs(tx, c, plan);
    let host = await this.hosts.get(tx, plan.hostId);
    const interfaceIds = plan.interfaces.map(() => randomUUID());
    // a host does not change under the lock and a fixed MAC does not clash: at most one of each
    for (let tries = 0; tries < 3; tries++) {
      const operation = { ...c.operation, targetType: 'vm' as const, targetId: c.vmId, job: c.job(plan, host.record) };
      const w = { vmId: c.vmId, name: c.name, request: c.request, plan, interfaceIds, operation, hostDigest: host.digest };
      const r = await writePlacedVm(tx, w);
      if (r.kind === 'written') return r;
      if (r.kind === 'host-changed') host = await this.hosts.read(tx, plan.hostId);
      else await this.uniqueMacs(tx, c, plan);
    }
    throw new Error(`the write of VM ${c.vmId} kept being refused`);
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
   * Apply a job outcome: the operation's state, the VM effect, the parent's outcome and the
   * follow-up jobs, in one transaction. Idempotent: an operation that already finished is
   * left as it is (returns null).
   */
  async finishOperation(operationId: string, outcome: OperationOutcome, effects: OutcomeEffects = {}): Promise<OperationRecord | null> {
    if (!effects.removeInterface && !effects.vm?.release) {
      const r = await finishInOneStatement(this.sql, operationId, outcome, effects);
      this.announce(r.finished);
      return r.record;
    }
    const finishedOps: FinishedOperation[] = [];
    const record = await this.db.$transaction(async (tx) => {
      const updated = await tx.operation.updateManyAndReturn({
        where: { id: operationId, state: { in: ['QUEUED', 'RUNNING'] } },
        data: outcomeData(outcome),
      });
      if (updated.length === 0) return null;
      finishedOps.push(...[finishedOf(updated[0])].filter((f) => f !== null));
      if (effects.parent) {
        const parents = await tx.operation.updateManyAndReturn({
          where: { id: effects.parent.id, state: { in: ['QUEUED', 'RUNNING'] } },
          data: outcomeData({ state: effects.parent.outcome.state, error: effects.parent.outcome.error }),
        });
        finishedOps.push(...parents.map(finishedOf).filter((f) => f !== null));
      }
      if (effects.removeInterface) await removeInterface(tx, effects.removeInterface.vmId, effects.removeInterface.index);
      if (effects.vm) await applyVmEffect(tx, effects.vm);
      for (const f of effects.followUps ?? []) await createOperation(tx, f);
      return toOperationRecord(updated[0]);
    });
    this.announce(finishedOps);
    return record;
  }

  /**
   * Delete a VM: with its row locked, `decide` (the lifecycle service) says which operation
   * to start and what happens to the VM, or throws; both are written in one transaction.
   */
  async beginDelete(vmId: string, decide: (vm: VmWithPlan) => DeleteDecision): Promise<{ vm: VmRecord; operation: OperationRecord }> {
    const begun = await this.db.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Vm" WHERE id = ${vmId}::uuid FOR UPDATE`;
      if (!rows.length) throw new NotFoundError('vm', vmId);
      const row = await tx.vm.findUniqueOrThrow({ where: { id: vmId }, include: { interfaces: { orderBy: { index: 'asc' } } } });
      const d = decide(toVmWithRequest(row));
      const operation = await createOperation(tx, d.operation);
      await applyVmEffect(tx, d.vm);
      const after = await tx.vm.findUniqueOrThrow({ where: { id: vmId }, include: { interfaces: { orderBy: { index: 'asc' } } } });
      return { vm: toVmRecord(after), operation };
    });
    // a VM with nothing on its host is deleted at once: its operation is born finished
    const done = finishedOf(begun.operation);
    if (done) this.announce([done]);
    return begun;
  }

  /**
   * The reaper takes over a stuck operation: it says so (step), the VM gets its new
   * generation (the stuck job is fenced off) and the verify child is written, in one
   * transaction. Null when the operation finished meanwhile.
   */
  async beginReap(operationId: string, step: string, vm: VmEffect, child: NewOperation): Promise<OperationRecord | null> {
    return this.db.$transaction(async (tx) => {
      const touched = await tx.operation.updateMany({
        where: { id: operationId, state: { in: ['QUEUED', 'RUNNING'] } },
        data: { step, state: 'RUNNING' },
      });
      if (touched.count === 0) return null;
      await applyVmEffect(tx, vm);
      return createOperation(tx, child);
    });
  }

  /**
   * Start a power operation on a VM (stop, start, reboot) or delete it: with its row locked,
   * `decide` (the lifecycle service) says which operation to start and what happens to the
   * VM, or throws; both are written in one transaction.
   */
  async beginVmOperation(vmId: string, decide: (vm: VmWithPlan) => DeleteDecision): Promise<{ vm: VmRecord; operation: OperationRecord }> {
    return this.beginDelete(vmId, decide);
  }

  /**
   * Start a VM that gave its resources back (stopped with release): with its row locked and
   * under the fleet lock, `decide` checks the state, `place` places its request again (its
   * MACs kept), and the plan, its CPU and VF allocations, its interfaces' new datapaths, the
   * operation and its job are written in one transaction.
   */
  async placeReleasedVm(c: PlaceReleasedVm): Promise<PlaceReleasedResult> {
    const r = await this.db
      .$transaction(async (tx) => placeReleased(tx, this.cache, c), { timeout: 30_000, maxWait: 30_000 })
      .catch((e: unknown) => {
        const constraint = uniqueConstraintOf(e);
        if (constraint) return { kind: 'allocation-conflict' as const, constraint };
        throw e;
      });
    if (r.kind !== 'placed') return r;
    this.cache.committed(r.view, r.plan, r.generation);
    return { kind: 'placed', vm: r.vm, operation: r.operation, plan: r.plan };
  }

  /** Hot-plug an interface: decide, place on the VM's host, reserve and record the operation in one transaction. */
  async beginAttachInterface(c: BeginAttach): Promise<BeginAttachResult | { kind: 'allocation-conflict'; constraint: string }> {
    return this.db
      .$transaction(async (tx) => beginAttach(tx, this.cache, c), { timeout: 30_000, maxWait: 30_000 })
      .catch((e: unknown) => {
        const constraint = uniqueConstraintOf(e);
        if (constraint) return { kind: 'allocation-conflict' as const, constraint };
        throw e;
      });
  }

  /** Unplug an interface: with the VM row locked, `decide` checks and names the operation; nothing is released yet. */
  async beginDetachInterface(vmId: string, decide: (vm: VmWithPlan, open: number) => NewOperation): Promise<OperationRecord> {
    return this.db.$transaction((tx) => beginDetach(tx, vmId, decide));
  }

  /** One statement: the row and its interfaces by index (json_agg, no timestamps in them). */
  async vmWithPlan(vmId: string): Promise<VmWithPlan | null> {
    return (await this.vmWithHost(vmId, false))?.vm ?? null;
  }

  /**
   * The VM as vmWithPlan reads it and, when `withHost`, its host's record, in one statement
   * (what a job result needs to decide; HostRepository.findById reads the same record).
   */
  async vmWithHost(vmId: string, withHost = true): Promise<{ vm: VmWithPlan; host: HostRecord | null } | null> {
    if (!isUuid(vmId)) return null;
    const [row] = await this.sql.query<VmRow & { host: unknown }>(
      `SELECT v.*, COALESCE((SELECT json_agg(i ORDER BY i."index") FROM "VmInterface" i WHERE i."vmId" = v.id), '[]') AS interfaces,
        CASE WHEN $2::boolean THEN (SELECT to_jsonb(h) FROM "Host" h WHERE h.id = v."hostId") END AS host
      FROM "Vm" v WHERE v.id = $1::uuid`,
      [vmId, withHost],
    );
    if (!row) return null;
    const host = hostFromJson(row.host);
    return { vm: toVmWithRequest(row), host };
  }

  /**
   * A job result's operation (as OperationRepository.getForJob reads it) and, for a VM's
   * operation, the VM and its host as vmWithHost reads them, in one statement: a result costs
   * this read and its write. Null when there is no such operation; `vm` null when the target is
   * not a VM or is gone.
   */
  async forResult(operationId: string): Promise<{ op: OperationRecord; vm: { vm: VmWithPlan; host: HostRecord | null } | null } | null> {
    if (!isUuid(operationId)) return null;
    const [row] = await this.sql.query<OperationRow & { forVm: { vm: object; interfaces: unknown; host: unknown } | null }>(
      `SELECT o.*, CASE WHEN o."targetType" = 'vm' AND o."targetId" ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' THEN (
          SELECT json_build_object('vm', row_to_json(v),
                 'interfaces', COALESCE((SELECT json_agg(i ORDER BY i."index") FROM "VmInterface" i WHERE i."vmId" = v.id), '[]'::json),
                 'host', (SELECT row_to_json(h) FROM "Host" h WHERE h.id = v."hostId"))
          FROM "Vm" v WHERE v.id = o."targetId"::uuid) END AS "forVm"
        FROM "Operation" o WHERE o.id = $1::uuid`,
      [operationId],
    );
    if (!row) return null;
    const { forVm, ...op } = row;
    if (!forVm) return { op: toOperationRecord(op), vm: null };
    const vm = rowFromJson<VmRow>({ ...forVm.vm, interfaces: forVm.interfaces }, ['createdAt', 'updatedAt', 'deletedAt']);
    const host = hostFromJson(forVm.host);
    return { op: toOperationRecord(op), vm: { vm: toVmWithRequest(vm), host } };
  }

  async vmByOperation(operationId: string): Promise<{ idempotencyKey: string | null; requestHash: string | null; vmId: string } | null> {
    const op = await this.db.operation.findUnique({ where: { id: operationId } });
    return op ? { idempotencyKey: op.idempotencyKey, requestHash: op.requestHash, vmId: op.targetId } : null;
  }

  /** Plans of the other VMs still holding resources on a host (teardown must not undo theirs). */
  async holdingPlansOnHost(hostId: string, exceptVmId: string): Promise<PlacementPlan[]> {
    const rows = await this.db.vm.findMany({ where: { hostId, holding: true, id: { not: exceptVmId } }, select: { id: true, plan: true } });
    return rows.map((r) => stored.plan(r.plan, r.id)).filter((p) => p !== null);
  }

  /** Every VM holding resources, with its plan (VF claims are rebuilt from these at boot). */
  async holdingPlans(): Promise<{ id: string; plan: PlacementPlan }[]> {
    const rows = await this.db.vm.findMany({ where: { holding: true }, select: { id: true, plan: true } });
    return rows.flatMap((r) => {
      const plan = stored.plan(r.plan, r.id);
      return plan ? [{ id: r.id, plan }] : [];
    });
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

/** A host row as to_jsonb / row_to_json gave it (its timestamps as text), or null: as HostRepository.findById reads it. */
function hostFromJson(json: unknown): HostRecord | null {
  return json ? toHostRecord(rowFromJson<HostRow>(json, ['lastDiscoveredAt', 'createdAt', 'updatedAt'])) : null;
}

/** A create's unique name or idempotency key already taken, as the caller's CONFLICT; null for anything else. */
function conflictOf(e: unknown, name: string): ConflictError | null {
  const constraint = uniqueConstraintOf(e);
  if (!constraint || !(constraint.includes('activeName') || constraint.includes('idempotencyKey'))) return null;
  return new ConflictError(constraint.includes('activeName') ? `a VM named ${name} exists` : 'idempotency key already used', {
    constraint,
  });
}

type Placed = Extract<PlaceReleasedResult, { kind: 'placed' }> & { view: PlacementView; generation: bigint };

/** placeReleasedVm's transaction: VM row lock, then the fleet lock (the order beginDelete takes them in). */
async function placeReleased(
  tx: Prisma.TransactionClient,
  cache: SnapshotCache,
  c: PlaceReleasedVm,
): Promise<Placed | Exclude<PlaceReleasedResult, { kind: 'placed' }>> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Vm" WHERE id = ${c.vmId}::uuid FOR UPDATE`;
  if (!rows.length) throw new NotFoundError('vm', c.vmId);
  const row = await tx.vm.findUniqueOrThrow({ where: { id: c.vmId }, include: { interfaces: { orderBy: { index: 'asc' } } } });
  const current: VmWithPlan = toVmWithRequest(row);
  c.decide(current);
  const request = c.request(current);
  const view = await cache.locked(tx);
  const plan = c.place(view.index, request);
  if (!plan) return { kind: 'no-longer-fits' };
  const host = toHostRecord(await tx.host.findUniqueOrThrow({ where: { id: plan.hostId } }));
  const ifaceIds: string[] = [];
  // by position: request interface k is the VM's k-th interface (a detach leaves gaps in the
  // indexes; the new plan numbers them 0..n-1 again, ascending, so no two rows ever share one)
  for (const [k, i] of plan.interfaces.entries()) {
    const existing = row.interfaces[k];
    if (!existing) throw new NotFoundError('vmInterface', `${c.vmId}/${i.index}`);
    ifaceIds.push(existing.id);
    await tx.vmInterface.update({
      where: { id: existing.id },
      data: {
        index: i.index,
        datapath: i.datapath,
        model: i.model,
        vlan: i.vlan,
        sourceDev: i.vf ? i.vf.pciAddress : i.sourceDevice,
        queues: i.queues,
      },
    });
  }
  await writeAllocations(tx, c.vmId, plan, ifaceIds);
  await c.beforeCommit?.(plan);
  await tx.vm.update({
    where: { id: c.vmId },
    data: {
      hostId: plan.hostId,
      plan,
      numaNode: plan.numaNodes[0] ?? null,
      holding: true,
      state: 'STARTING',
      errorCode: null,
      errorMessage: null,
      errorStderr: null,
    },
  });
  const operation = await createOperation(tx, c.operation(plan, host, request, current));
  const generation = await cache.generationAfterWrites(tx);
  const after = await tx.vm.findUniqueOrThrow({ where: { id: c.vmId }, include: { interfaces: { orderBy: { index: 'asc' } } } });
  return { kind: 'placed', vm: toVmRecord(after), operation, plan, view, generation };
}
