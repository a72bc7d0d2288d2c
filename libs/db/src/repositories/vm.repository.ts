import { BadUserInputError, type PageArgs, type VmFilter, type VmRequest } from '@netpin/contracts';
import type { Db } from '../client';
import { decodeTimeIdCursor, encodeTimeIdCursor } from '../cursor';
import type { Prisma } from '../generated/prisma/client';
import type { ListOptions, Page, VmRecord } from '../types';
import { isUuid } from './host.repository';
import { stored } from '../stored-json';

const include = { interfaces: { orderBy: { index: 'asc' } } } as const;
export type VmRow = Prisma.VmGetPayload<{ include: typeof include }>;

/** The row with its stored request parsed: the VM as the lifecycle decides on it (VmWithPlan). */
export function toVmWithRequest(r: VmRow): VmRecord & { request: VmRequest } {
  return { ...toVmRecord(r), request: stored.request(r.request, r.id) };
}

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
    generation: r.generation,
    plan: stored.plan(r.plan, r.id),
    groupId: r.groupId,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    interfaces: r.interfaces.map((i) => ({
      id: i.id,
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

  /** Oldest first, cursor-paginated; DELETED VMs only when the filter names that state or includeDeleted. */
  async list(filter: VmFilter, page: PageArgs, opts: ListOptions = {}): Promise<Page<VmRecord>> {
    const where: Prisma.VmWhereInput = {
      hostId: filter.hostId ?? undefined,
      host: filter.hostName ? { name: filter.hostName } : undefined,
      name: filter.name ?? undefined,
      state: filter.state ?? (filter.includeDeleted ? undefined : { not: 'DELETED' }),
    };
    const after = page.after ? decodeTimeIdCursor(page.after) : null;
    if (page.after && !after) throw BadUserInputError.of('after', 'cursor is not one this API issued');
    const [rows, totalCount] = await Promise.all([
      this.db.vm.findMany({
        where: after ? { AND: [where, { OR: [{ createdAt: { gt: after.at } }, { createdAt: after.at, id: { gt: after.id } }] }] } : where,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: page.first + 1,
        include,
      }),
      opts.count === false ? null : this.db.vm.count({ where }),
    ]);
    const items = rows.slice(0, page.first).map(toVmRecord);
    const last = items[items.length - 1];
    return {
      items,
      hasNextPage: rows.length > page.first,
      totalCount,
      endCursor: last ? encodeTimeIdCursor({ at: last.createdAt, id: last.id }) : null,
    };
  }

  async findById(id: string): Promise<VmRecord | null> {
    if (!isUuid(id)) return null;
    const row = await this.db.vm.findUnique({ where: { id }, include });
    return row ? toVmRecord(row) : null;
  }
}
