import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { NotFoundError, type PlacementPlan, type PlanInterface, type Rejection, type VmInterfaceRequest } from '@netpin/contracts';
import { nextIoOwner, planDetach, type AttachResult, type PlacementIndex } from '@netpin/placement';
import type { Prisma } from '../generated/prisma/client';
import { parseStored, stored } from '../stored-json';
import type { HostRecord, VmRecord } from '../types';
import { toHostRecord } from './host.repository';
import { createOperation, type NewOperation, type OperationRecord } from './operation.repository';
import type { SnapshotCache } from './snapshot-cache';
import { assignUniqueMacs, type FreshMac } from './unique-macs';
import { toVmRecord, toVmWithRequest } from './vm.repository';

/**
 * NIC hot-plug in the database. An attach reserves in the transaction that records its
 * operation (VM row lock, then the fleet lock, as placeReleasedVm takes them): the interface
 * row, its VF and any new I/O CPUs, the VM's plan and request with the interface. A detach
 * records only its operation; the interface and what it held go when the host gave them
 * back (`removeInterface`, in the transaction that finishes the detach).
 */

/** Operation kinds that change a VM's interfaces; one at a time per VM. */
export const HOTPLUG_KINDS = ['vm.attachInterface', 'vm.detachInterface'] as const;

/** Which interface a hot-plug operation is about, written on its row when it starts. */
export const hotplugTargetSchema = z.object({ index: z.number().int().min(0), mac: z.string() });
export type HotplugTarget = z.output<typeof hotplugTargetSchema>;

export function hotplugTargetOf(op: Pick<OperationRecord, 'id' | 'result'>): HotplugTarget {
  const r = op.result as { target?: unknown } | null;
  return parseStored(hotplugTargetSchema, r?.target, `hot-plug target of operation ${op.id}`);
}

type VmWithRequest = VmRecord & { request: ReturnType<typeof stored.request> };

export interface BeginAttach {
  vmId: string;
  /** Throws when the VM may not change its interfaces now; `open` = its unfinished hot-plug operations. */
  decide: (vm: VmWithRequest, open: number) => void;
  /** The interface placed on the exact fleet, under the fleet lock (read only). */
  place: (index: PlacementIndex, vm: VmWithRequest & { plan: PlacementPlan }) => AttachResult;
  /** Draw n of a generated MAC for the interface when its planned one is taken; null when the caller named it. */
  freshMac: FreshMac;
  /** What the VM's request gains (the MAC is pinned to the planned one). */
  request: VmInterfaceRequest;
  operation: (vm: VmWithRequest, plan: PlacementPlan, iface: PlanInterface, host: HostRecord) => NewOperation;
  /** Inside the transaction before the commit (VF claims); throws to abort. */
  beforeCommit?: (plan: PlacementPlan) => Promise<void>;
}

export type BeginAttachResult =
  | { kind: 'begun'; vm: VmRecord; operation: OperationRecord; plan: PlacementPlan; iface: PlanInterface }
  | { kind: 'rejected'; rejection: Rejection };

async function lockVm(tx: Prisma.TransactionClient, vmId: string): Promise<VmWithRequest> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Vm" WHERE id = ${vmId}::uuid FOR UPDATE`;
  if (!rows.length) throw new NotFoundError('vm', vmId);
  const row = await tx.vm.findUniqueOrThrow({ where: { id: vmId }, include: { interfaces: { orderBy: { index: 'asc' } } } });
  return toVmWithRequest(row);
}

async function openHotplugs(tx: Prisma.TransactionClient, vmId: string): Promise<number> {
  return tx.operation.count({
    where: { targetType: 'vm', targetId: vmId, kind: { in: [...HOTPLUG_KINDS] }, state: { in: ['QUEUED', 'RUNNING'] } },
  });
}

async function readVm(tx: Prisma.TransactionClient, vmId: string): Promise<VmRecord> {
  return toVmRecord(await tx.vm.findUniqueOrThrow({ where: { id: vmId }, include: { interfaces: { orderBy: { index: 'asc' } } } }));
}

/** beginAttach's transaction; `view` is the fleet under the lock. */
export async function beginAttach(tx: Prisma.TransactionClient, cache: SnapshotCache, c: BeginAttach): Promise<BeginAttachResult> {
  const vm = await lockVm(tx, c.vmId);
  c.decide(vm, await openHotplugs(tx, c.vmId));
  if (!vm.plan || !vm.hostId) throw new NotFoundError('plan of vm', c.vmId);
  const view = await cache.locked(tx);
  const placed = c.place(view.index, { ...vm, plan: vm.plan });
  if (!placed.ok) return { kind: 'rejected', rejection: placed.rejection };
  const { plan, iface } = placed;
  // the plan's interface object itself: a MAC drawn again lands in the plan
  await assignUniqueMacs([iface], c.freshMac, async (macs) => {
    const rows = await tx.vmInterface.findMany({ where: { mac: { in: macs }, vm: { state: { not: 'DELETED' } } }, select: { mac: true } });
    return new Set(rows.map((r) => r.mac ?? ''));
  });
  const host = toHostRecord(await tx.host.findUniqueOrThrow({ where: { id: plan.hostId } }));
  await writeInterface(tx, c.vmId, plan, iface);
  const request = { ...vm.request, interfaces: [...vm.request.interfaces, { ...c.request, mac: iface.mac }] };
  await tx.vm.update({ where: { id: c.vmId }, data: { plan, request } });
  await c.beforeCommit?.(plan);
  const operation = await createOperation(tx, c.operation(vm, plan, iface, host));
  return { kind: 'begun', vm: await readVm(tx, c.vmId), operation, plan, iface };
}

