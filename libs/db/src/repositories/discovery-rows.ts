import type { Prisma } from '../generated/prisma/client';
import type { NicRecord, VfRecord } from '../types';

/**
 * Hosts' inventory rows for discovery: one read of everything (a JSON document per host,
 * built by PostgreSQL) and set-based writes (one statement per table and kind of change for
 * all the hosts of a batch, the rows passed as one JSON array through json_to_recordset: the
 * `json` type only checks the text, where `jsonb` first built a binary copy of every row, twice
 * the PostgreSQL CPU for a batch's 2,000 IRQ rows).
 * Row by row through Prisma this was ~20 statements and most of the API's CPU per
 * discovered host; one host per transaction, the fleet lock was taken once per host (issue 16).
 */
type Tx = Prisma.TransactionClient;

export interface NodeRow {
  id: string;
  index: number;
  memoryMiB: number;
  hugepages: unknown;
}
export interface CpuRow {
  id: string;
  cpuId: number;
  numaNodeId: string;
  socket: number;
  core: number;
  siblings: number[];
  reservedForHost: boolean;
  /** A CPU allocation points at it. */
  held: boolean;
}
export interface IrqRow {
  id: string;
  irq: number;
  queue: number;
  label: string;
  affinity: number[];
}
/** The Vf columns discovery writes: a VfRecord's, less what discovery does not own. */
export type VfData = Omit<VfRecord, 'index' | 'allocatedToVmId'>;
export interface VfRow extends VfData {
  id: string;
  index: number;
  /** A VF allocation points at it. */
  allocated: boolean;
}
export interface NicRow {
  id: string;
  name: string;
  irqs: IrqRow[];
  vfs: VfRow[];
}
export interface Inventory {
  numaNodes: NodeRow[];
  cpus: CpuRow[];
  nics: NicRow[];
}

/**
 * Everything discovery compares against, for each of the given hosts, in one statement (read
 * under the hosts' row locks). Hosts without rows get an empty inventory.
 */
export async function readInventories(tx: Tx, hostIds: readonly string[]): Promise<Map<string, Inventory>> {
  if (hostIds.length === 0) return new Map();
  const rows = await tx.$queryRaw<{ hostId: string; inv: string }[]>`
    SELECT h.id::text AS "hostId", json_build_object(
      'numaNodes', (SELECT coalesce(json_agg(json_build_object(
          'id', n.id, 'index', n.index, 'memoryMiB', n."memoryMiB", 'hugepages', n.hugepages)), '[]')
        FROM "NumaNode" n WHERE n."hostId" = h.id),
      'cpus', (SELECT coalesce(json_agg(json_build_object(
          'id', c.id, 'cpuId', c."cpuId", 'numaNodeId', c."numaNodeId", 'socket', c.socket, 'core', c.core,
          'siblings', c.siblings, 'reservedForHost', c."reservedForHost",
          'held', c.id IN (SELECT a."cpuRowId" FROM "CpuAllocation" a WHERE a."hostId" = h.id))), '[]')
        FROM "Cpu" c WHERE c."hostId" = h.id),
      'nics', (SELECT coalesce(json_agg(json_build_object(
          'id', x.id, 'name', x.name,
          'irqs', (SELECT coalesce(json_agg(json_build_object(
              'id', i.id, 'irq', i.irq, 'queue', i.queue, 'label', i.label, 'affinity', i.affinity)), '[]')
            FROM "NicIrq" i WHERE i."nicId" = x.id),
          'vfs', (SELECT coalesce(json_agg(json_build_object(
              'id', v.id, 'index', v.index, 'pciAddress', v."pciAddress", 'mac', v.mac, 'vlan', v.vlan, 'qos', v.qos,
              'spoofchk', v.spoofchk, 'trust', v.trust, 'linkState', v."linkState",
              'minTxRateMbps', v."minTxRateMbps", 'maxTxRateMbps', v."maxTxRateMbps",
              'allocated', EXISTS (SELECT 1 FROM "VfAllocation" a WHERE a."vfId" = v.id))), '[]')
            FROM "Vf" v WHERE v."nicId" = x.id))), '[]')
        FROM "Nic" x WHERE x."hostId" = h.id)
    )::text AS inv
    FROM unnest(${[...hostIds]}::uuid[]) AS h(id)`;
  return new Map(rows.map((r) => [r.hostId, JSON.parse(r.inv) as Inventory]));
}

