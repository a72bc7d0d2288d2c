import { NotFoundError, type HostFacts, type NicFacts } from '@netpin/contracts';
import type { Db } from '../client';
import type { Prisma } from '../generated/prisma/client';
import { toHostRecord } from './host.repository';
import type { HostRecord } from '../types';
import { operationArg, operationFromJson, type NewOperation, type OperationRecord } from './operation.repository';
import { prismaSql, type SqlReader } from '../sql-reader';
import {
  deleteFreeCpus,
  deleteFreeNics,
  deleteFreeVfs,
  deleteIrqs,
  deleteNumaNodes,
  insertCpus,
  insertIrqs,
  insertNics,
  insertNumaNodes,
  insertVfs,
  readInventories,
  updateCpus,
  updateIrqs,
  updateNics,
  updateNumaNodes,
  updateHosts,
  updateVfs,
  type CpuData,
  type HostData,
  type Inventory,
  type IrqData,
  type IrqRow,
  type NicData,
  type NicRow,
  type VfData,
} from './discovery-rows';

type Tx = Prisma.TransactionClient;

/** CPU ids of the first `perNode` cores (lowest core ids, every thread) of each NUMA node. */
export function reservedCpus(facts: HostFacts, perNode: number): Set<number> {
  const out = new Set<number>();
  if (perNode <= 0) return out;
  const byNode = new Map<number, Map<string, number[]>>();
  for (const c of facts.cpus) {
    const cores = byNode.get(c.node) ?? new Map<string, number[]>();
    const key = `${c.socket}/${c.core}`;
    cores.set(key, [...(cores.get(key) ?? []), c.cpu]);
    byNode.set(c.node, cores);
  }
  for (const cores of byNode.values()) {
    // order cores by their lowest CPU id, the way the kernel numbers housekeeping CPUs
    const ordered = [...cores.values()].sort((a, b) => Math.min(...a) - Math.min(...b));
    // never reserve the only core of a node
    for (const cpus of ordered.slice(0, Math.min(perNode, ordered.length - 1))) for (const id of cpus) out.add(id);
  }
  return out;
}

