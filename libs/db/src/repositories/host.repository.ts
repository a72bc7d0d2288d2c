import {
  BadUserInputError,
  ConflictError,
  guestCpuSchema,
  NotFoundError,
  type HostFilter,
  type PageArgs,
  type RegisterHostInput,
  type UpdateHostInput,
  type HostState,
} from '@netpin/contracts';
import type { Db } from '../client';
import { prismaSql, type SqlReader } from '../sql-reader';
import { decodeCursor, encodeCursor } from '../cursor';
import type { Prisma } from '../generated/prisma/client';
import { mapPrismaError } from '../prisma-errors';
import type { HostRecord, ListOptions, NicRecord, NumaNodeRecord, Page } from '../types';
import { stored } from '../stored-json';

export type HostRow = Prisma.HostGetPayload<object>;

export function toHostRecord(r: HostRow): HostRecord {
  return {
    id: r.id,
    name: r.name,
    address: r.address,
    port: r.port,
    sshUser: r.sshUser,
    credentialRef: r.credentialRef,
    hostKeyFingerprint: r.hostKeyFingerprint,
    trustOnFirstUse: r.trustOnFirstUse,
    state: r.state,
    stateReason: r.stateReason,
    labels: stored.labels(r.labels, `host ${r.name}`),
    virtType: r.virtType,
    guestCpu: guestCpuSchema.parse(r.guestCpu),
    capabilities: {
      vmx: r.capVmx,
      svm: r.capSvm,
      ept: r.capEpt,
      npt: r.capNpt,
      iommu: r.capIommu,
      kvm: r.capKvm,
      vhostNet: r.capVhostNet,
      ovs: r.capOvs,
      ovsDpdk: r.capOvsDpdk,
      vhostVdpa: r.capVhostVdpa,
    },
    bridges: stored.bridges(r.bridges, r.name),
    foreignDomains: stored.foreignDomains(r.foreignDomains, r.name),
    pmdCpus: r.pmdCpus,
    lastDiscoveredAt: r.lastDiscoveredAt,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** VMs in these states may have something on their host; a STOPPED one only while it holds its allocations. */
const ACTIVE_VM_STATES = [
  'PENDING',
  'PROVISIONING',
  'RUNNING',
  'STOPPING',
  'STARTING',
  'REBOOTING',
  'MIGRATING',
  'FAILED',
  'DELETING',
] as const;

/** One page of hosts in name order, as HostRepository.list asks Prisma for it, in one statement (and one for the count). */
const LIST_WHERE = `
  ($1::text IS NULL OR h.state = $1::"HostState")
  AND ($2::boolean IS NULL OR $2 = EXISTS (SELECT 1 FROM "Nic" n WHERE n."hostId" = h.id AND n."sriovTotalVfs" > 0))
  AND ($3::text IS NULL OR EXISTS (
    SELECT 1 FROM "NetworkNic" nn JOIN "Network" w ON w.id = nn."networkId" WHERE nn."hostId" = h.id AND w.name = $3))`;

/**
 * registerHost's row as Prisma wrote it, defaults made explicit: `createdAt` and `updatedAt` are
 * the same instant, given as UTC (TIMESTAMP(3) columns hold UTC whatever the session's zone).
 */
const INSERT_HOST = `
  INSERT INTO "Host" (id, name, address, port, "sshUser", "credentialRef", "hostKeyFingerprint", "trustOnFirstUse",
                      labels, "virtType", "guestCpu", "createdAt", "updatedAt")
  VALUES (gen_random_uuid(), $1, $2, $3::int, $4, $5, $6, $7::boolean, $8::jsonb, $9::"VirtType", $10::jsonb,
          $11::timestamptz AT TIME ZONE 'UTC', $11::timestamptz AT TIME ZONE 'UTC')
  RETURNING *`;

export class HostRepository {
  /** The request path's host reads and registerHost's insert: `sql` when given, else the same SQL through Prisma. */
  private readonly plain: SqlReader;

  /**
   * `sql`: plain-SQL statements for the list page and the requests that read or register one
   * host (see SqlReader); without it they go through Prisma's raw queries (same SQL, same rows).
   */
  constructor(
    private readonly db: Db,
    private readonly sql?: SqlReader,
  ) {
    this.plain = sql ?? prismaSql(db);
  }

  async create(input: RegisterHostInput): Promise<HostRecord> {
    try {
      const [row] = await this.plain.query<HostRow>(INSERT_HOST, [
        input.name,
        input.address,
        input.port,
        input.sshUser,
        input.credentialRef,
        input.hostKeyFingerprint ?? null,
        input.trustOnFirstUse,
        JSON.stringify(input.labels),
        input.virtType,
        JSON.stringify(input.guestCpu),
        new Date().toISOString(),
      ]);
      return toHostRecord(row);
    } catch (e) {
      mapPrismaError(e, 'host', input.name);
    }
  }

  async findById(id: string): Promise<HostRecord | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.plain.query<HostRow>(`SELECT * FROM "Host" WHERE id = $1::uuid`, [id]);
    return row ? toHostRecord(row) : null;
  }

  async findByName(name: string): Promise<HostRecord | null> {
    const [row] = await this.plain.query<HostRow>(`SELECT * FROM "Host" WHERE name = $1`, [name]);
    return row ? toHostRecord(row) : null;
  }

  async get(ref: { id?: string | null; name?: string | null }): Promise<HostRecord> {
    const host = ref.id ? await this.findById(ref.id) : ref.name ? await this.findByName(ref.name) : null;
    if (!host) throw new NotFoundError('host', ref.id ?? ref.name ?? '(none)');
    return host;
  }

  async list(filter: HostFilter, page: PageArgs, opts: ListOptions = {}): Promise<Page<HostRecord>> {
    const where: Prisma.HostWhereInput = {};
    if (filter.state) where.state = filter.state;
    if (filter.sriovCapable != null) {
      where.nics = filter.sriovCapable ? { some: { sriovTotalVfs: { gt: 0 } } } : { none: { sriovTotalVfs: { gt: 0 } } };
    }
    if (filter.network) where.networkNics = { some: { network: { name: filter.network } } };
    let after: string | null = null;
    if (page.after) {
      after = decodeCursor(page.after);
      if (after === null) throw BadUserInputError.of('after', 'cursor is not one this API issued');
    }
    if (this.sql) return this.listSql(this.sql, filter, page, after, opts);
    const [rows, totalCount] = await Promise.all([
      this.db.host.findMany({
        where: after ? { AND: [where, { name: { gt: after } }] } : where,
        orderBy: { name: 'asc' },
        take: page.first + 1,
      }),
      opts.count === false ? null : this.db.host.count({ where }),
    ]);
    const hasNextPage = rows.length > page.first;
    const items = rows.slice(0, page.first).map(toHostRecord);
    return { items, hasNextPage, totalCount, endCursor: items.length ? encodeCursor(items[items.length - 1].name) : null };
  }

  private async listSql(
    sql: SqlReader,
    filter: HostFilter,
    page: PageArgs,
    after: string | null,
    opts: ListOptions,
  ): Promise<Page<HostRecord>> {
    const args = [filter.state ?? null, filter.sriovCapable ?? null, filter.network ?? null];
    const [rows, counted] = await Promise.all([
      sql.query<HostRow>(`SELECT h.* FROM "Host" h WHERE ${LIST_WHERE} AND ($4::text IS NULL OR h.name > $4) ORDER BY h.name LIMIT $5`, [
        ...args,
        after,
        page.first + 1,
      ]),
      opts.count === false ? null : sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Host" h WHERE ${LIST_WHERE}`, args),
    ]);
    const hasNextPage = rows.length > page.first;
    const items = rows.slice(0, page.first).map(toHostRecord);
    const totalCount = counted ? (counted[0]?.n ?? 0) : null;
    return { items, hasNextPage, totalCount, endCursor: items.length ? encodeCursor(items[items.length - 1].name) : null };
  }

  async update(id: string, input: UpdateHostInput): Promise<HostRecord> {
    await this.get({ id });
    const data: Prisma.HostUpdateInput = {};
    if (input.address !== undefined) data.address = input.address;
    if (input.port !== undefined) data.port = input.port;
    if (input.sshUser !== undefined) data.sshUser = input.sshUser;
    if (input.credentialRef !== undefined) data.credentialRef = input.credentialRef;
    if (input.hostKeyFingerprint !== undefined) data.hostKeyFingerprint = input.hostKeyFingerprint;
    if (input.trustOnFirstUse !== undefined) data.trustOnFirstUse = input.trustOnFirstUse;
    if (input.labels !== undefined) data.labels = input.labels;
    if (input.virtType !== undefined) data.virtType = input.virtType;
    if (input.guestCpu !== undefined) data.guestCpu = input.guestCpu;
    try {
      return toHostRecord(await this.db.host.update({ where: { id }, data }));
    } catch (e) {
      mapPrismaError(e, 'host', id);
    }
  }

  /** Enter or leave maintenance. Leaving returns the host to REGISTERED until it is rediscovered, unless facts exist. */
  async setMaintenance(id: string, on: boolean, reason: string | null): Promise<HostRecord> {
    const host = await this.get({ id });
    if (!on && host.state !== 'MAINTENANCE') throw new ConflictError(`host ${host.name} is not in maintenance`, { state: host.state });
    const next: HostState = on ? 'MAINTENANCE' : host.lastDiscoveredAt ? 'READY' : 'REGISTERED';
    const row = await this.db.host.update({ where: { id }, data: { state: next, stateReason: on ? reason : null } });
    return toHostRecord(row);
  }

  /** Remove a host; refused while any VM that is not DELETED is placed on it. */
  async remove(id: string): Promise<HostRecord> {
    return this.db.$transaction(async (tx) => {
      const row = await tx.host.findUnique({ where: { id } });
      if (!row) throw new NotFoundError('host', id);
      const placed = await tx.vm.count({
        where: { hostId: id, OR: [{ state: { in: [...ACTIVE_VM_STATES] } }, { state: 'STOPPED', holding: true }] },
      });
      if (placed > 0) throw new ConflictError(`host ${row.name} still has ${placed} VM(s) placed on it`, { vms: placed });
      await tx.vm.updateMany({ where: { hostId: id }, data: { hostId: null } });
      await tx.host.delete({ where: { id } });
      return toHostRecord(row);
    });
  }

  /** Batch loader for host -> NUMA nodes -> CPUs (two queries for any number of hosts). */
  async numaNodesByHostIds(hostIds: readonly string[]): Promise<Map<string, NumaNodeRecord[]>> {
    const nodes = await this.db.numaNode.findMany({
      where: { hostId: { in: [...hostIds] } },
      orderBy: [{ hostId: 'asc' }, { index: 'asc' }],
      include: { cpus: { orderBy: { cpuId: 'asc' }, include: { allocation: true } } },
    });
    const out = new Map<string, NumaNodeRecord[]>(hostIds.map((id) => [id, []]));
    for (const n of nodes) {
      out.get(n.hostId)?.push({
        hostId: n.hostId,
        index: n.index,
        memoryMiB: n.memoryMiB,
        hugepages: stored.hugepages(n.hugepages, `NUMA node ${n.index} of host ${n.hostId}`),
        cpus: n.cpus.map((c) => ({
          cpuId: c.cpuId,
          socket: c.socket,
          core: c.core,
          numaNode: n.index,
          siblings: c.siblings,
          reservedForHost: c.reservedForHost,
          allocation: c.allocation ? { vmId: c.allocation.vmId, role: c.allocation.role } : null,
        })),
      });
    }
    return out;
  }

  /** Batch loader for host -> NICs -> IRQs and VFs. */
  async nicsByHostIds(hostIds: readonly string[]): Promise<Map<string, NicRecord[]>> {
    const nics = await this.db.nic.findMany({
      where: { hostId: { in: [...hostIds] } },
      orderBy: [{ hostId: 'asc' }, { name: 'asc' }],
      include: { irqs: { orderBy: { queue: 'asc' } }, vfs: { orderBy: { index: 'asc' }, include: { allocation: true } } },
    });
    const out = new Map<string, NicRecord[]>(hostIds.map((id) => [id, []]));
    for (const n of nics) {
      out.get(n.hostId)?.push({
        id: n.id,
        hostId: n.hostId,
        name: n.name,
        pciAddress: n.pciAddress,
        driver: n.driver,
        vendorId: n.vendorId,
        deviceId: n.deviceId,
        numaNode: n.numaNode,
        speedMbps: n.speedMbps,
        mtu: n.mtu,
        maxMtu: n.maxMtu,
        linkState: n.linkState,
        combinedQueues: n.combinedQueues,
        maxCombinedQueues: n.maxCombinedQueues,
        sriovTotalVfs: n.sriovTotalVfs,
        sriovNumVfs: n.sriovNumVfs,
        vdpaVfs: n.vdpaVfs,
        irqs: n.irqs.map((i) => ({ irq: i.irq, queue: i.queue, label: i.label, affinity: i.affinity })),
        vfs: n.vfs.map((v) => ({
          index: v.index,
          pciAddress: v.pciAddress,
          mac: v.mac,
          vlan: v.vlan,
          qos: v.qos,
          spoofchk: v.spoofchk,
          trust: v.trust,
          linkState: v.linkState,
          minTxRateMbps: v.minTxRateMbps,
          maxTxRateMbps: v.maxTxRateMbps,
          allocatedToVmId: v.allocation?.vmId ?? null,
        })),
      });
    }
    return out;
  }
}

export function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}
