import { Prisma } from '../generated/prisma/client';
import type { Db } from '../client';

type Client = Db | Prisma.TransactionClient;

/**
 * The rows a fleet snapshot is made of, one SQL statement per table. Per-host (and
 * per-NIC) rows carry their CPUs, VFs and IRQs as JSON arrays aggregated by PostgreSQL, so
 * 10,000 hosts arrive as 10,000 rows parsed by JSON.parse instead of millions of row
 * objects and integer-array literals (the Prisma object graph this replaces spent most of
 * the API's time there). Owners come separately: only allocated rows exist.
 */
export interface HostRow {
  id: string;
  name: string;
  state: string;
  virtType: string;
  vmx: boolean;
  ept: boolean;
  iommu: boolean;
  kvm: boolean;
  vhostNet: boolean;
  ovs: boolean;
  /** Host.bridges JSON (null until discovered). */
  bridges: unknown;
  /** Host.foreignDomains JSON. */
  foreignDomains: unknown;
  /** [index, memoryMiB, hugepages JSON] per NUMA node, ascending index. */
  nodes: [number, number, unknown][] | null;
}

/** Columns of a host's CPUs, ascending CPU id; `node` is the NUMA node index. */
export interface CpuColumns {
  id: number[];
  socket: number[];
  core: number[];
  node: number[];
  siblings: number[][];
  reserved: boolean[];
}

export interface NicRow {
  id: string;
  hostId: string;
  name: string;
  pciAddress: string;
  driver: string | null;
  numaNode: number | null;
  speedMbps: number | null;
  mtu: number | null;
  maxMtu: number | null;
  combinedQueues: number;
  maxCombinedQueues: number;
  sriovTotalVfs: number;
  sriovNumVfs: number;
  /** [irq, queue], ascending queue. */
  irqs: [number, number][] | null;
  /** VF indices ascending, and their PCI addresses ('' when unknown). */
  vfIndex: number[] | null;
  vfPci: (string | null)[] | null;
}

export interface SnapshotRows {
  hosts: HostRow[];
  cpus: Map<string, CpuColumns>;
  cpuOwners: { hostId: string; cpuId: number; vmId: string; role: string }[];
  nics: NicRow[];
  vfOwners: { nicId: string; index: number; vmId: string }[];
  networks: {
    id: string;
    name: string;
    kind: string;
    bridge: string | null;
    physnet: string | null;
    vlan: number | null;
    macvtapMode: string | null;
    mtu: number | null;
  }[];
  networkNics: { networkId: string; hostId: string; nicId: string }[];
  /**
   * plan.allocation of every VM holding resources, and the target plan's of every active
   * migration (under the migration's id: a migrating VM holds on two hosts), by id.
   */
  allocations: unknown[];
}

function hostFilter(column: string, hostIds: string[] | undefined): Prisma.Sql {
  return hostIds ? Prisma.sql`AND ${Prisma.raw(column)} = ANY(${hostIds}::uuid[])` : Prisma.empty;
}

function hostRows(db: Client, hostIds?: string[]): Promise<HostRow[]> {
  return db.$queryRaw<HostRow[]>`
    SELECT h.id, h.name, h.state::text AS state, h."virtType"::text AS "virtType", (h."capVmx" OR h."capSvm") AS vmx, (h."capEpt" OR h."capNpt") AS ept,
      h."capIommu" AS iommu, h."capKvm" AS kvm, h."capVhostNet" AS "vhostNet", h."capOvs" AS ovs, h.bridges, h."foreignDomains",
      (SELECT json_agg(json_build_array(n.index, n."memoryMiB", n.hugepages) ORDER BY n.index) FROM "NumaNode" n WHERE n."hostId" = h.id) AS nodes
    FROM "Host" h WHERE true ${hostFilter('h.id', hostIds)} ORDER BY h.name`;
}

