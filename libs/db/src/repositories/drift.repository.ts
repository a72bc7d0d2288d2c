import type { PlacementPlan, VmRequest } from '@netpin/contracts';
import type { Db } from '../client';
import { stored } from '../stored-json';

export interface DriftEventRecord {
  id: string;
  hostId: string;
  vmId: string | null;
  field: string;
  expected: string;
  actual: string;
  detectedAt: Date;
  repairedAt: Date | null;
  repairOpId: string | null;
}

/** Differences between hosts and what netpin wants there, as verify found them. */
export class DriftRepository {
  constructor(private readonly db: Db) {}

  async record(hostId: string, vmId: string | null, diff: { field: string; expected: string; actual: string }[]): Promise<number> {
    if (!diff.length) return 0;
    const r = await this.db.driftEvent.createMany({
      data: diff.map((d) => ({
        hostId,
        vmId,
        field: d.field.slice(0, 500),
        expected: d.expected.slice(0, 2000),
        actual: d.actual.slice(0, 2000),
      })),
    });
    return r.count;
  }

  async list(filter: { hostId?: string; vmId?: string; open?: boolean; first?: number }): Promise<DriftEventRecord[]> {
    return this.db.driftEvent.findMany({
      where: {
        hostId: filter.hostId,
        vmId: filter.vmId,
        ...(filter.open === undefined ? {} : filter.open ? { repairedAt: null } : { repairedAt: { not: null } }),
      },
      orderBy: [{ detectedAt: 'desc' }, { id: 'asc' }],
      take: filter.first ?? 100,
    });
  }

  async markRepairing(vmId: string, repairOpId: string): Promise<void> {
    await this.db.driftEvent.updateMany({ where: { vmId, repairedAt: null, repairOpId: null }, data: { repairOpId } });
  }

  async markRepaired(repairOpId: string): Promise<void> {
    await this.db.driftEvent.updateMany({ where: { repairOpId, repairedAt: null }, data: { repairedAt: new Date() } });
  }

  /** VMs that hold resources and should be running on a host: the ones drift checks verify. */
  async runningVms(
    hostId: string,
  ): Promise<{ id: string; name: string; generation: number; plan: PlacementPlan | null; request: VmRequest }[]> {
    const rows = await this.db.vm.findMany({
      where: { hostId, holding: true, state: 'RUNNING' },
      select: { id: true, name: true, generation: true, plan: true, request: true },
      orderBy: { name: 'asc' },
    });
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      generation: r.generation,
      plan: stored.plan(r.plan, r.id),
      request: stored.request(r.request, r.id),
    }));
  }
}