const json = (rows: readonly object[]): string => JSON.stringify(rows);

export async function insertNumaNodes(
  tx: Tx,
  rows: { hostId: string; index: number; memoryMiB: number; hugepages: unknown }[],
): Promise<{ id: string; hostId: string; index: number }[]> {
  if (rows.length === 0) return [];
  return tx.$queryRaw<{ id: string; hostId: string; index: number }[]>`
    INSERT INTO "NumaNode" (id, "hostId", index, "memoryMiB", hugepages)
    SELECT gen_random_uuid(), x."hostId", x.index, x."memoryMiB", x.hugepages
    FROM json_to_recordset(${json(rows)}::json) AS x("hostId" uuid, index int, "memoryMiB" int, hugepages jsonb)
    RETURNING id::text AS id, "hostId"::text AS "hostId", index`;
}

export async function updateNumaNodes(tx: Tx, rows: { id: string; memoryMiB: number; hugepages: unknown }[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw`
    UPDATE "NumaNode" n SET "memoryMiB" = x."memoryMiB", hugepages = x.hugepages
    FROM json_to_recordset(${json(rows)}::json) AS x(id uuid, "memoryMiB" int, hugepages jsonb) WHERE n.id = x.id`;
}

export type CpuData = Omit<CpuRow, 'id' | 'held'>;

export async function insertCpus(tx: Tx, rows: (CpuData & { hostId: string })[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO "Cpu" (id, "hostId", "cpuId", "numaNodeId", socket, core, siblings, "reservedForHost")
    SELECT gen_random_uuid(), x."hostId", x."cpuId", x."numaNodeId", x.socket, x.core, x.siblings, x."reservedForHost"
    FROM json_to_recordset(${json(rows)}::json)
      AS x("hostId" uuid, "cpuId" int, "numaNodeId" uuid, socket int, core int, siblings int[], "reservedForHost" boolean)`;
}

export async function updateCpus(tx: Tx, rows: (Omit<CpuData, 'cpuId'> & { id: string })[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw`
    UPDATE "Cpu" c SET "numaNodeId" = x."numaNodeId", socket = x.socket, core = x.core, siblings = x.siblings,
      "reservedForHost" = x."reservedForHost"
    FROM json_to_recordset(${json(rows)}::json)
      AS x(id uuid, "numaNodeId" uuid, socket int, core int, siblings int[], "reservedForHost" boolean)
    WHERE c.id = x.id`;
}

/** CPUs that vanished, unless an allocation points at them (re-checked here, under the placement lock). */
export async function deleteFreeCpus(tx: Tx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRaw`
    DELETE FROM "Cpu" c WHERE c.id = ANY(${ids}::uuid[])
      AND NOT EXISTS (SELECT 1 FROM "CpuAllocation" a WHERE a."cpuRowId" = c.id)`;
}

export async function deleteNumaNodes(tx: Tx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRaw`DELETE FROM "NumaNode" WHERE id = ANY(${ids}::uuid[])`;
}

/** The Nic columns discovery writes: a NicRecord's own columns (discovery always knows the MTU). */
export type NicData = Omit<NicRecord, 'id' | 'hostId' | 'name' | 'irqs' | 'vfs' | 'mtu'> & { mtu: number };

export async function insertNics(
  tx: Tx,
  rows: (NicData & { hostId: string; name: string })[],
): Promise<{ id: string; hostId: string; name: string }[]> {
  if (rows.length === 0) return [];
  return tx.$queryRaw<{ id: string; hostId: string; name: string }[]>`
    INSERT INTO "Nic" (id, "hostId", name, "pciAddress", driver, "vendorId", "deviceId", "numaNode", "speedMbps", mtu, "maxMtu",
      "linkState", "combinedQueues", "maxCombinedQueues", "sriovTotalVfs", "sriovNumVfs", "vdpaVfs")
    SELECT gen_random_uuid(), x."hostId", x.name, x."pciAddress", x.driver, x."vendorId", x."deviceId", x."numaNode", x."speedMbps",
      x.mtu, x."maxMtu", x."linkState", x."combinedQueues", x."maxCombinedQueues", x."sriovTotalVfs", x."sriovNumVfs", x."vdpaVfs"
    FROM json_to_recordset(${json(rows)}::json) AS x("hostId" uuid, name text, "pciAddress" text, driver text, "vendorId" text,
      "deviceId" text, "numaNode" int, "speedMbps" int, mtu int, "maxMtu" int, "linkState" text, "combinedQueues" int,
      "maxCombinedQueues" int, "sriovTotalVfs" int, "sriovNumVfs" int, "vdpaVfs" boolean)
    RETURNING id::text AS id, "hostId"::text AS "hostId", name`;
}

export async function updateNics(tx: Tx, rows: (NicData & { id: string })[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw`
    UPDATE "Nic" n SET "pciAddress" = x."pciAddress", driver = x.driver, "vendorId" = x."vendorId", "deviceId" = x."deviceId",
      "numaNode" = x."numaNode", "speedMbps" = x."speedMbps", mtu = x.mtu, "maxMtu" = x."maxMtu", "linkState" = x."linkState",
      "combinedQueues" = x."combinedQueues", "maxCombinedQueues" = x."maxCombinedQueues", "sriovTotalVfs" = x."sriovTotalVfs",
      "sriovNumVfs" = x."sriovNumVfs", "vdpaVfs" = x."vdpaVfs"
    FROM json_to_recordset(${json(rows)}::json) AS x(id uuid, "pciAddress" text, driver text, "vendorId" text, "deviceId" text,
      "numaNode" int, "speedMbps" int, mtu int, "maxMtu" int, "linkState" text, "combinedQueues" int, "maxCombinedQueues" int,
      "sriovTotalVfs" int, "sriovNumVfs" int, "vdpaVfs" boolean)
    WHERE n.id = x.id`;
}

/** NICs that vanished, unless a VF of theirs is allocated (re-checked here). */
export async function deleteFreeNics(tx: Tx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRaw`
    DELETE FROM "Nic" n WHERE n.id = ANY(${ids}::uuid[])
      AND NOT EXISTS (SELECT 1 FROM "Vf" v JOIN "VfAllocation" a ON a."vfId" = v.id WHERE v."nicId" = n.id)`;
}

export interface IrqData {
  nicId: string;
  irq: number;
  queue: number;
  label: string;
  affinity: number[];
}

export async function insertIrqs(tx: Tx, rows: IrqData[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO "NicIrq" (id, "nicId", irq, queue, label, affinity)
    SELECT gen_random_uuid(), x."nicId", x.irq, x.queue, x.label, x.affinity
    FROM json_to_recordset(${json(rows)}::json) AS x("nicId" uuid, irq int, queue int, label text, affinity int[])`;
}

export async function updateIrqs(tx: Tx, rows: Omit<IrqRow, 'irq'>[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw`
    UPDATE "NicIrq" i SET queue = x.queue, label = x.label, affinity = x.affinity
    FROM json_to_recordset(${json(rows)}::json) AS x(id uuid, queue int, label text, affinity int[]) WHERE i.id = x.id`;
}

export async function deleteIrqs(tx: Tx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRaw`DELETE FROM "NicIrq" WHERE id = ANY(${ids}::uuid[])`;
}

export async function insertVfs(tx: Tx, rows: (VfData & { nicId: string; index: number })[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO "Vf" (id, "nicId", index, "pciAddress", mac, vlan, qos, spoofchk, trust, "linkState", "minTxRateMbps", "maxTxRateMbps")
    SELECT gen_random_uuid(), x."nicId", x.index, x."pciAddress", x.mac, x.vlan, x.qos, x.spoofchk, x.trust, x."linkState",
      x."minTxRateMbps", x."maxTxRateMbps"
    FROM json_to_recordset(${json(rows)}::json) AS x("nicId" uuid, index int, "pciAddress" text, mac text, vlan int, qos int,
      spoofchk boolean, trust boolean, "linkState" text, "minTxRateMbps" int, "maxTxRateMbps" int)`;
}

export async function updateVfs(tx: Tx, rows: (VfData & { id: string })[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw`
    UPDATE "Vf" v SET "pciAddress" = x."pciAddress", mac = x.mac, vlan = x.vlan, qos = x.qos, spoofchk = x.spoofchk, trust = x.trust,
      "linkState" = x."linkState", "minTxRateMbps" = x."minTxRateMbps", "maxTxRateMbps" = x."maxTxRateMbps"
    FROM json_to_recordset(${json(rows)}::json) AS x(id uuid, "pciAddress" text, mac text, vlan int, qos int, spoofchk boolean,
      trust boolean, "linkState" text, "minTxRateMbps" int, "maxTxRateMbps" int)
    WHERE v.id = x.id`;
}

/** VFs that vanished, unless allocated (re-checked here). */
export async function deleteFreeVfs(tx: Tx, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRaw`
    DELETE FROM "Vf" v WHERE v.id = ANY(${ids}::uuid[]) AND NOT EXISTS (SELECT 1 FROM "VfAllocation" a WHERE a."vfId" = v.id)`;
}

/** The Host columns discovery writes. */
export interface HostData {
  id: string;
  capVmx: boolean;
  capSvm: boolean;
  capEpt: boolean;
  capNpt: boolean;
  capIommu: boolean;
  capKvm: boolean;
  capVhostNet: boolean;
  capOvs: boolean;
  capOvsDpdk: boolean;
  capVhostVdpa: boolean;
  pmdCpus: number[];
  bridges: unknown;
  foreignDomains: unknown;
  state: 'READY' | 'MAINTENANCE';
  stateReason: string | null;
  /** Pinned only when the host had none (trust on first use). */
  hostKeyFingerprint: string | null;
}

/** The discovered hosts' rows; lastDiscoveredAt and updatedAt are `at`. */
export async function updateHosts(tx: Tx, rows: HostData[], at: Date): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw`
    UPDATE "Host" h SET "capVmx" = x."capVmx", "capSvm" = x."capSvm", "capEpt" = x."capEpt", "capNpt" = x."capNpt",
      "capIommu" = x."capIommu", "capKvm" = x."capKvm", "capVhostNet" = x."capVhostNet", "capOvs" = x."capOvs",
      "capOvsDpdk" = x."capOvsDpdk", "capVhostVdpa" = x."capVhostVdpa", "pmdCpus" = x."pmdCpus", bridges = x.bridges,
      "foreignDomains" = x."foreignDomains", state = x.state::"HostState", "stateReason" = x."stateReason",
      "hostKeyFingerprint" = coalesce(x."hostKeyFingerprint", h."hostKeyFingerprint"),
      "lastDiscoveredAt" = x.at, "updatedAt" = x.at
    FROM (SELECT *, (${at.toISOString()}::timestamptz AT TIME ZONE 'UTC') AS at
      FROM json_to_recordset(${json(rows)}::json) AS r(id uuid, "capVmx" boolean, "capSvm" boolean, "capEpt" boolean,
      "capNpt" boolean, "capIommu" boolean, "capKvm" boolean, "capVhostNet" boolean, "capOvs" boolean, "capOvsDpdk" boolean,
      "capVhostVdpa" boolean, "pmdCpus" int[], bridges jsonb, "foreignDomains" jsonb, state text, "stateReason" text,
      "hostKeyFingerprint" text)) x
    WHERE h.id = x.id`;
}