async function cpuColumns(db: Client, hostIds?: string[]): Promise<Map<string, CpuColumns>> {
  const rows = await db.$queryRaw<{ hostId: string; t: CpuColumns }[]>`
    SELECT c."hostId", json_build_object(
      'id', array_agg(c."cpuId" ORDER BY c."cpuId"), 'socket', array_agg(c.socket ORDER BY c."cpuId"),
      'core', array_agg(c.core ORDER BY c."cpuId"), 'node', array_agg(n.index ORDER BY c."cpuId"),
      'siblings', json_agg(c.siblings ORDER BY c."cpuId"), 'reserved', array_agg(c."reservedForHost" ORDER BY c."cpuId")) AS t
    FROM "Cpu" c JOIN "NumaNode" n ON n.id = c."numaNodeId" WHERE true ${hostFilter('c."hostId"', hostIds)} GROUP BY c."hostId"`;
  return new Map(rows.map((r) => [r.hostId, r.t]));
}

function nicRows(db: Client, hostIds?: string[]): Promise<NicRow[]> {
  return db.$queryRaw<NicRow[]>`
    SELECT n.id, n."hostId", n.name, n."pciAddress", n.driver, n."numaNode", n."speedMbps", n.mtu, n."maxMtu", n."combinedQueues", n."maxCombinedQueues",
      n."sriovTotalVfs", n."sriovNumVfs", i.irqs, v."vfIndex", v."vfPci"
    FROM "Nic" n
    LEFT JOIN (SELECT "nicId", json_agg(json_build_array(irq, queue) ORDER BY queue, irq) AS irqs FROM "NicIrq" GROUP BY "nicId") i ON i."nicId" = n.id
    LEFT JOIN (SELECT "nicId", json_agg(index ORDER BY index) AS "vfIndex", json_agg("pciAddress" ORDER BY index) AS "vfPci" FROM "Vf" GROUP BY "nicId") v
      ON v."nicId" = n.id
    WHERE true ${hostFilter('n."hostId"', hostIds)} ORDER BY n."hostId", n.name`;
}

function cpuOwners(db: Client, hostIds?: string[]): Promise<SnapshotRows['cpuOwners']> {
  return db.$queryRaw<SnapshotRows['cpuOwners']>`
    SELECT a."hostId", c."cpuId", COALESCE(a."migrationId", a."vmId")::text AS "vmId", a.role::text AS role
    FROM "CpuAllocation" a JOIN "Cpu" c ON c.id = a."cpuRowId" WHERE true ${hostFilter('a."hostId"', hostIds)}`;
}

function vfOwners(db: Client, hostIds?: string[]): Promise<SnapshotRows['vfOwners']> {
  return db.$queryRaw<SnapshotRows['vfOwners']>`
    SELECT v."nicId", v.index, COALESCE(a."migrationId", a."vmId")::text AS "vmId"
    FROM "VfAllocation" a JOIN "Vf" v ON v.id = a."vfId" JOIN "Nic" n ON n.id = v."nicId" WHERE true ${hostFilter('n."hostId"', hostIds)}`;
}

async function allocationRows(db: Client, hostIds?: string[]): Promise<unknown[]> {
  const rows = await db.$queryRaw<{ a: unknown }[]>`
    SELECT a FROM (
      SELECT id, plan->'allocation' AS a FROM "Vm" WHERE holding AND "hostId" IS NOT NULL ${hostFilter('"hostId"', hostIds)}
      UNION ALL
      SELECT id, "targetPlan"->'allocation' FROM "VmMigration" WHERE active ${hostFilter('"targetHostId"', hostIds)}
    ) s ORDER BY id`;
  return rows.map((r) => r.a);
}

/**
 * Everything placement reads, in one pass. Outside a transaction the statements run in
 * parallel on pool connections; inside one they queue on its connection.
 */
export async function readSnapshotRows(db: Client, hostIds?: string[]): Promise<SnapshotRows> {
  const [hosts, cpus, owners, nics, vfs, networks, networkNics, allocations] = await Promise.all([
    hostRows(db, hostIds),
    cpuColumns(db, hostIds),
    cpuOwners(db, hostIds),
    nicRows(db, hostIds),
    vfOwners(db, hostIds),
    db.$queryRaw<SnapshotRows['networks']>`
      SELECT id, name, kind::text AS kind, bridge, physnet, vlan, "macvtapMode", mtu FROM "Network" ORDER BY name`,
    db.$queryRaw<SnapshotRows['networkNics']>`SELECT "networkId", "hostId", "nicId" FROM "NetworkNic" ORDER BY "networkId", "nicId"`,
    allocationRows(db, hostIds),
  ]);
  return { hosts, cpus, cpuOwners: owners, nics, vfOwners: vfs, networks, networkNics, allocations };
}
