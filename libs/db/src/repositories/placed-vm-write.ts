import type { PlacementPlan, VmRequest } from '@netpin/contracts';
import type { Prisma } from '../generated/prisma/client';
import type { HostRecord, VmRecord } from '../types';
import { allocationsArg, missingAllocation } from './allocation-rows';
import { toHostRecord } from './host.repository';
import { rowFromJson } from './json-rows';
import { operationArg, operationFromJson, type NewOperation, type OperationRecord } from './operation.repository';
import { toVmRecord } from './vm.repository';
import type { SqlReader } from '../sql-reader';
import { sqlStateOf } from '../prisma-errors';

type Tx = Prisma.TransactionClient;

/** A placed VM's rows as the create writes them (what Prisma's vm.create and createMany wrote before). */
export interface PlacedVm {
  vmId: string;
  name: string;
  request: VmRequest;
  plan: PlacementPlan;
  interfaceIds: string[];
  operation: NewOperation;
  /** md5 of the Host row the operation's job was made from (HostRecords). */
  hostDigest: string;
}

export type PlacedVmWrite =
  | { kind: 'written'; vm: VmRecord; operation: OperationRecord; generation: bigint }
  | { kind: 'host-changed' }
  | { kind: 'clash'; macs: string[] };

function vmRow(w: PlacedVm, at: Date): Record<string, unknown> {
  const { plan } = w;
  return {
    id: w.vmId,
    name: w.name,
    activeName: w.name,
    hostId: plan.hostId,
    state: 'PENDING',
    vcpus: plan.vcpuPins.length,
    memoryMiB: plan.memory.perNode.reduce((s, m) => s + m.mib, 0) || 0,
    numaNode: plan.numaNodes[0] ?? null,
    request: w.request,
    plan,
    holding: true,
    groupId: plan.allocation.group ?? null,
    createdAt: at,
    updatedAt: at,
  };
}

function interfaceRows(w: PlacedVm): Record<string, unknown>[] {
  return w.plan.interfaces.map((i, k) => ({
    id: w.interfaceIds[k],
    vmId: w.vmId,
    index: i.index,
    networkId: i.networkId,
    datapath: i.datapath ?? null,
    model: i.model ?? null,
    mac: i.mac ?? null,
    vlan: i.vlan ?? null,
    sourceDev: (i.vf ? i.vf.pciAddress : i.sourceDevice) ?? null,
    queues: i.queues ?? null,
  }));
}

function placedVmArg(w: PlacedVm): string {
  const at = new Date();
  return JSON.stringify({
    hostDigest: w.hostDigest,
    macs: w.plan.interfaces.map((i) => i.mac),
    vm: vmRow(w, at),
    interfaces: interfaceRows(w),
    allocations: allocationsArg(w.vmId, w.plan, w.interfaceIds),
    operation: operationArg(w.operation, at),
  });
}

/** What netpin_create_placed_vm answered, as PlacedVmWrite (a missing CPU or VF throws). */
function placedVmResult(r: Record<string, unknown>): PlacedVmWrite {
  if (r.hostChanged) return { kind: 'host-changed' };
  if (Array.isArray(r.clash)) return { kind: 'clash', macs: r.clash as string[] };
  const missing = missingAllocation(r);
  if (missing) throw missing;
  const vm = rowFromJson<Record<string, unknown>>(r.vm, ['createdAt', 'updatedAt', 'deletedAt']);
  return {
    kind: 'written',
    vm: toVmRecord({ ...vm, interfaces: r.interfaces } as Parameters<typeof toVmRecord>[0]),
    operation: operationFromJson(r.operation),
    generation: BigInt(r.generation as string),
  };
}

/**
 * Write a placed VM in one statement (netpin_create_placed_vm, migration 20261205043000): its
 * row, interfaces, CPU and VF allocations, operation and outbox row, after checking its MACs
 * against live VMs (unique-macs.ts) and that the host row is still the one the job was made
 * from. Nothing is written when either check fails: the caller fixes the plan or re-reads the
 * host and writes again. Run under the placement lock.
 */
export async function writePlacedVm(tx: Tx, w: PlacedVm): Promise<PlacedVmWrite> {
  const arg = placedVmArg(w);
  const rows = await tx.$queryRaw<{ r: Record<string, unknown> }[]>`SELECT netpin_create_placed_vm(${arg}::jsonb) AS r`;
  return placedVmResult(rows[0]?.r ?? {});
}

/** netpin_create_placed_vm_at raised this when a CPU or VF of the plan does not exist (nothing was written). */
const MISSING_AT = 'NP001';

/**
 * The same write as one autocommitted statement that takes the placement lock itself
 * (netpin_create_placed_vm_at, migration 20261205110000): written only when the fleet is still
 * at `generation`, the one the plan was made on; `stale` (nothing written) when it moved on,
 * and `missing` when a CPU or VF of the plan is gone (rolled back; the locked path says which).
 */
export async function writePlacedVmAt(
  sql: SqlReader,
  w: PlacedVm,
  generation: bigint,
): Promise<PlacedVmWrite | { kind: 'stale' } | { kind: 'missing' }> {
  const rows = await sql
    .query<{ r: Record<string, unknown> }>('SELECT netpin_create_placed_vm_at($1::jsonb, $2::bigint) AS r', [
      placedVmArg(w),
      generation.toString(),
    ])
    .catch((e: unknown) => {
      if (sqlStateOf(e) === MISSING_AT) return null;
      throw e;
    });
  if (!rows) return { kind: 'missing' };
  const r = rows[0]?.r ?? {};
  if (r.stale !== undefined) return { kind: 'stale' };
  return placedVmResult(r);
}

/**
 * Host records a create makes its job from, kept between creates: each write checks (in
 * the same statement) that the row's md5 is still the one read, so a changed host is read
 * again rather than used stale. Read under the placement lock: a Host UPDATE's trigger
 * waits for that lock, so the record and its digest are of one version of the row.
 */
export class HostRecords {
  private readonly known = new Map<string, { record: HostRecord; digest: string }>();

  async get(tx: Tx, hostId: string): Promise<{ record: HostRecord; digest: string }> {
    return this.known.get(hostId) ?? this.read(tx, hostId);
  }

  async read(tx: Tx, hostId: string): Promise<{ record: HostRecord; digest: string }> {
    const record = toHostRecord(await tx.host.findUniqueOrThrow({ where: { id: hostId } }));
    const rows = await tx.$queryRaw<{ digest: string }[]>`SELECT md5(h::text) AS digest FROM "Host" h WHERE h.id = ${hostId}::uuid`;
    const entry = { record, digest: rows[0]?.digest ?? '' };
    this.known.set(hostId, entry);
    return entry;
  }
}