/** The interface row and what it takes that the VM did not hold yet: its VF, fresh I/O CPUs. */
async function writeInterface(tx: Prisma.TransactionClient, vmId: string, plan: PlacementPlan, i: PlanInterface): Promise<void> {
  const id = randomUUID();
  await tx.vmInterface.create({
    data: {
      id,
      vmId,
      index: i.index,
      networkId: i.networkId,
      datapath: i.datapath,
      model: i.model,
      mac: i.mac,
      vlan: i.vlan,
      sourceDev: i.vf ? i.vf.pciAddress : i.sourceDevice,
      queues: i.queues,
    },
  });
  if (i.vf && i.nicId) {
    const vf = await tx.vf.findUnique({ where: { nicId_index: { nicId: i.nicId, index: i.vf.index } }, select: { id: true } });
    if (!vf) throw new NotFoundError('vf', `${i.nicName}/${i.vf.index}`);
    await tx.vfAllocation.create({ data: { vfId: vf.id, vmId, interfaceId: id } });
  }
  const held = await tx.cpuAllocation.findMany({ where: { vmId }, select: { cpu: { select: { cpuId: true } } } });
  const have = new Set(held.map((h) => h.cpu.cpuId));
  const fresh = plan.allocation.cpus.filter((x) => x.role === 'IRQ' && !have.has(x.cpu)).map((x) => x.cpu);
  if (fresh.length === 0) return;
  const rows = await tx.cpu.findMany({ where: { hostId: plan.hostId, cpuId: { in: fresh } }, select: { id: true } });
  await tx.cpuAllocation.createMany({ data: rows.map((r) => ({ cpuRowId: r.id, hostId: plan.hostId, vmId, role: 'IRQ' as const })) });
}

/** beginDetach's transaction: the VM row locked, `decide` checks, the operation written. */
export async function beginDetach(
  tx: Prisma.TransactionClient,
  vmId: string,
  decide: (vm: VmWithRequest, open: number) => NewOperation,
): Promise<OperationRecord> {
  const vm = await lockVm(tx, vmId);
  return createOperation(tx, decide(vm, await openHotplugs(tx, vmId)));
}

/**
 * The host gave the interface back (a detach, or the clean-up of a failed attach): its row
 * (and VF allocation), the I/O CPUs no remaining interface needs (to the node's next user,
 * as a release hands them over) and its entries in the plan and request go. Returns what the
 * VM held of it (its VF), or null when the VM has no such interface any more.
 */
export async function removeInterface(tx: Prisma.TransactionClient, vmId: string, index: number): Promise<PlanInterface | null> {
  const vm = await lockVm(tx, vmId);
  if (!vm.plan) return null;
  const k = vm.plan.interfaces.findIndex((i) => i.index === index);
  const next = planDetach(vm.plan, index);
  if (k < 0 || next === null) return null;
  const gone = vm.plan.interfaces[k];
  await tx.vmInterface.deleteMany({ where: { vmId, index } });
  const kept = new Set(next.allocation.cpus.map((c) => c.cpu));
  const dropped = vm.plan.allocation.cpus.filter((c) => c.role === 'IRQ' && !kept.has(c.cpu)).map((c) => c.cpu);
  await handOverIo(tx, vm, dropped);
  const request = { ...vm.request, interfaces: vm.request.interfaces.filter((_, j) => j !== k) };
  await tx.vm.update({ where: { id: vmId }, data: { plan: next, request } });
  return gone;
}

/** I/O CPUs the VM no longer needs: to the node's next user (nextIoOwner), else freed. */
async function handOverIo(tx: Prisma.TransactionClient, vm: VmRecord, cpus: number[]): Promise<void> {
  if (cpus.length === 0 || !vm.hostId) return;
  const rows = await tx.cpuAllocation.findMany({
    where: { vmId: vm.id, role: 'IRQ', cpu: { cpuId: { in: cpus } } },
    include: { cpu: { include: { numaNode: { select: { index: true } } } } },
  });
  const others = await tx.vm.findMany({
    where: { hostId: vm.hostId, holding: true, id: { not: vm.id } },
    select: { id: true, plan: true },
  });
  const ioNodes = others.map((o) => ({ id: o.id, nodes: stored.plan(o.plan, o.id)?.allocation.ioNodes ?? [] }));
  for (const row of rows) {
    const heir = nextIoOwner(ioNodes.filter((o) => o.nodes.includes(row.cpu.numaNode.index)).map((o) => o.id));
    if (heir) await tx.cpuAllocation.update({ where: { id: row.id }, data: { vmId: heir } });
    else await tx.cpuAllocation.delete({ where: { id: row.id } });
  }
}
