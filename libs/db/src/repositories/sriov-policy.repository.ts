import {
  NotFoundError,
  VF_CLEAN_DEFAULTS,
  type CreateSriovPolicyInput,
  type OperationState,
  type SriovPolicySpec,
  type SriovTargetState,
  type UpdateSriovPolicyInput,
} from '@netpin/contracts';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { mapPrismaError } from '../prisma-errors';
import { stored } from '../stored-json';
import type { HostRecord } from '../types';
import { toHostRecord } from './host.repository';
import { createOperation, type NewOperation, type OperationRecord } from './operation.repository';
import type { SriovPfView } from '@netpin/placement';

type Tx = Prisma.TransactionClient;
type PolicyRow = Prisma.SriovPolicyGetPayload<object>;

export interface SriovPolicyRecord extends SriovPolicySpec {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface SriovTargetRecord {
  id: string;
  policyId: string;
  nicId: string;
  nicName: string;
  hostId: string;
  hostName: string;
  state: SriovTargetState;
  reason: string | null;
  blockedBy: string[];
  operationId: string | null;
  updatedAt: Date;
}

/** What reconcile reads, under the placement lock. */
export interface SriovReconcileInput {
  policies: SriovPolicyRecord[];
  hosts: SriovReconcileHost[];
  targets: SriovTargetRecord[];
  /** Operations the targets point at, by id. */
  operations: Map<string, SriovTargetOperation>;
  /** Hosts with a host.configureSriov or host.discover queued or running: operation id. */
  busyHosts: Map<string, string>;
}

export interface SriovReconcileHost {
  host: HostRecord;
  /** The PFs as the pure resolver reads them (libs/placement). */
  pfs: SriovPfView[];
}

export interface SriovTargetOperation {
  id: string;
  state: OperationState;
  errorMessage: string | null;
  result: unknown;
  /** The host.discover the operation was followed by: null when none was written. */
  rediscovery: OperationState | null;
}

export interface SriovTargetWrite {
  policyId: string;
  nicId: string;
  hostId: string;
  state: SriovTargetState;
  reason: string | null;
  blockedBy: string[];
  operationId: string | null;
}

export interface SriovReconcileWrites {
  targets: SriovTargetWrite[];
  operations: NewOperation[];
}

function toPolicyRecord(r: PolicyRow): SriovPolicyRecord {
  return {
    id: r.id,
    name: r.name,
    priority: r.priority,
    hostNamePattern: r.hostNamePattern,
    hostLabels: stored.labels(r.hostLabels, `SR-IOV policy ${r.name}`),
    pfNamePattern: r.pfNamePattern,
    driver: r.driver,
    vendorId: r.vendorId,
    deviceId: r.deviceId,
    numVfs: r.numVfs,
    spoofchk: r.spoofchk,
    trust: r.trust,
    linkState: r.linkState as SriovPolicySpec['linkState'],
    maxTxRateMbps: r.maxTxRateMbps,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

const IN_FLIGHT: OperationState[] = ['QUEUED', 'RUNNING'];

/**
 * SR-IOV policies and their per-PF targets. `reconcile` reads the inventory and writes the
 * decisions in ONE transaction holding the PlacementState row lock, the lock placement holds
 * while it allocates VFs: a PF judged free cannot gain a VF allocation before the
 * host.configureSriov job that relies on it is written, and two API processes never queue
 * two jobs for one host.
 */
export class SriovPolicyRepository {
  constructor(private readonly db: Db) {}

  async list(): Promise<SriovPolicyRecord[]> {
    const rows = await this.db.sriovPolicy.findMany({ orderBy: [{ priority: 'desc' }, { name: 'asc' }] });
    return rows.map(toPolicyRecord);
  }

  async get(name: string): Promise<SriovPolicyRecord> {
    const row = await this.db.sriovPolicy.findUnique({ where: { name } });
    if (!row) throw new NotFoundError('sriovPolicy', name);
    return toPolicyRecord(row);
  }

  async create(input: CreateSriovPolicyInput): Promise<SriovPolicyRecord> {
    try {
      return toPolicyRecord(await this.db.sriovPolicy.create({ data: input }));
    } catch (e) {
      mapPrismaError(e, 'sriovPolicy', input.name);
    }
  }

  async update(name: string, input: UpdateSriovPolicyInput): Promise<SriovPolicyRecord> {
    try {
      return toPolicyRecord(await this.db.sriovPolicy.update({ where: { name }, data: input }));
    } catch (e) {
      mapPrismaError(e, 'sriovPolicy', name);
    }
  }

  /** Deleting a policy leaves the PFs as they are; only its targets go. */
  async delete(name: string): Promise<SriovPolicyRecord> {
    try {
      return toPolicyRecord(await this.db.sriovPolicy.delete({ where: { name } }));
    } catch (e) {
      mapPrismaError(e, 'sriovPolicy', name);
    }
  }

  /**
   * A succeeded teardown put these VFs back to VF_CLEAN_DEFAULTS (and read them back): record
   * that, so reconcile sees that a freed VF no longer has its policy's attributes without
   * waiting for a rediscovery. VFs allocated again meanwhile are left alone.
   */
  async markVfsClean(vfs: readonly { nicId: string; index: number }[]): Promise<number> {
    let n = 0;
    const d = VF_CLEAN_DEFAULTS;
    for (const v of vfs) {
      const r = await this.db.vf.updateMany({
        where: { nicId: v.nicId, index: v.index, allocation: { is: null } },
        data: {
          mac: d.mac,
          vlan: d.vlan,
          qos: 0,
          spoofchk: d.spoofchk,
          trust: d.trust,
          maxTxRateMbps: d.maxTxRateMbps,
          minTxRateMbps: d.minTxRateMbps,
        },
      });
      n += r.count;
    }
    return n;
  }

  /** Targets of the given policies (all when omitted), by policy id, ordered by host then NIC. */
  async targets(policyIds?: readonly string[]): Promise<Map<string, SriovTargetRecord[]>> {
    const rows = await this.targetRows(this.db, policyIds);
    const out = new Map<string, SriovTargetRecord[]>((policyIds ?? []).map((id) => [id, []]));
    for (const t of rows) out.set(t.policyId, [...(out.get(t.policyId) ?? []), t]);
    return out;
  }

  private async targetRows(client: Db | Tx, policyIds?: readonly string[], hostIds?: readonly string[]): Promise<SriovTargetRecord[]> {
    const rows = await client.sriovPolicyTarget.findMany({
      where: {
        ...(policyIds ? { policyId: { in: [...policyIds] } } : {}),
        ...(hostIds ? { hostId: { in: [...hostIds] } } : {}),
      },
      include: { nic: { select: { name: true, host: { select: { name: true } } } } },
    });
    return rows
      .map((t) => ({
        id: t.id,
        policyId: t.policyId,
        nicId: t.nicId,
        nicName: t.nic.name,
        hostId: t.hostId,
        hostName: t.nic.host.name,
        state: t.state,
        reason: t.reason,
        blockedBy: t.blockedBy,
        operationId: t.operationId,
        updatedAt: t.updatedAt,
      }))
      .sort((a, b) => a.hostName.localeCompare(b.hostName) || a.nicName.localeCompare(b.nicName));
  }

  /**
   * Read everything reconcile needs under the placement lock, let `decide` (no I/O) say what
   * to write, and write it: targets upserted (only when something changed, so a target's
   * updatedAt is when its state last changed), targets no longer wanted deleted, and the
   * operations with their outbox rows. With `hostIds`, only those hosts: their PFs, their
   * targets (only theirs are written or deleted) and their operations; decisions are per host.
   */
  async reconcile(decide: (input: SriovReconcileInput) => SriovReconcileWrites, hostIds?: readonly string[]): Promise<OperationRecord[]> {
    // no policy and no target left: nothing to decide, and no reason to take the placement lock
    if ((await this.db.sriovPolicy.count()) === 0 && (await this.db.sriovPolicyTarget.count()) === 0) return [];
    return this.db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT "generation" FROM "PlacementState" WHERE "id" = 1 FOR UPDATE`;
        const policies = (await tx.sriovPolicy.findMany()).map(toPolicyRecord);
        const targets = await this.targetRows(tx, undefined, hostIds);
        const input: SriovReconcileInput = { policies, hosts: [], targets, operations: new Map(), busyHosts: new Map() };
        if (policies.length > 0) {
          input.hosts = await this.hostViews(tx, hostIds);
          input.operations = await this.targetOperations(tx, targets);
          const busy = await tx.operation.findMany({
            where: {
              targetType: 'host',
              kind: { in: ['host.configureSriov', 'host.discover'] },
              state: { in: IN_FLIGHT },
              ...(hostIds ? { targetId: { in: [...hostIds] } } : {}),
            },
            select: { id: true, targetId: true },
            orderBy: { createdAt: 'asc' },
          });
          for (const b of busy) if (!input.busyHosts.has(b.targetId)) input.busyHosts.set(b.targetId, b.id);
        }
        const writes = decide(input);
        await this.writeTargets(tx, targets, writes.targets);
        const created: OperationRecord[] = [];
        for (const op of writes.operations) created.push(await createOperation(tx, op));
        return created;
      },
      { timeout: 60_000, maxWait: 30_000 },
    );
  }

  private async hostViews(tx: Tx, hostIds?: readonly string[]): Promise<SriovReconcileHost[]> {
    const hosts = await tx.host.findMany({
      where: hostIds ? { id: { in: [...hostIds] } } : {},
      orderBy: { name: 'asc' },
      include: {
        nics: {
          where: { sriovTotalVfs: { gt: 0 } },
          orderBy: { name: 'asc' },
          include: { vfs: { orderBy: { index: 'asc' }, include: { allocation: { select: { vm: { select: { name: true } } } } } } },
        },
      },
    });
    return hosts.map((h) => ({
      host: toHostRecord(h),
      pfs: h.nics.map((n) => ({
        id: n.id,
        name: n.name,
        driver: n.driver,
        vendorId: n.vendorId,
        deviceId: n.deviceId,
        totalVfs: n.sriovTotalVfs,
        numVfs: n.sriovNumVfs,
        speedMbps: n.speedMbps,
        mtu: n.mtu,
        maxMtu: n.maxMtu,
        vfs: n.vfs.map((v) => ({
          index: v.index,
          spoofchk: v.spoofchk,
          trust: v.trust,
          linkState: v.linkState,
          maxTxRateMbps: v.maxTxRateMbps,
          heldBy: v.allocation?.vm.name ?? null,
        })),
      })),
    }));
  }

  private async targetOperations(tx: Tx, targets: SriovTargetRecord[]): Promise<Map<string, SriovTargetOperation>> {
    const ids = [...new Set(targets.map((t) => t.operationId).filter((id): id is string => id !== null))];
    if (ids.length === 0) return new Map();
    const ops = await tx.operation.findMany({
      where: { id: { in: ids } },
      select: { id: true, state: true, errorMessage: true, result: true },
    });
    const follow = await tx.operation.findMany({
      where: { parentId: { in: ids }, kind: 'host.discover' },
      select: { parentId: true, state: true },
    });
    const rediscovery = new Map(follow.map((f) => [f.parentId as string, f.state]));
    return new Map(
      ops.map((o) => [
        o.id,
        { id: o.id, state: o.state, errorMessage: o.errorMessage, result: o.result ?? null, rediscovery: rediscovery.get(o.id) ?? null },
      ]),
    );
  }

  private async writeTargets(tx: Tx, existing: SriovTargetRecord[], wanted: SriovTargetWrite[]): Promise<void> {
    const key = (t: { policyId: string; nicId: string }) => `${t.policyId}/${t.nicId}`;
    const have = new Map(existing.map((t) => [key(t), t]));
    const keep = new Set<string>();
    for (const w of wanted) {
      keep.add(key(w));
      const cur = have.get(key(w));
      const data = { hostId: w.hostId, state: w.state, reason: w.reason, blockedBy: w.blockedBy, operationId: w.operationId };
      if (!cur) await tx.sriovPolicyTarget.create({ data: { policyId: w.policyId, nicId: w.nicId, ...data } });
      else if (
        cur.state !== w.state ||
        cur.reason !== w.reason ||
        cur.operationId !== w.operationId ||
        cur.blockedBy.join('\n') !== w.blockedBy.join('\n')
      ) {
        await tx.sriovPolicyTarget.update({ where: { id: cur.id }, data });
      }
    }
    const gone = existing.filter((t) => !keep.has(key(t))).map((t) => t.id);
    if (gone.length) await tx.sriovPolicyTarget.deleteMany({ where: { id: { in: gone } } });
  }
}
