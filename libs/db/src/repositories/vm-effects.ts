import type { OperationState, OperationStep, VmState } from '@netpin/contracts';
import { nextIoOwner } from '@netpin/placement';
import { Prisma } from '../generated/prisma/client';
import { stored } from '../stored-json';

/** Everything a finished job may change, applied in one transaction. */
export interface OperationOutcome {
  state: Extract<OperationState, 'SUCCEEDED' | 'FAILED'> | 'RUNNING';
  steps?: OperationStep[];
  result?: Prisma.InputJsonValue | null;
  error?: { code: string; message: string; stderr?: string | null };
}

/** A write to a VM row decided by the service that owns the VM's lifecycle. */
export interface VmEffect {
  id: string;
  state?: VmState;
  error?: OperationOutcome['error'] | null;
  /** Give back every CPU, VF, memory and hugepage the VM holds. */
  release?: boolean;
  /** The VM's new generation (a teardown's): host jobs made for an older one become stale. */
  generation?: number;
  /** With release: the VM is on no host any more (stopped with release): no host, plan or NUMA node. */
  clearHost?: boolean;
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

export function finishedOf(r: {
  id: string;
  kind: string;
  state: string;
  createdAt: Date;
  finishedAt: Date | null;
}): FinishedOperation | null {
  return r.state === 'SUCCEEDED' || r.state === 'FAILED'
    ? { id: r.id, kind: r.kind, state: r.state, createdAt: r.createdAt, finishedAt: r.finishedAt ?? new Date() }
    : null;
}

/** The columns an outcome sets on its operation row. */
export function outcomeData(outcome: OperationOutcome, at = new Date()): Prisma.OperationUpdateManyMutationInput {
  const done = outcome.state !== 'RUNNING';
  return {
    state: outcome.state,
    ...(done ? { finishedAt: at, progress: 100 } : {}),
    ...(outcome.steps ? { steps: outcome.steps } : {}),
    ...(outcome.result !== undefined ? { result: outcome.result ?? undefined } : {}),
    ...(outcome.error
      ? { errorCode: outcome.error.code, errorMessage: outcome.error.message, errorStderr: outcome.error.stderr ?? null }
      : {}),
  };
}

/** Write a VM effect: its state and error, and, when it releases, every allocation row it holds. */
export async function applyVmEffect(tx: Prisma.TransactionClient, v: VmEffect): Promise<void> {
  if (v.release) {
    await handOverIoCpus(tx, v.id);
    await tx.cpuAllocation.deleteMany({ where: { vmId: v.id } });
    await tx.vfAllocation.deleteMany({ where: { vmId: v.id } });
    // a migration that never ended (its rollback failed) held a target too: released with the rest
    await tx.vmMigration.updateMany({
      where: { vmId: v.id, active: true },
      data: { active: false, outcome: 'ABORTED', finishedAt: new Date() },
    });
  }
  await tx.vm.update({
    where: { id: v.id },
    data: {
      ...(v.state ? { state: v.state } : {}),
      ...(v.generation !== undefined ? { generation: v.generation } : {}),
      ...(v.release ? { holding: false } : {}),
      ...(v.release && v.clearHost ? { hostId: null, plan: Prisma.DbNull, numaNode: null } : {}),
      // one live VM (and libvirt domain) per name: a deleted VM gives its name back
      ...(v.state === 'DELETED' ? { activeName: null, deletedAt: new Date() } : {}),
      ...(v.error !== undefined
        ? { errorCode: v.error?.code ?? null, errorMessage: v.error?.message ?? null, errorStderr: v.error?.stderr ?? null }
        : {}),
    },
  });
}

/**
 * A node's I/O CPUs (NIC IRQs, vhost) are shared by every VM using a NIC there; the first
 * VM's rows hold them. When it leaves, they pass to the heir the placement engine picks
 * (`nextIoOwner` of the remaining users of the node) instead of being freed.
 */
export async function handOverIoCpus(
  tx: Prisma.TransactionClient,
  vmId: string,
  /** Only the rows of one side of a migration (null: the VM's own; an id: that migration's target reservation). */
  scope: { migrationId?: string | null } = {},
): Promise<void> {
  const io = await tx.cpuAllocation.findMany({
    where: { vmId, role: 'IRQ', ...scope },
    include: { cpu: { include: { numaNode: { select: { index: true } } } } },
  });
  if (!io.length) return;
  const others = await tx.vm.findMany({
    where: { hostId: { in: [...new Set(io.map((r) => r.hostId))] }, holding: true, id: { not: vmId } },
    select: { id: true, hostId: true, plan: true },
  });
  const ioNodes = others.map((o) => ({ id: o.id, hostId: o.hostId, nodes: stored.plan(o.plan, o.id)?.allocation.ioNodes ?? [] }));
  for (const row of io) {
    const node = row.cpu.numaNode.index;
    const heir = nextIoOwner(ioNodes.filter((o) => o.hostId === row.hostId && o.nodes.includes(node)).map((o) => o.id));
    if (heir) await tx.cpuAllocation.update({ where: { id: row.id }, data: { vmId: heir } });
  }
}