function sameInts(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * A discover request in ONE statement (its own transaction): the host row locked FOR NO KEY
 * UPDATE (lockHosts' lock), the host DISCOVERING unless in maintenance, then the operation and
 * its outbox row (netpin_create_operation); the host update's trigger takes PlacementState at
 * the statement's end, so the lock order is that of the three statements it replaces (host row,
 * then PlacementState). No row when the host does not exist: nothing is written then.
 * `updatedAt` is given as UTC, as Prisma wrote it.
 */
const START_DISCOVERY = `
  WITH h AS (SELECT id FROM "Host" WHERE id = $1::uuid FOR NO KEY UPDATE),
  marked AS (
    UPDATE "Host" SET state = 'DISCOVERING', "stateReason" = NULL, "updatedAt" = $3::timestamptz AT TIME ZONE 'UTC'
    WHERE id IN (SELECT id FROM h) AND state <> 'MAINTENANCE' RETURNING id)
  SELECT netpin_create_operation($2::jsonb) AS op FROM h`;

/** One host's discovery result to persist. */
export interface DiscoveredHost {
  hostId: string;
  facts: HostFacts;
  observedFingerprint?: string;
}

/** A host of a batch with its locked row and the inventory read for it. */
interface Target extends DiscoveredHost {
  host: LockedHost;
  rows: Inventory;
  reserved: Set<number>;
}

/**
 * Persists what discovery found. Rows are matched by their natural keys (NUMA index, CPU
 * id, NIC name, VF index, IRQ number) and only changed rows are written, so allocation rows
 * that point at CPUs and VFs survive a rediscovery, and a rediscovery of an unchanged host
 * writes almost nothing. Several hosts' results are written together (applyFactsMany): one
 * transaction, one hold of the fleet-wide PlacementState lock, the same statements.
 */
export class DiscoveryRepository {
  /** `sql`: startDiscovery's one statement (without it, the same SQL through Prisma). */
  constructor(
    private readonly db: Db,
    private readonly sql: SqlReader = prismaSql(db),
  ) {}

  /**
   * @param reservedCoresPerNode the first N cores of every NUMA node (all their threads) are
   *   kept for the host's own work (kernel, libvirtd, the agent) and never given to VMs.
   */
  async applyFacts(hostId: string, facts: HostFacts, observedFingerprint?: string, reservedCoresPerNode = 1): Promise<HostRecord> {
    const applied = await this.applyFactsMany([{ hostId, facts, observedFingerprint }], reservedCoresPerNode);
    if (!applied.has(hostId)) throw new NotFoundError('host', hostId);
    return toHostRecord(await this.db.host.findUniqueOrThrow({ where: { id: hostId } }));
  }

  /**
   * Several hosts' results in ONE transaction, written set-based across the hosts (~15
   * statements whatever the number of hosts). All or nothing: when it throws, nothing of any
   * host was written (the caller retries them one by one). A host id appears at most once.
   * @returns the ids of the hosts written; a host that no longer exists is skipped.
   */
  async applyFactsMany(items: readonly DiscoveredHost[], reservedCoresPerNode = 1): Promise<Set<string>> {
    const ids = items.map((i) => i.hostId);
    if (new Set(ids).size !== ids.length) throw new Error('applyFactsMany: a host appears twice in one batch');
    if (items.length === 0) return new Set();
    return this.db.$transaction(
      async (tx) => {
        // Lock order (docs/architecture.md, "Lock order"): the hosts' rows (in id order, so two
        // batches cannot deadlock), then PlacementState. A discover request updates the host row
        // and its trigger then takes PlacementState; writing inventory rows first (their
        // triggers take PlacementState) and the host row last was the opposite order.
        const hosts = await lockHosts(tx, ids);
        // every read before the first write: the first write's trigger takes the fleet-wide
        // PlacementState lock, which placement and every other inventory writer wait for
        const inventories = await readInventories(tx, [...hosts.keys()]);
        const targets: Target[] = items.flatMap((i) => {
          const host = hosts.get(i.hostId);
          if (!host) return []; // deleted since its job was queued
          const rows = inventories.get(i.hostId) ?? { numaNodes: [], cpus: [], nics: [] };
          return [{ ...i, host, rows, reserved: reservedCpus(i.facts, reservedCoresPerNode) }];
        });
        await syncNumaAndCpus(tx, targets);
        await syncNics(tx, targets);
        await updateHosts(tx, targets.map(hostData), new Date());
        return new Set(targets.map((t) => t.hostId));
      },
      { timeout: 60_000 },
    );
  }

  async markState(hostId: string, state: 'DISCOVERING' | 'UNREACHABLE' | 'READY', reason: string | null): Promise<void> {
    await this.db.host.update({ where: { id: hostId }, data: { state, stateReason: reason } });
  }

  /**
   * A discover request: the host goes DISCOVERING (unless in maintenance) in the same
   * transaction that records the operation and its outbox row, host row first. Marking it
   * after the commit let a fast result (READY) be overwritten by the late DISCOVERING.
   */
  async startDiscovery(hostId: string, op: NewOperation): Promise<OperationRecord> {
    const at = new Date();
    const [row] = await this.sql.query<{ op: unknown }>(START_DISCOVERY, [hostId, JSON.stringify(operationArg(op, at)), at.toISOString()]);
    if (!row) throw new NotFoundError('host', hostId);
    return operationFromJson(row.op);
  }
}

interface LockedHost {
  state: string;
  stateReason: string | null;
  hostKeyFingerprint: string | null;
}

/**
 * The hosts' rows, locked FOR NO KEY UPDATE until commit (in id order): what an UPDATE of a row
 * takes, so it serialises with markState and other discovery writers of the same host, but
 * not with the FOR KEY SHARE locks that inserting a host's VMs and allocations take.
 */
async function lockHosts(tx: Tx, hostIds: readonly string[]): Promise<Map<string, LockedHost>> {
  const rows = await tx.$queryRaw<(LockedHost & { id: string })[]>`
    SELECT id::text AS id, state::text AS state, "stateReason", "hostKeyFingerprint" FROM "Host"
    WHERE id = ANY(${[...hostIds]}::uuid[]) ORDER BY id FOR NO KEY UPDATE`;
  return new Map(rows.map(({ id, ...h }) => [id, h]));
}

/** A host's own columns after discovery; maintenance is kept, any other state becomes READY. */
function hostData(t: Target): HostData {
  const c = t.facts.capabilities;
  const maintenance = t.host.state === 'MAINTENANCE';
  return {
    id: t.hostId,
    capVmx: c.virtExtension === 'vmx',
    capSvm: c.virtExtension === 'svm',
    capEpt: c.virtExtension === 'vmx' && c.secondLevelPaging,
    capNpt: c.virtExtension === 'svm' && c.secondLevelPaging,
    capIommu: c.iommu,
    capKvm: c.kvm,
    capVhostNet: c.vhostNet,
    capOvs: c.ovs,
    capOvsDpdk: c.ovsDpdk,
    capVhostVdpa: c.vhostVdpa,
    pmdCpus: t.facts.pmdCpus,
    bridges: t.facts.bridges,
    foreignDomains: t.facts.foreignDomains,
    state: maintenance ? 'MAINTENANCE' : 'READY',
    stateReason: maintenance ? t.host.stateReason : null,
    hostKeyFingerprint: t.observedFingerprint && !t.host.hostKeyFingerprint ? t.observedFingerprint : null,
  };
}

/** NUMA nodes first (CPUs point at them), then CPUs; vanished nodes go last. */
async function syncNumaAndCpus(tx: Tx, targets: Target[]): Promise<void> {
  const fresh: { hostId: string; index: number; memoryMiB: number; hugepages: unknown }[] = [];
  const changed: { id: string; memoryMiB: number; hugepages: unknown }[] = [];
  const nodeIds = new Map<string, string>(); // `${hostId}/${index}` -> row id
  for (const t of targets) {
    const byIndex = new Map(t.rows.numaNodes.map((n) => [n.index, n]));
    for (const n of t.facts.numaNodes) {
      const data = { memoryMiB: Math.floor(n.memTotalKiB / 1024), hugepages: n.hugepages };
      const cur = byIndex.get(n.id);
      if (!cur) fresh.push({ hostId: t.hostId, index: n.id, ...data });
      else {
        nodeIds.set(`${t.hostId}/${n.id}`, cur.id);
        if (cur.memoryMiB !== data.memoryMiB || JSON.stringify(cur.hugepages) !== JSON.stringify(data.hugepages))
          changed.push({ id: cur.id, ...data });
      }
    }
  }
  for (const c of await insertNumaNodes(tx, fresh)) nodeIds.set(`${c.hostId}/${c.index}`, c.id);
  await updateNumaNodes(tx, changed);
  const cpus = { fresh: [] as (CpuData & { hostId: string })[], changed: [] as CpuChange[], gone: [] as string[] };
  for (const t of targets) diffCpus(t, nodeIds, cpus);
  await updateCpus(tx, cpus.changed);
  await insertCpus(tx, cpus.fresh);
  // a CPU that vanished but is still allocated stays: dropping it would silently cascade
  // the allocation away; the VM's verify reports the difference instead
  // (read before the PlacementState lock: the delete re-checks that no allocation appeared since)
  await deleteFreeCpus(tx, cpus.gone);
  await deleteNumaNodes(
    tx,
    targets.flatMap((t) => {
      const seen = new Set(t.facts.numaNodes.map((n) => n.id));
      return t.rows.numaNodes.filter((n) => !seen.has(n.index)).map((n) => n.id);
    }),
  );
}

type CpuChange = Omit<CpuData, 'cpuId'> & { id: string };

/** A host's CPU rows to add, change and drop (matched by CPU id); allocated CPUs are never dropped. */
function diffCpus(
  t: Target,
  nodeIds: Map<string, string>,
  out: { fresh: (CpuData & { hostId: string })[]; changed: CpuChange[]; gone: string[] },
): void {
  const cpuById = new Map(t.rows.cpus.map((c) => [c.cpuId, c]));
  for (const c of t.facts.cpus) {
    const numaNodeId = nodeIds.get(`${t.hostId}/${c.node}`);
    if (!numaNodeId) continue; // a CPU on a node sysfs did not list: skip rather than invent a node
    const cur = cpuById.get(c.cpu);
    const data = { numaNodeId, socket: c.socket, core: c.core, siblings: c.siblings, reservedForHost: t.reserved.has(c.cpu) };
    if (!cur) out.fresh.push({ hostId: t.hostId, cpuId: c.cpu, ...data });
    else if (
      cur.numaNodeId !== numaNodeId ||
      cur.socket !== c.socket ||
      cur.core !== c.core ||
      !sameInts(cur.siblings, c.siblings) ||
      cur.reservedForHost !== data.reservedForHost
    ) {
      out.changed.push({ id: cur.id, ...data });
    }
  }
  const seen = new Set(t.facts.cpus.map((c) => c.cpu));
  for (const c of t.rows.cpus) if (!seen.has(c.cpuId) && !c.held) out.gone.push(c.id);
}

/** PFs, then their IRQs and VFs. VFs show up as netdevs of their own; they are inventoried under their PF. */
async function syncNics(tx: Tx, targets: Target[]): Promise<void> {
  const hosts = targets.map((t) => ({
    t,
    byName: new Map(t.rows.nics.map((n) => [n.name, n])),
    pfs: t.facts.nics.filter((n) => n.vfOf === null),
  }));
  const updates: (NicData & { id: string })[] = [];
  const fresh: (NicData & { hostId: string; name: string })[] = [];
  for (const { t, byName, pfs } of hosts) {
    for (const n of pfs) {
      const cur = byName.get(n.name);
      if (cur) updates.push({ id: cur.id, ...nicData(n) });
      else fresh.push({ hostId: t.hostId, name: n.name, ...nicData(n) });
    }
  }
  await updateNics(tx, updates);
  const created = new Map((await insertNics(tx, fresh)).map((c) => [`${c.hostId}/${c.name}`, c.id]));
  const irqs = { fresh: [] as IrqData[], changed: [] as Omit<IrqRow, 'irq'>[], gone: [] as string[] };
  const vfs = {
    fresh: [] as (VfData & { nicId: string; index: number })[],
    changed: [] as (VfData & { id: string })[],
    gone: [] as string[],
  };
  const goneNics: string[] = [];
  for (const { t, byName, pfs } of hosts) {
    for (const n of pfs) {
      const cur = byName.get(n.name) ?? { id: created.get(`${t.hostId}/${n.name}`) ?? '', name: n.name, irqs: [], vfs: [] };
      diffIrqs(cur, n, irqs);
      diffVfs(cur, n, vfs);
    }
    const seenPfs = new Set<string>(pfs.map((n) => n.name));
    goneNics.push(...t.rows.nics.filter((n) => !seenPfs.has(n.name) && !n.vfs.some((v) => v.allocated)).map((n) => n.id));
  }
  await updateIrqs(tx, irqs.changed);
  await insertIrqs(tx, irqs.fresh);
  await deleteIrqs(tx, irqs.gone);
  await updateVfs(tx, vfs.changed);
  await insertVfs(tx, vfs.fresh);
  // allocated VFs that vanished (numvfs reset by a reboot) stay until their VM lets go
  await deleteFreeVfs(tx, vfs.gone);
  await deleteFreeNics(tx, goneNics);
}

/** The Nic columns discovery writes for a PF. */
function nicData(n: NicFacts): NicData {
  return {
    pciAddress: n.pciAddress,
    driver: n.driver,
    vendorId: n.vendorId,
    deviceId: n.deviceId,
    numaNode: n.numaNode,
    speedMbps: n.speedMbps,
    mtu: n.mtu,
    maxMtu: n.maxMtu,
    linkState: n.operState,
    combinedQueues: n.channels?.combined ?? Math.max(1, n.rxQueues),
    maxCombinedQueues: n.channels?.maxCombined ?? Math.max(1, n.rxQueues),
    sriovTotalVfs: n.sriov?.totalVfs ?? 0,
    sriovNumVfs: n.sriov?.numVfs ?? 0,
    vdpaVfs: n.vdpaVfs,
  };
}

/** A PF's IRQ rows to add, change and drop (matched by IRQ number). */
function diffIrqs(cur: NicRow, n: NicFacts, out: { fresh: IrqData[]; changed: Omit<IrqRow, 'irq'>[]; gone: string[] }): void {
  const irqByNo = new Map(cur.irqs.map((i) => [i.irq, i]));
  for (const i of n.irqs) {
    const affinity = i.affinity ?? [];
    const old = irqByNo.get(i.irq);
    if (!old) out.fresh.push({ nicId: cur.id, irq: i.irq, queue: i.queue, label: i.name, affinity });
    else if (old.queue !== i.queue || old.label !== i.name || !sameInts(old.affinity, affinity))
      out.changed.push({ id: old.id, queue: i.queue, label: i.name, affinity });
  }
  const seen = new Set(n.irqs.map((i) => i.irq));
  for (const i of cur.irqs) if (!seen.has(i.irq)) out.gone.push(i.id);
}

/** A PF's VF rows to add, change and drop (matched by VF index); allocated VFs are never dropped. */
function diffVfs(
  cur: NicRow,
  n: NicFacts,
  out: { fresh: (VfData & { nicId: string; index: number })[]; changed: (VfData & { id: string })[]; gone: string[] },
): void {
  const vfs = n.sriov?.vfs ?? [];
  const vfByIndex = new Map(cur.vfs.map((v) => [v.index, v]));
  for (const v of vfs) {
    const data: VfData = {
      pciAddress: v.pciAddress,
      mac: v.mac,
      vlan: v.vlan,
      qos: v.qos,
      spoofchk: v.spoofChk ?? true,
      trust: v.trust ?? false,
      linkState: v.linkState ?? 'auto',
      minTxRateMbps: v.minTxRateMbps,
      maxTxRateMbps: v.maxTxRateMbps,
    };
    const old = vfByIndex.get(v.index);
    if (!old) out.fresh.push({ nicId: cur.id, index: v.index, ...data });
    else if (Object.entries(data).some(([k, val]) => old[k as keyof VfData] !== val)) out.changed.push({ id: old.id, ...data });
  }
  const seen = new Set(vfs.map((v) => v.index));
  for (const v of cur.vfs) if (!seen.has(v.index) && !v.allocated) out.gone.push(v.id);
}
