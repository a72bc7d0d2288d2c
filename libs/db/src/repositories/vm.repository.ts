import type { VmState } from '@netpin/contracts';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import type { VmRecord } from '../types';
import { isUuid } from './host.repository';

const include = { interfaces: { orderBy: { index: 'asc' } } } as const;
type VmRow = Prisma.VmGetPayload<{ include: typeof include }>;

export function toVmRecord(r: VmRow): VmRecord {
  return {
    id: r.id,
    name: r.name,
    hostId: r.hostId,
    state: r.state,
    vcpus: r.vcpus,
    memoryMiB: r.memoryMiB,
    numaNode: r.numaNode,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    holding: r.holding,
    plan: r.plan ?? null,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    interfaces: r.interfaces.map((i) => ({
      index: i.index,
      networkId: i.networkId,
      datapath: i.datapath,
      model: i.model,
      mac: i.mac,
      vlan: i.vlan,
      sourceDev: i.sourceDev,
      queues: i.queues,
    })),
  };
}

export class VmRepository {
  constructor(private readonly db: Db) {}

  async list(filter: { hostId?: string; state?: VmState } = {}): Promise<VmRecord[]> {
    const rows = await this.db.vm.findMany({
      where: { hostId: filter.hostId, state: filter.state },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      include,
    });
    return rows.map(toVmRecord);
  }

  async findById(id: string): Promise<VmRecord | null> {
    if (!isUuid(id)) return null;
    const row = await this.db.vm.findUnique({ where: { id }, include });
    return row ? toVmRecord(row) : null;
  }
}
