import { ConflictError, NotFoundError, type GroupSpec } from '@netpin/contracts';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { mapPrismaError } from '../prisma-errors';
import type { GroupRecord } from '../types';
import { isUuid } from './host.repository';

type GroupRow = Prisma.VmGroupGetPayload<object>;

/** VMs that count as members: every one not DELETED (a stopped VM that gave its resources back still belongs). */
const live = { state: { not: 'DELETED' } } as const;

function toGroupRecord(r: GroupRow, members: number): GroupRecord {
  return {
    id: r.id,
    name: r.name,
    policy: r.policy,
    enforcement: r.enforcement,
    maxPerHost: r.maxPerHost,
    members,
    createdAt: r.createdAt,
  };
}

/** Affinity groups (docs/placement.md, "Affinity groups"). */
export class GroupRepository {
  constructor(private readonly db: Db) {}

  async create(input: GroupSpec): Promise<GroupRecord> {
    try {
      const row = await this.db.vmGroup.create({ data: input });
      return toGroupRecord(row, 0);
    } catch (e) {
      mapPrismaError(e, 'group', input.name);
    }
  }

  async list(): Promise<GroupRecord[]> {
    const [rows, counts] = await Promise.all([
      this.db.vmGroup.findMany({ orderBy: { name: 'asc' } }),
      this.db.vm.groupBy({ by: ['groupId'], where: { groupId: { not: null }, ...live }, _count: { _all: true } }),
    ]);
    const n = new Map(counts.map((c) => [c.groupId, c._count._all]));
    return rows.map((r) => toGroupRecord(r, n.get(r.id) ?? 0));
  }

  /** By id or name. */
  async get(ref: string): Promise<GroupRecord> {
    const row = await this.db.vmGroup.findUnique({ where: isUuid(ref) ? { id: ref } : { name: ref } });
    if (!row) throw new NotFoundError('group', ref);
    return toGroupRecord(row, await this.db.vm.count({ where: { groupId: row.id, ...live } }));
  }

  /**
   * Refused (CONFLICT, details.members) while a VM that is not DELETED belongs to it. The
   * placement lock is taken first: a create placing into the group holds it until its VM row
   * is committed, so the count cannot miss a member being created.
   */
  async remove(ref: string): Promise<GroupRecord> {
    return this.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM "PlacementState" WHERE "id" = 1 FOR UPDATE`;
      const row = await tx.vmGroup.findUnique({ where: isUuid(ref) ? { id: ref } : { name: ref } });
      if (!row) throw new NotFoundError('group', ref);
      const members = await tx.vm.count({ where: { groupId: row.id, ...live } });
      if (members > 0) {
        throw new ConflictError(`group ${row.name} has ${members} member VM(s): delete them first`, {
          reason: 'GROUP_HAS_MEMBERS',
          members,
        });
      }
      await tx.vmGroup.delete({ where: { id: row.id } });
      return toGroupRecord(row, 0);
    });
  }
}
