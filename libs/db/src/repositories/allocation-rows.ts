import { NotFoundError, type PlacementPlan } from '@netpin/contracts';
import type { Prisma } from '../generated/prisma/client';

/** What netpin_write_allocations (migration 20261205043000) takes: a plan's CPUs and VFs, for the VM and its interfaces. */
export interface AllocationsArg {
  vmId: string;
  hostId: string;
  cpus: { cpu: number; role: string }[];
  vfs: { nicId: string; index: number; interfaceId: string; label: string }[];
}

/** The CPU and VF allocation rows of a plan, for the VM and its interfaces (by plan order). */
export function allocationsArg(vmId: string, plan: PlacementPlan, ifaceIds: string[]): AllocationsArg {
  const vfs: AllocationsArg['vfs'] = [];
  for (const [k, i] of plan.interfaces.entries()) {
    if (!i.vf || !i.nicId) continue;
    vfs.push({ nicId: i.nicId, index: i.vf.index, interfaceId: ifaceIds[k], label: `${i.nicName}/${i.vf.index}` });
  }
  return { vmId, hostId: plan.hostId, cpus: plan.allocation.cpus.map((x) => ({ cpu: x.cpu, role: x.role })), vfs };
}

/** What netpin_write_allocations answers when a CPU or VF of the plan does not exist (nothing written). */
export function missingAllocation(r: unknown): NotFoundError | null {
  const m = r as { missing?: string; key?: string } | null;
  return m?.missing ? new NotFoundError(m.missing, m.key ?? '') : null;
}

/** The CPU and VF allocation rows of a plan, in one statement; NOT_FOUND when a CPU or VF does not exist. */
export async function writeAllocations(tx: Prisma.TransactionClient, vmId: string, plan: PlacementPlan, ifaceIds: string[]): Promise<void> {
  const arg = JSON.stringify(allocationsArg(vmId, plan, ifaceIds));
  const rows = await tx.$queryRaw<{ r: unknown }[]>`SELECT netpin_write_allocations(${arg}::jsonb) AS r`;
  const missing = missingAllocation(rows[0]?.r);
  if (missing) throw missing;
}
